import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { KvStateStore } from '../../../adapters/splunk/kv-state-store';
import { retryPolicy } from '../../../adapters/http/retry';
import { SplunkRequestError } from '../../../adapters/splunk/errors';
import { SplunkSession } from '../../../adapters/splunk/sdk';
import { Secret } from '../../../adapters/secret';
import { emptyState, StateConflictError, type EngineState } from '../../../core/state/state';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { emulator, PASSWORD, section, tempDir } from './harness';

const T0 = 1_700_000_000_000;
const state = (n: number): EngineState => ({ ...emptyState(), watermark: n });

async function store(emu: SplunkEmulator, clock: () => number = () => T0): Promise<KvStateStore> {
  const dir = await tempDir();
  const session = new SplunkSession(resolveSplunkSettings(section(emu, dir), dir), { password: new Secret(PASSWORD, 'test') }, retryPolicy(2, { sleep: async () => undefined }));
  await session.connect();
  return new KvStateStore({ session, collection: 'tierzero_state', key: 'engine', fallbackFile: join(dir, 'state.json'), clock, leaseMs: 60_000 });
}

function lease(emu: SplunkEmulator): Record<string, unknown> | undefined {
  return emu.kv.records('tierzero', 'tierzero_state').find((r) => r._key === 'engine:lease');
}

describe('KV store state: compare-and-set under a commit lease', () => {
  let emu: SplunkEmulator;
  beforeEach(async () => { emu = await emulator(); });
  afterEach(async () => emu.stop());

  it('refuses to insert a record whose _key exists, as Splunk does (409)', async () => {
    const dir = await tempDir();
    const session = new SplunkSession(resolveSplunkSettings(section(emu, dir), dir), { password: new Secret(PASSWORD, 'test') }, retryPolicy(1));
    await session.connect();
    const insert = (): Promise<unknown> => session.call({ method: 'POST', path: 'storage/collections/data/tierzero_state', json: { _key: 'engine:lease', holder: 'x' } });
    await insert();
    await assert.rejects(insert(), (e: Error) => e instanceof SplunkRequestError && e.status === 409);
    session.close();
  });

  it('lets exactly one of two passes that loaded the same state commit', async () => {
    const [a, b] = [await store(emu), await store(emu)];
    const [la, lb] = [await a.load(), await b.load()];
    assert.deepEqual([la, lb], [undefined, undefined]);
    const results = await Promise.allSettled([a.save(state(1), null), b.save(state(2), null)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof StateConflictError));
  });

  it('refuses a commit when another pass committed a newer generation since the load', async () => {
    const [a, b] = [await store(emu), await store(emu)];
    const base = await a.save(state(1), null);
    const winner = await store(emu, () => T0 + 1000);
    await winner.save(state(2), base);
    await assert.rejects(b.save(state(3), base), (e: Error) => e instanceof StateConflictError && /generation/.test(e.message) && /rerun/.test(e.message));
    assert.equal((await (await store(emu)).load())?.state.watermark, 2);
  });

  it('refuses a commit while another pass holds a live lease, and leaves that lease alone', async () => {
    emu.kv.data.get('tierzero')?.get('tierzero_state')?.set('engine:lease', { _key: 'engine:lease', holder: 'other-pass', expires: T0 + 30_000 });
    await assert.rejects((await store(emu)).save(state(1), null), (e: Error) => e instanceof StateConflictError && /other-pass holds the commit lease/.test(e.message));
    assert.equal(lease(emu)?.['holder'], 'other-pass');
  });

  it('takes over a lease whose holder died, commits, and releases it', async () => {
    emu.kv.data.get('tierzero')?.get('tierzero_state')?.set('engine:lease', { _key: 'engine:lease', holder: 'crashed-pass', expires: T0 - 1 });
    const s = await store(emu);
    await s.save(state(1), null);
    assert.equal(lease(emu), undefined);
    assert.equal((await s.load())?.state.watermark, 1);
    assert.deepEqual(emu.kv.records('tierzero', 'tierzero_state').filter((r) => String(r._key).includes('lease')), []);
  });

  it('holds the lease, with its holder and expiry, while it writes the new generation', async () => {
    let during: Record<string, unknown> | undefined;
    emu.onRequest = (r) => { if (r.path.endsWith('/batch_save')) during = lease(emu); };
    await (await store(emu)).save(state(1), null);
    assert.equal(during?.['expires'], T0 + 60_000);
    assert.match(String(during?.['holder']), /^[0-9a-f-]{36}$/);
  });

  it('keeps its own lease when a retried insert is answered 409 because the first try went through', async () => {
    // The first insert lands, but its answer is lost: the client sees a 503 and retries.
    emu.onRequest = (r) => {
      if (r.method === 'POST' && r.path.endsWith('/storage/collections/data/tierzero_state') && lease(emu) === undefined) {
        emu.kv.data.get('tierzero')?.get('tierzero_state')?.set('engine:lease', { _key: 'engine:lease', ...(JSON.parse(r.body) as object) });
        emu.faults.push({ path: /storage\/collections\/data\/tierzero_state$/, times: 1, status: 503, body: { messages: [{ type: 'ERROR', text: 'busy' }] } });
      }
    };
    const s = await store(emu);
    await s.save(state(1), null);
    assert.equal((await s.load())?.state.watermark, 1);
    assert.equal(lease(emu), undefined);
  });

  it('releases the lease when the commit is refused', async () => {
    const base = await (await store(emu)).save(state(1), null);
    await (await store(emu, () => T0 + 5)).save(state(2), base);
    await assert.rejects((await store(emu)).save(state(3), base), StateConflictError);
    assert.equal(lease(emu), undefined);
  });
});
