import { strict as assert } from 'node:assert';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { KvStateStore } from '../../../adapters/splunk/kv-state-store';
import { retryPolicy } from '../../../adapters/http/retry';
import { SplunkSession } from '../../../adapters/splunk/sdk';
import { Secret } from '../../../adapters/secret';
import { emptyState, type EngineState } from '../../../core/state/state';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { emulator, PASSWORD, section, tempDir } from './harness';

function state(n: number): EngineState {
  return { ...emptyState(), checkpoint: { version: 1, indexTime: n, boundary: [] }, watermark: n * 1000, delivered: { [`tz-${'a'.repeat(24)}`]: n } };
}

interface Made { store: KvStateStore; log: Record<string, unknown>[]; file: string }

async function store(emu: SplunkEmulator, partChars?: number, clock = () => 1_700_000_000_000): Promise<Made> {
  const dir = await tempDir();
  const settings = resolveSplunkSettings(section(emu, dir), dir);
  const session = new SplunkSession(settings, { password: new Secret(PASSWORD, 'test') }, retryPolicy(2, { sleep: async () => undefined }));
  await session.connect();
  const log: Record<string, unknown>[] = [];
  const file = join(dir, 'state.json');
  return { store: new KvStateStore({ session, collection: 'tierzero_state', key: 'engine', fallbackFile: file, clock, log: (e) => log.push(e), ...(partChars ? { partChars } : {}) }), log, file };
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

describe('KV store state', () => {
  let emu: SplunkEmulator;
  afterEach(async () => emu.stop());

  it('starts empty and reads back what it saved', async () => {
    emu = await emulator();
    const m = await store(emu);
    assert.equal(await m.store.load(), undefined);
    await m.store.save(state(1), null);
    const again = await store(emu);
    assert.deepEqual((await again.store.load())?.state, state(1));
    assert.equal(again.store.mode, 'kvstore');
  });

  it('splits a large state into parts and joins them again', async () => {
    emu = await emulator();
    const big: EngineState = { ...state(2), detectors: { x: { pad: 'y'.repeat(5000) } } };
    const m = await store(emu, 1000);
    await m.store.load();
    await m.store.save(big, null);
    assert.ok(emu.kv.records('tierzero', 'tierzero_state').length >= 5);
    assert.deepEqual((await (await store(emu, 1000)).store.load())?.state, big);
  });

  it('deletes older generations after a save', async () => {
    emu = await emulator();
    let t = 1_700_000_000_000;
    const m = await store(emu, 100, () => t);
    await m.store.load();
    const first = await m.store.save(state(1), null);
    t += 1000;
    await m.store.save(state(2), first);
    const gens = new Set(emu.kv.records('tierzero', 'tierzero_state').map((r) => r['generation']));
    assert.deepEqual([...gens], [t]);
  });

  it('keeps reading the previous state when a save died half-way', async () => {
    emu = await emulator();
    const m = await store(emu, 100);
    await m.store.load();
    await m.store.save(state(1), null);
    // A crash after the first batch of a newer generation: part 0 of 3 only.
    const coll = emu.kv.data.get('tierzero')?.get('tierzero_state');
    coll?.set('engine:9999999999999:0', { _key: 'engine:9999999999999:0', name: 'engine', generation: 9_999_999_999_999, part: 0, parts: 3, state: '{"vers' });
    assert.deepEqual((await (await store(emu, 100)).store.load())?.state, state(1));
  });

  it('falls back to a local file, and says so, when the collection does not exist', async () => {
    emu = await emulator({ apps: { tierzero: { macros: {} } } });
    const m = await store(emu);
    assert.equal(await m.store.load(), undefined);
    await m.store.save(state(3), null);
    assert.equal(m.store.mode, 'file');
    assert.equal((JSON.parse(await readFile(m.file, 'utf8')) as EngineState).watermark, 3000);
    assert.match(String(m.log[0]?.['msg']), /collection tierzero_state does not exist/);
  });

  it('falls back to a local file when the KV store is disabled', async () => {
    emu = await emulator();
    emu.kv.disabled = true;
    const m = await store(emu);
    await m.store.load();
    assert.equal(m.store.mode, 'file');
  });

  it('moves state written to the fallback file into the KV store once it is usable again', async () => {
    emu = await emulator();
    const m = await store(emu);
    await writeFile(m.file, JSON.stringify(state(4)));
    const loaded = await m.store.load();
    assert.deepEqual(loaded?.state, state(4));
    await m.store.save(state(5), loaded?.token ?? null);
    assert.equal(await exists(m.file), false);
    assert.equal(emu.kv.records('tierzero', 'tierzero_state').length, 1);
  });

  it('fails the pass rather than start afresh when the KV store is only failing for now', async () => {
    emu = await emulator();
    emu.faults.push({ path: /storage\/collections\/config/, times: 10, status: 503, body: { messages: [{ type: 'ERROR', text: 'KV Store is initializing. Please try again later.' }] } });
    const m = await store(emu);
    await assert.rejects(m.store.load(), /KV Store is initializing/);
  });
});
