import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { CONTRIBUTIONS_COLLECTION, KvScoreSink, SCORES_COLLECTION, splunkSink } from '../../../adapters/splunk/kv-score-sink';
import { retryPolicy } from '../../../adapters/http/retry';
import { SplunkSession } from '../../../adapters/splunk/sdk';
import { Secret } from '../../../adapters/secret';
import { resolveConfig } from '../../../core/config/config';
import type { DetectorId } from '../../../core/detectors/detector-id';
import { DECLARATIONS } from '../../../core/detectors/registry';
import type { IdentityScoreUpdate } from '../../../core/scoring/score-update';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { emulator, load, MACROS, PASSWORD, section, splunkPass, tempDir } from './harness';

function update(key: string, name: string, score: number, detectors: readonly DetectorId[]): IdentityScoreUpdate {
  return {
    kind: 'score', key, identity: { name, sam: name }, sortName: name, at: '2024-03-12T23:59:58.907Z', score, band: score >= 70 ? 'high' : 'low',
    percentile: 90, change24h: score, riskJump: false, criticality: { tier: 'normal', multiplier: 1, reasons: [] },
    contributions: detectors.map((detector, i) => ({ detector, signals: 1, alertIds: [`tz-${detector}`], value: 10 / (i + 1), capped: false, rank: i + 1, contribution: 10 / (i + 1) ** 2.5 })),
    topContributions: detectors.join(', '),
    formula: { total: 10, floor: 0, normalised: 3.8, stages: [], inOrder: false, bonus: 1, boosted: 3.8, odds: 0.04, clearedByReset: 0 },
  };
}

async function sink(emu: SplunkEmulator, log: Record<string, unknown>[] = []): Promise<KvScoreSink> {
  const dir = await tempDir();
  const session = new SplunkSession(resolveSplunkSettings(section(emu, dir), dir), { password: new Secret(PASSWORD, 'test') }, retryPolicy(2, { sleep: async () => undefined }));
  await session.connect();
  return new KvScoreSink({ session, log: (e) => log.push(e) });
}

describe('scores in the Splunk KV store', () => {
  let emu: SplunkEmulator;
  afterEach(async () => emu.stop());

  it('upserts one record per identity, keyed by its identity key, with the fields the lookup names', async () => {
    emu = await emulator();
    const s = await sink(emu);
    await s.write([update('sid:S-1-5-21-1-2-3-1105', 'jdoe', 70, ['dcsync'])]);
    await s.write([update('sid:S-1-5-21-1-2-3-1105', 'jdoe', 64.5, ['dcsync'])]);
    const records = emu.kv.records('tierzero', SCORES_COLLECTION);
    assert.equal(records.length, 1);
    assert.equal(records[0]?._key, 'sid:S-1-5-21-1-2-3-1105');
    assert.equal(records[0]?.['score'], 64.5);
    assert.deepEqual(records[0]?.['alert_ids'], ['tz-dcsync']);
    assert.ok(emu.requestsTo(/tierzero_scores\/batch_save$/).length === 2);
  });

  it('replaces an identity\'s contributions whole, so a detector that no longer counts leaves its table', async () => {
    emu = await emulator();
    const s = await sink(emu);
    await s.write([update('sam:a', 'a', 20, ['kerberoasting', 'brute_force']), update('sam:b', 'b', 10, ['samr_recon'])]);
    await s.write([update('sam:a', 'a', 15, ['kerberoasting'])]);
    const rows = emu.kv.records('tierzero', CONTRIBUTIONS_COLLECTION).map((r) => r._key).sort();
    assert.deepEqual(rows, ['sam:a|kerberoasting', 'sam:b|samr_recon']);
  });

  it('deletes a retired identity\'s score and contributions', async () => {
    emu = await emulator();
    const s = await sink(emu);
    await s.write([update('sam:jdoe', 'jdoe', 20, ['kerberoasting']), update('sam:keep', 'keep', 5, ['samr_recon'])]);
    await s.write([{ kind: 'retired', key: 'sam:jdoe', at: '2024-03-13T00:00:00.000Z', reason: 'merged', mergedInto: 'sid:S-1-5-21-1-2-3-1105' }]);
    assert.deepEqual(emu.kv.records('tierzero', SCORES_COLLECTION).map((r) => r._key), ['sam:keep']);
    assert.deepEqual(emu.kv.records('tierzero', CONTRIBUTIONS_COLLECTION).map((r) => r._key), ['sam:keep|samr_recon']);
  });

  it('skips scores with one warning where the app\'s collections are missing, and the alerts still go out', async () => {
    emu = await emulator({ apps: { tierzero: { macros: MACROS, collections: ['tierzero_state'] } } });
    const log: Record<string, unknown>[] = [];
    const s = await sink(emu, log);
    const sent: number[] = [];
    const both = splunkSink({ write: async (a) => { sent.push(a.length); } }, s);
    await both.write([], [update('sam:a', 'a', 20, ['kerberoasting'])]);
    await both.write([], [update('sam:a', 'a', 19, ['kerberoasting'])]);
    assert.deepEqual(sent, [0, 0]);
    assert.equal(log.filter((e) => /scores not written to Splunk: KV store collection tierzero_scores does not exist/.test(String(e['msg']))).length, 1);
    assert.equal(s.stats.skipped, true);
  });

  it('fails the write when the KV store rejects it, so the pass is not committed', async () => {
    emu = await emulator();
    const s = await sink(emu);
    emu.faults.push({ path: /tierzero_scores\/batch_save$/, status: 400, times: 1 });
    await assert.rejects(s.write([update('sam:a', 'a', 20, ['kerberoasting'])]), /batch_save/);
  });
});

describe('scores through a scheduled pass on Splunk', function () {
  this.timeout(120_000);
  let emu: SplunkEmulator;
  after(async () => emu.stop());

  it('pulls the sample day from Splunk, and leaves in the KV store the scores the pass computed', async () => {
    emu = await emulator();
    const samples = join(__dirname, '..', '..', '..', 'samples');
    const records = gunzipSync(readFileSync(join(samples, 'sample-day.jsonl.gz'))).toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const loaded = load(emu, records);
    const dir = await tempDir();
    const config = resolveConfig(JSON.parse(readFileSync(join(samples, 'tierzero.json'), 'utf8')), DECLARATIONS);
    const r = await splunkPass({ section: section(emu, dir, { search: loaded.search }), clock: () => loaded.now, config });
    const kv = new Map(emu.kv.records('tierzero', SCORES_COLLECTION).map((x) => [x._key, x]));
    const scored = r.scores.filter((u) => u.kind === 'score');
    assert.ok(scored.length > 20);
    assert.equal(kv.size, scored.length);
    for (const u of scored) assert.equal(kv.get(u.key)?.['score'], u.score, u.key);
    assert.equal([...kv.values()].find((x) => x['identity'] === 'kofi.gomez')?.['band'], 'high');
  });
});
