import { strict as assert } from 'node:assert';
import { IngestionClient, type IngestionClientOptions } from '../../../adapters/sentinel/ingestion-client';
import { SentinelSink } from '../../../adapters/sentinel/sink';
import { IngestionFailedError } from '../../../adapters/sentinel/write-errors';
import type { IdentityScoreUpdate, ScoreUpdate } from '../../../core/scoring/score-update';
import { LogsIngestionEmulator, solutionDcr } from '../../emulators/azure/logs-ingestion';
import { loopbackTls } from '../../emulators/azure/tls';
import { sampleAlert } from '../../support/sample-alert';
import { azure, credential, type Azure } from './harness';

export const DCR_ID = `dcr-${'0123456789abcdef'.repeat(2)}`;
const ALERTS = 'Custom-TierzeroAlerts_CL';
const SCORES = 'Custom-TierzeroScores_CL';

const retired: ScoreUpdate = { kind: 'retired', key: 'sid:S-1-5-21-1-2-3-9999', at: '2024-01-01T00:10:00.000Z', reason: 'expired' };

function score(key: string, value: number): IdentityScoreUpdate {
  return {
    kind: 'score', key, identity: { name: 'jdoe@corp.example', upn: 'jdoe@corp.example' }, sortName: 'jdoe@corp.example', at: '2024-01-01T00:10:00.000Z', score: value, band: 'high',
    percentile: 99, change24h: value, riskJump: true, criticality: { tier: 'normal', multiplier: 1, reasons: [] },
    contributions: [{ detector: 'dcsync', signals: 1, value: 61.9, capped: false, rank: 1, contribution: 61.9, alertIds: [sampleAlert(1).id] }], topContributions: 'dcsync 61.9',
    formula: { total: 61.9, floor: 0, normalised: 61.9, stages: ['credential-access'], inOrder: false, bonus: 1, boosted: 61.9, odds: 1.6, clearedByReset: 0 },
  };
}

