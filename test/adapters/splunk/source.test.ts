import { strict as assert } from 'node:assert';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { SearchFailedError, SourceIncompleteError } from '../../../adapters/splunk/errors';
import { pullPlan } from '../../../core/rules/pull-plan';
import { retryPolicy } from '../../../adapters/http/retry';
import { SplunkSession } from '../../../adapters/splunk/sdk';
import { Secret } from '../../../adapters/secret';
import { SplunkSource, type SplunkCheckpoint } from '../../../adapters/splunk/source';
import { compilePullSearch } from '../../../adapters/splunk/spl';
import type { SourceRecord } from '../../../core/engine/ports';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { asAzureMonitorAad, asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { emulator, PASSWORD, section } from './harness';

const NOW = 1_704_070_800; // 2024-01-01T01:00:00Z, epoch seconds

function failure(i: number, indexTime: number): ReturnType<typeof asXmlWinEventLog> {
  return asXmlWinEventLog({
    TimeCreated: new Date((indexTime - 2) * 1000).toISOString(), Computer: 'DC1.corp.local', Channel: 'Security', EventID: 4771,
    EventRecordID: 1000 + i, TargetUserName: `user${i}`, Status: '0x18', IpAddress: '10.0.0.9',
  }, { index: 'wineventlog', indexTime });
}

async function source(emu: SplunkEmulator, now: () => number, search: Record<string, unknown> = {}): Promise<SplunkSource> {
  const settings = resolveSplunkSettings(section(emu, '/tmp', { search: { settleSeconds: 60, overlapSeconds: 10, initialLookbackMinutes: 30, ...search } }), '/tmp');
  const policy = retryPolicy(3, { sleep: async () => undefined, random: () => 0 });
  const session = new SplunkSession(settings, { password: new Secret(PASSWORD, 'test') }, policy);
  await session.connect();
  return new SplunkSource({ session, search: compilePullSearch(pullPlan(DETECTOR_MODULES), settings.search), settings: settings.search, policy, clock: () => now() * 1000, timeoutMs: 10_000 });
}

async function drain(src: SplunkSource, checkpoint: unknown): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const page of src.pull(checkpoint)) out.push(...page);
  return out;
}

const users = (records: readonly SourceRecord[]): string[] => records.map((r) => (r.kind === 'record' ? String((r.value as Record<string, unknown>)['TargetUserName']) : r.reason));

describe('Splunk source', () => {
  let emu: SplunkEmulator;
  afterEach(async () => emu.stop());

  it('reads the first window back from now less the settle lag, by index time, in the app namespace', async () => {
    emu = await emulator();
    const src = await source(emu, () => NOW);
    await drain(src, null);
    const req = emu.requestsTo(/jobs\/export$/)[0];
    assert.equal(req?.path, '/servicesNS/nobody/tierzero/search/v2/jobs/export');
    assert.equal(req?.method, 'POST');
    assert.equal(req?.params['index_latest'], String(NOW - 60));
    assert.equal(req?.params['index_earliest'], String(NOW - 60 - 30 * 60));
    assert.equal(req?.params['output_mode'], 'json');
  });

  it('returns the events in event-time order and commits the window end as checkpoint', async () => {
    emu = await emulator();
    for (const i of [3, 1, 2]) emu.addEvent(failure(i, NOW - 600 + i));
    const src = await source(emu, () => NOW);
    assert.deepEqual(users(await drain(src, null)), ['user1', 'user2', 'user3']);
    assert.deepEqual(src.checkpointAfterPull(), { version: 1, indexTime: NOW - 60, boundary: [] });
  });

  it('leaves events indexed within the settle lag for the next pass', async () => {
    emu = await emulator();
    emu.addEvent(failure(1, NOW - 30));
    let now = NOW;
    const first = await source(emu, () => now);
    assert.deepEqual(users(await drain(first, null)), []);
    now = NOW + 300;
    const second = await source(emu, () => now);
    assert.deepEqual(users(await drain(second, first.checkpointAfterPull())), ['user1']);
  });

  it('reads the overlap before the checkpoint again and skips what the last pass already read', async () => {
    emu = await emulator();
    // Splunk counting index_latest inclusively, or a late-searchable event at the edge: both land in the overlap.
    emu.search.indexLatestInclusive = true;
    emu.addEvent(failure(1, NOW - 65));
    emu.addEvent(failure(2, NOW - 60));
    let now = NOW;
    const first = await source(emu, () => now);
    assert.deepEqual(users(await drain(first, null)), ['user1', 'user2']);
    const checkpoint = first.checkpointAfterPull() as SplunkCheckpoint;
    assert.equal(checkpoint.boundary.length, 2);
    emu.addEvent(failure(3, NOW - 58));
    now = NOW + 300;
    const second = await source(emu, () => now);
    assert.deepEqual(users(await drain(second, checkpoint)), ['user3']);
    assert.equal(second.stats.duplicates, 2);
    assert.equal(emu.requestsTo(/jobs\/export$/)[1]?.params['index_earliest'], String(NOW - 60 - 10));
  });

  it('reads a long backlog in windows of maxWindowMinutes, one per pass', async () => {
    emu = await emulator();
    emu.addEvent(failure(1, NOW - 3 * 3600));
    emu.addEvent(failure(2, NOW - 600));
    const src = await source(emu, () => NOW, { maxWindowMinutes: 60 });
    const checkpoint: SplunkCheckpoint = { version: 1, indexTime: NOW - 4 * 3600, boundary: [] };
    assert.deepEqual(users(await drain(src, checkpoint)), []);
    assert.equal((src.checkpointAfterPull() as SplunkCheckpoint).indexTime, NOW - 3 * 3600);
  });

  it('skips the preview rows Splunk streams before the final rows of a sorted search', async () => {
    emu = await emulator();
    emu.search.previewRows = 2;
    for (const i of [1, 2, 3]) emu.addEvent(failure(i, NOW - 600 + i));
    const src = await source(emu, () => NOW);
    assert.equal((await drain(src, null)).length, 3);
  });

  it('quarantines a result it cannot map, with the reason', async () => {
    emu = await emulator();
    emu.addEvent(asAzureMonitorAad({ TimeGenerated: new Date((NOW - 600) * 1000).toISOString(), UserPrincipalName: undefined, IPAddress: '203.0.113.1' }, { index: 'azure', indexTime: NOW - 600 }));
    const src = await source(emu, () => NOW);
    const [rec] = await drain(src, null);
    assert.equal(rec?.kind, 'malformed');
    if (rec?.kind === 'malformed') assert.match(rec.reason, /without properties\.userPrincipalName/);
  });

  it('fails the pass with Splunk\'s message when the app macros are missing', async () => {
    emu = await emulator({ apps: { tierzero: { collections: ['tierzero_state'] } } });
    const src = await source(emu, () => NOW);
    await assert.rejects(drain(src, null), (e: Error) => e instanceof SearchFailedError && /macro 'tierzero_windows_index' that cannot be found/.test(e.message));
  });

  it('refuses a checkpoint written by another platform', async () => {
    emu = await emulator();
    const src = await source(emu, () => NOW);
    await assert.rejects(drain(src, { files: ['a.jsonl'] }), SourceIncompleteError);
  });

  it('uses the v1 export path on Splunk before 9.0.2', async () => {
    emu = await emulator({ version: '9.0.1' });
    const src = await source(emu, () => NOW);
    await drain(src, null);
    assert.equal(emu.requestsTo(/jobs\/export$/)[0]?.path, '/servicesNS/nobody/tierzero/search/jobs/export');
  });
});
