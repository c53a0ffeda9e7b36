import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommitLockBusyError } from '../../../adapters/file/commit-lock';
import { FileStateStore, MemoryStateStore } from '../../../adapters/file/file-state-store';
import { jsonChunks } from '../../../adapters/file/json-chunks';
import { emptyState, StateConflictError, type EngineState } from '../../../core/state/state';

const state = (n: number): EngineState => ({ ...emptyState(), watermark: n });

async function statePath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'tz-state-')), 'state.json');
}

describe('file state store: compare-and-set', () => {
  it('commits the first state with expected null and reads it back with the token save returned', async () => {
    const store = new FileStateStore(await statePath());
    const token = await store.save(state(1), null);
    const loaded = await store.load();
    assert.deepEqual(loaded, { state: state(1), token });
  });

  it('refuses a first commit when another writer committed since the load', async () => {
    const path = await statePath();
    await new FileStateStore(path).save(state(1), null);
    await assert.rejects(new FileStateStore(path).save(state(2), null), (e: Error) => e instanceof StateConflictError && /another pass committed/.test(e.message));
  });

  it('lets exactly one of two writers that loaded the same state commit', async () => {
    const path = await statePath();
    const base = await new FileStateStore(path).save(state(1), null);
    const results = await Promise.allSettled([new FileStateStore(path).save(state(2), base), new FileStateStore(path).save(state(3), base)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof StateConflictError));
  });

  it('keeps the winner\'s state when the loser is refused', async () => {
    const path = await statePath();
    const base = await new FileStateStore(path).save(state(1), null);
    await new FileStateStore(path).save(state(2), base);
    await assert.rejects(new FileStateStore(path).save(state(3), base), StateConflictError);
    assert.equal((await new FileStateStore(path).load())?.state.watermark, 2);
  });

  it('waits for a commit lock held by a live writer and gives up with a message naming the lock file', async () => {
    const path = await statePath();
    await writeFile(`${path}.commit-lock`, '{"pid":1}');
    const waits: number[] = [];
    const store = new FileStateStore(path, { attempts: 3, sleep: async (ms) => { waits.push(ms); } });
    await assert.rejects(store.save(state(1), null), (e: Error) => e instanceof CommitLockBusyError && e.message.includes(`${path}.commit-lock`));
    assert.equal(waits.length, 2);
  });

  it('takes over a commit lock left by a crashed writer', async () => {
    const path = await statePath();
    await writeFile(`${path}.commit-lock`, '{"pid":1}');
    const store = new FileStateStore(path, { now: () => Date.now() + 60_000 });
    await store.save(state(1), null);
    assert.equal((await store.load())?.state.watermark, 1);
  });
});

describe('file state store: streamed save', () => {
  const big = (): EngineState => ({
    ...emptyState(),
    watermark: 7,
    delivered: Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`alert-${i}-\u00e9\u2028`, i])),
    detectors: { a: { rows: [[1, 'x', null], [2, undefined, 'y']], skip: undefined }, b: {} },
  });

  it('writes exactly the bytes JSON.stringify would, in pieces of more than one write, and its token is their hash', async () => {
    const path = await statePath();
    const s = big();
    const token = await new FileStateStore(path).save(s, null);
    const bytes = await readFile(path);
    assert.equal(bytes.toString('utf8'), JSON.stringify(s));
    assert.ok(bytes.length > 1 << 20);
    assert.equal(token, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    assert.equal((await new FileStateStore(path).load())?.token, token);
  });

  it('compares the raw bytes: a file with an invalid UTF-8 byte keeps the token load gave it', async () => {
    const path = await statePath();
    const [head, tail] = JSON.stringify({ ...emptyState(), watermark: 1, delivered: { 'x#': 1 } }).split('#');
    await writeFile(path, Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xff]), Buffer.from(tail ?? '')]));
    const store = new FileStateStore(path);
    const loaded = await store.load();
    assert.ok(loaded);
    await store.save(state(2), loaded.token);
    assert.equal((await store.load())?.state.watermark, 2);
  });

  it('splits nested objects and arrays into pieces that join to JSON.stringify', () => {
    const v = { a: [1, undefined, () => 1, { d: new Date(0) }], b: undefined, m: new Map([[1, 2]]), t: new Uint8Array([1, 2]), e: { f: { g: { h: [1] } } }, s: 'q"\u2028\ud800' };
    const pieces = [...jsonChunks(v, { batchChars: 0 })];
    assert.ok(pieces.length > 5);
    assert.equal(pieces.join(''), JSON.stringify(v));
  });

  it('joins small pieces into batches of about the size asked, still joining to JSON.stringify', () => {
    const v = { rows: Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `n${i}`, at: [i, i + 1] })), big: 'x'.repeat(100_000) };
    const batches = [...jsonChunks(v, { batchChars: 4096 })];
    assert.equal(batches.join(''), JSON.stringify(v));
    assert.ok(batches.length > 10 && batches.length < 200, `${batches.length} batches`);
    assert.ok(batches.slice(0, -1).every((b) => b.length >= 4096));
  });
});

describe('memory state store: compare-and-set', () => {
  it('refuses a save whose token is not the stored generation', async () => {
    const store = new MemoryStateStore();
    const first = await store.save(state(1), null);
    await store.save(state(2), first);
    await assert.rejects(store.save(state(3), first), StateConflictError);
    assert.equal((await store.load())?.state.watermark, 2);
  });
});