describe('Sentinel sink: Logs Ingestion API through @azure/monitor-ingestion', function () {
  this.timeout(30_000);
  let a: Azure;
  let ingest: LogsIngestionEmulator;
  beforeEach(async () => {
    a = await azure();
    ingest = await new LogsIngestionEmulator({ token: a.token, dcr: solutionDcr(DCR_ID), workspace: a.la }).start();
  });
  afterEach(async () => {
    await ingest.stop();
    await a.stop();
  });

  const client = (over: Partial<IngestionClientOptions> = {}): IngestionClient => new IngestionClient({
    endpoint: ingest.endpoint, dcrImmutableId: DCR_ID, credential: credential(a), audience: 'https://monitor.azure.com', maxRetries: 3,
    clientOptions: { tlsOptions: loopbackTls().tlsOptions, retryOptions: { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 2000 } },
    ...over,
  });
  const sink = (c = client()): SentinelSink => new SentinelSink({ client: c, alertsStream: ALERTS, scoresStream: SCORES, clock: () => Date.parse('2024-01-01T00:10:00Z') });

  it('writes alert rows the DCR stream accepts, gzipped, and they land in TierzeroAlerts_CL', async () => {
    await sink().write([sampleAlert(1), sampleAlert(2)], []);
    assert.deepEqual(ingest.rows(ALERTS).map((r) => r['AlertId']), [sampleAlert(1).id, sampleAlert(2).id]);
    assert.ok(ingest.uploads.every((u) => u.gzip && u.status === 204));
    assert.equal(a.la.count('TierzeroAlerts_CL'), 2);
    const row = ingest.rows(ALERTS)[0] ?? {};
    assert.equal(row['AccountName'], 'jdoe');
    assert.equal(row['AccountUPNSuffix'], 'corp.example');
    assert.equal(row['Severity'], 'High');
  });

  it('writes score rows, a retired identity marked Removed', async () => {
    await sink().write([], [retired]);
    assert.deepEqual(ingest.rows(SCORES).map((r) => [r['IdentityKey'], r['Removed']]), [[retired.key, true]]);
    assert.equal(ingest.rows(ALERTS).length, 0);
  });

  it('puts the identity\'s score of the same pass on its alert rows, and writes the score row after', async () => {
    const alert = sampleAlert(1);
    await sink().write([alert, sampleAlert(2, { identity: undefined })], [score(alert.identity?.id ?? '', 72)]);
    const [withScore, without] = ingest.rows(ALERTS);
    assert.equal(withScore?.['Score'], 72);
    assert.equal(withScore?.['Band'], 'high');
    assert.deepEqual(withScore?.['Contributions'], [{ detector: 'dcsync', contribution: 61.9, signals: 1 }]);
    assert.equal(without?.['Score'], null);
    assert.deepEqual(ingest.uploads.map((u) => u.stream), [ALERTS, SCORES]);
    assert.equal(ingest.rows(SCORES)[0]?.['Score'], 72);
  });

  it('sends nothing for an empty pass', async () => {
    await sink().write([], []);
    assert.equal(ingest.uploads.length, 0);
  });

  it('cuts batches under the 1 MB call limit, counting the array punctuation', async () => {
    const big = Array.from({ length: 60 }, (_, i) => sampleAlert(i, { description: 'x'.repeat(40_000) }));
    const c = client();
    await sink(c).write(big, []);
    assert.equal(ingest.rows(ALERTS).length, 60);
    assert.ok(ingest.uploads.length >= 3, `${ingest.uploads.length} calls`);
    assert.ok(ingest.uploads.every((u) => u.status === 204 && u.bodyBytes <= 1_000_000));
  });

  it('keeps up to maxConcurrency calls in flight (three held at once, then all accepted)', async () => {
    ingest.holdUntil(3);
    const big = Array.from({ length: 60 }, (_, i) => sampleAlert(i, { description: 'x'.repeat(40_000) }));
    await sink(client({ maxConcurrency: 3 })).write(big, []);
    assert.equal(new Set(ingest.rows(ALERTS).map((r) => r['AlertId'])).size, 60);
    assert.ok(ingest.uploads.length >= 3);
  });

  it('starts no new call after one fails, and throws that failure', async () => {
    ingest.faults.push({ status: 500, times: 100 });
    const big = Array.from({ length: 60 }, (_, i) => sampleAlert(i, { description: 'x'.repeat(40_000) }));
    await assert.rejects(sink(client({ maxConcurrency: 2, clientOptions: { tlsOptions: loopbackTls().tlsOptions, retryOptions: { maxRetries: 0 } } })).write(big, []), (e: unknown) => e instanceof IngestionFailedError && /HTTP 500/.test(e.message));
    assert.ok(ingest.uploads.length <= 2, `${ingest.uploads.length} calls`);
  });

  it('halves a batch the service refuses with 413 and sends both halves', async () => {
    ingest.maxBytes = 50_000;
    const rows = Array.from({ length: 20 }, (_, i) => sampleAlert(i, { description: 'y'.repeat(4_000) }));
    const c = client();
    await sink(c).write(rows, []);
    assert.deepEqual(new Set(ingest.rows(ALERTS).map((r) => r['AlertId'])).size, 20);
    assert.ok(ingest.uploads.some((u) => u.status === 413));
    assert.ok(c.stats.splits > 0);
  });

  it('fails the write, naming the size, when one row alone is over the limit', async () => {
    ingest.maxBytes = 2_000;
    await assert.rejects(sink().write([sampleAlert(1, { description: 'z'.repeat(5_000) })], []), (e: unknown) => e instanceof IngestionFailedError && /cannot be split/.test(e.message));
  });

  it('retries a 429 after Retry-After, and the retried body is gzipped once (monitor-ingestion 1.2.0)', async () => {
    ingest.faults.push({ status: 429, times: 1, retryAfterSeconds: 1 });
    await sink().write([sampleAlert(7)], []);
    assert.deepEqual(ingest.uploads.map((u) => u.status), [429, 204]);
    assert.equal(ingest.rows(ALERTS).length, 1);
  });

  it('gives a clear error when 429s outlast the SDK retries', async () => {
    ingest.faults.push({ status: 429, times: 50, retryAfterSeconds: 0 });
    await assert.rejects(sink(client({ clientOptions: { tlsOptions: loopbackTls().tlsOptions, retryOptions: { maxRetries: 1, retryDelayInMs: 10 } } })).write([sampleAlert(1)], []),
      (e: unknown) => e instanceof IngestionFailedError && /HTTP 429/.test(e.message) && /not committed/.test(e.message));
  });

  it('renews an expired token before it sends (never sends one the service would refuse)', async () => {
    a.token.lifetimeSeconds = 2;
    const c = client();
    await sink(c).write([sampleAlert(1)], []);
    // Real time: the credential's cache and the token's expiry run on the wall clock (as in source.test.ts).
    await new Promise((r) => setTimeout(r, 2500));
    await sink(c).write([sampleAlert(2)], []);
    assert.equal(ingest.rows(ALERTS).length, 2);
    assert.ok(a.token.issued.length >= 2);
    assert.ok(!ingest.uploads.some((u) => u.status === 401), 'never sent an expired token');
  });

  it('carries on when the token is revoked between writes: the re-sent body is gzipped once (CAE challenge → fresh token)', async () => {
    const c = client();
    await sink(c).write([sampleAlert(1)], []);
    a.token.revokeAll();
    await sink(c).write([sampleAlert(2)], []);
    assert.equal(ingest.rows(ALERTS).length, 2);
    assert.ok(ingest.uploads.some((u) => u.status === 401 && u.error === 'TokenRevoked'));
  });

  it('names the role when the identity may not publish to the DCR (403)', async () => {
    await ingest.stop();
    ingest = await new LogsIngestionEmulator({ token: a.token, dcr: solutionDcr(DCR_ID), workspace: a.la, publishers: ['someone-else'] }).start();
    await assert.rejects(sink().write([sampleAlert(1)], []), (e: unknown) => e instanceof IngestionFailedError && /Monitoring Metrics Publisher/.test(e.message));
  });

  it('the emulator refuses a row the stream does not declare', async () => {
    await assert.rejects(client().upload(ALERTS, [{ AlertId: 'x', NotAColumn: 1 }]), (e: unknown) => e instanceof IngestionFailedError && /NotAColumn/.test(e.message));
  });
});
