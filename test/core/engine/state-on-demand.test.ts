import { strict as assert } from 'node:assert';
import { jsonChunks } from '../../../adapters/file/json-chunks';
import { stateOnDemand } from '../../../core/engine/state-on-demand';
import { STATE_VERSION } from '../../../core/state/state';

describe('state made on demand (core/engine/state-on-demand.ts)', () => {
  function counted() {
    const reads: string[] = [];
    const section = <T>(name: string, value: T) => () => {
      reads.push(name);
      return structuredClone(value);
    };
    const state = stateOnDemand({
      version: () => STATE_VERSION,
      checkpoint: section('checkpoint', { files: ['a'] }),
      watermark: () => 42,
      directory: section('directory', null),
      kerberos: section('kerberos', null),
      detectors: section('detectors', { dcsync: { principals: { keys: [], rows: [] } } }),
      delivered: section('delivered', { x: 1 }),
      identities: section('identities', null),
      scores: section('scores', null),
    });
    return { state, reads };
  }

  it('makes no section until it is read, and each one once per read', () => {
    const { state, reads } = counted();
    assert.deepEqual(reads, []);
    assert.deepEqual(state.delivered, { x: 1 });
    assert.deepEqual(state.delivered, { x: 1 });
    assert.deepEqual(reads, ['delivered', 'delivered']);
    assert.notEqual(state.detectors, state.detectors, 'a fresh snapshot per read: no caller can change what another reads');
  });

  it('reads as the plain state it stands for, keys in the saved order, to JSON, a spread and a clone', () => {
    const { state } = counted();
    const plain = { version: STATE_VERSION, checkpoint: { files: ['a'] }, watermark: 42, directory: null, kerberos: null, detectors: { dcsync: { principals: { keys: [], rows: [] } } }, delivered: { x: 1 }, identities: null, scores: null };
    assert.equal(JSON.stringify(state), JSON.stringify(plain));
    assert.deepEqual({ ...state }, plain);
    assert.deepEqual(structuredClone(state), plain);
  });

  it('is streamed by the file store one section at a time: a section is made only when the writer reaches it', () => {
    const { state, reads } = counted();
    const seen: string[][] = [];
    let text = '';
    // Unbatched (batch 0), so each piece shows what had been made when it was written.
    for (const piece of jsonChunks(state, { batchChars: 0 })) {
      text += piece;
      seen.push([...reads]);
    }
    assert.equal(text, JSON.stringify(state));
    const firstWithDelivered = seen.findIndex((r) => r.includes('delivered'));
    assert.ok(firstWithDelivered > 0 && !seen[firstWithDelivered - 1]?.includes('delivered') && seen[firstWithDelivered - 1]?.includes('detectors'), 'the detectors section was written before delivered was made');
  });
});
