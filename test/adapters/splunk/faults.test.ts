import { strict as assert } from 'node:assert';
import type { KvStateStore } from '../../../adapters/splunk/kv-state-store';
import type { SplunkSource } from '../../../adapters/splunk/source';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { emulator, indexedAlertIds, load, readDataset, section, splunkPass, tempDir } from './harness';

/**
 * The failures a scheduled pass meets in production, against the emulator: what must hold
 * after each is the acceptance rule of DESIGN §3.8 — no alert lost, none written twice.
 */
const DATASET = 'multi-sd-purplesharp_ad_playbook.jsonl.gz';

describe('Splunk faults', function () {
  this.timeout(60_000);
  let emu: SplunkEmulator;
  let dir: string;
  let events: Record<string, unknown>[];
  let reference: string[];

  before(async () => {
    events = readDataset(DATASET);
    const clean = await emulator();
    const loaded = load(clean, events);
    const r = await splunkPass({ section: section(clean, await tempDir(), { search: loaded.search }), clock: () => loaded.now });
    reference = r.alerts.map((a) => a.id).sort();
    await clean.stop();
    assert.ok(reference.length >= 3, 'the dataset raises several alerts');
  });

  beforeEach(async () => {
    emu = await emulator();
    dir = await tempDir();
  });
  afterEach(async () => emu.stop());

  it('logs in again when the session expires before the export, and completes the pass', async () => {
    const loaded = load(emu, events);
    const r = await splunkPass({ section: section(emu, dir, { search: loaded.search }), clock: () => loaded.now, before: () => emu.expireSessions() });
    assert.deepEqual(r.alerts.map((a) => a.id).sort(), reference);
    assert.equal(emu.requestsTo(/auth\/login$/).length, 2);
  });

  it('logs in again when the session expires between the HEC write and the state commit', async () => {
    const loaded = load(emu, events);
    emu.onRequest = (req) => {
      if (req.path === '/services/collector/event') emu.expireSessions();
    };
    const r = await splunkPass({ section: section(emu, dir, { search: loaded.search }), clock: () => loaded.now });
    assert.equal((r.platform.store as KvStateStore).mode, 'kvstore');
    assert.ok(emu.kv.records('tierzero', 'tierzero_state').length > 0);
  });

  it('backs off on 429 and 503 from the search head, honouring Retry-After', async () => {
    const loaded = load(emu, events);
    emu.faults.push({ path: /jobs\/export$/, times: 1, status: 429, headers: { 'retry-after': '7' }, body: { messages: [{ type: 'ERROR', text: 'Too many concurrent searches' }] } });
    emu.faults.push({ path: /jobs\/export$/, times: 1, status: 503, body: { messages: [{ type: 'ERROR', text: 'Search head busy' }] } });
    const waits: number[] = [];
    const r = await splunkPass({ section: section(emu, dir, { search: loaded.search }), clock: () => loaded.now, waits });
    assert.deepEqual(r.alerts.map((a) => a.id).sort(), reference);
    assert.deepEqual(waits.slice(0, 2), [7000, 1000]);
  });

  it('retries HEC while it answers 503 server busy, and writes each alert once', async () => {
    const loaded = load(emu, events);
    emu.faults.push({ server: 'hec', path: /collector\/event$/, times: 2, status: 503, body: { text: 'Server is busy', code: 9 } });
    const waits: number[] = [];
    await splunkPass({ section: section(emu, dir, { search: loaded.search }), clock: () => loaded.now, waits });
    assert.deepEqual(indexedAlertIds(emu).sort(), reference);
    assert.equal(waits.length, 2);
  });

  it('resumes a truncated export stream where it broke off: nothing lost, nothing read twice', async () => {
    const loaded = load(emu, events);
    emu.search.truncateExports = { afterRows: 100, times: 1 };
    const r = await splunkPass({ section: section(emu, dir, { search: loaded.search }), clock: () => loaded.now });
    const src = r.platform.source as SplunkSource;
    assert.equal(src.stats.resumed, 1);
    assert.ok(r.stats.records > 100, 'the cut came mid-stream');
    const clean = await emulator();
    const again = load(clean, events);
    const full = await splunkPass({ section: section(clean, await tempDir(), { search: again.search }), clock: () => again.now });
    await clean.stop();
    assert.equal(r.stats.records, full.stats.records);
    assert.deepEqual(r.alerts.map((a) => a.id).sort(), reference);
    const resumed = emu.requestsTo(/jobs\/export$/).filter((q) => q.params['search']?.startsWith('search ('));
    assert.equal(resumed.length, 2);
    assert.notEqual(resumed[1]?.params['earliest_time'], resumed[0]?.params['earliest_time']);
  });

  it('fails the pass without committing when the export keeps breaking off', async () => {
    const loaded = load(emu, events);
    emu.search.truncateExports = { afterRows: 10, times: 100 };
    await assert.rejects(splunkPass({ section: section(emu, dir, { search: loaded.search, maxAttempts: 3 }), clock: () => loaded.now }), /did not complete after 3 attempts/);
    assert.equal(emu.kv.records('tierzero', 'tierzero_state').length, 0);
    assert.deepEqual(indexedAlertIds(emu), []);
  });

  it('after a crash between the HEC acknowledgement and the state commit, the rerun adds no duplicate and leaves no gap', async () => {
    const half = Math.floor(events.length / 2);
    const first = load(emu, events.slice(0, half));
    const s = section(emu, dir, { search: first.search });
    await assert.rejects(splunkPass({
      section: s, clock: () => first.now,
      before: (p) => {
        (p.store as unknown as { save: (x: unknown) => Promise<void> }).save = async () => {
          throw new Error('killed after the HEC ack, before the KV store commit');
        };
      },
    }), /killed after the HEC ack/);
    const written = indexedAlertIds(emu);
    assert.ok(written.length > 0, 'the first pass wrote alerts before it died');
    assert.equal(emu.kv.records('tierzero', 'tierzero_state').length, 0);
    // The rest of the data arrives; the rerun starts again from the last commit (none).
    const rest = load(emu, events.slice(half));
    await splunkPass({ section: { ...s, search: { ...first.search, initialLookbackMinutes: (first.search['initialLookbackMinutes'] ?? 0) + Math.ceil((rest.now - first.now) / 60_000) } }, clock: () => rest.now });
    const ids = indexedAlertIds(emu);
    assert.equal(new Set(ids).size, ids.length, 'no alert id was written twice');
    assert.deepEqual([...new Set(ids)].sort(), reference);
  });

  it('without the already-indexed check, the app\'s dedup by alert id still shows each alert once', async () => {
    const loaded = load(emu, events);
    const s = section(emu, dir, { search: loaded.search, hec: { url: emu.hecUrl, tokenEnv: 'TZ_TEST_HEC_TOKEN', index: 'tierzero', skipIndexed: false } });
    await assert.rejects(splunkPass({ section: s, clock: () => loaded.now, before: (p) => { (p.store as unknown as { save: (x: unknown) => Promise<void> }).save = async () => { throw new Error('crash'); }; } }));
    await splunkPass({ section: s, clock: () => loaded.now });
    assert.equal(indexedAlertIds(emu).length, reference.length * 2);
    const deduped = emu.search.run('tierzero', { search: 'search `tierzero_alert_index` sourcetype="tierzero:alert" | dedup alert_id', earliest_time: '0' });
    assert.deepEqual(deduped.map((r) => r['alert_id']).sort(), reference);
  });
});
