import { strict as assert } from 'node:assert';
import { LogAnalyticsQueryError, PartialResultError, SentinelAuthError, SentinelCheckpointError } from '../../../adapters/sentinel/errors';
import type { SentinelSource } from '../../../adapters/sentinel/source';
import type { SourceRecord } from '../../../core/engine/ports';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan } from '../../../core/rules/pull-plan';
import { loopbackTls } from '../../emulators/azure/tls';
import { azure, CLIENT_ID, credential, source, type Azure } from './harness';
import { securityEventRow } from './to-rows';

/**
 * SentinelSource through the real SDK against the emulated workspace: slices and checkpoint,
 * the settle lag, split-on-partial, 429 with Retry-After, token expiry and revocation mid-pass,
 * and the errors an admin must be able to act on.
 */
const plan = pullPlan(DETECTOR_MODULES);
const T0 = Date.parse('2025-05-01T00:00:00Z');
const MIN = 60_000;

function logon(i: number, at: number): Record<string, unknown> {
  return securityEventRow({ TimeCreated: new Date(at - 30_000).toISOString(), Computer: 'dc1.corp.example', Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', EventID: 4624, TargetUserName: `user${i}`, TargetDomainName: 'CORP', LogonType: '3', IpAddress: '10.0.0.5' }, `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
}

/** Ingests `n` logons, one every `everyMs` of ingestion time from `start`. */
function ingest(a: Azure, n: number, start: number, everyMs: number, offset = 0): void {
  for (let i = 0; i < n; i++) a.la.ingest('SecurityEvent', [logon(offset + i, start + i * everyMs)], start + i * everyMs);
}

async function drain(src: SentinelSource, between?: (page: number) => Promise<void> | void): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  let n = 0;
  for await (const page of src.pull(CURRENT.checkpoint)) {
    out.push(...page);
    await between?.(n++);
  }
  return out;
}
const CURRENT: { checkpoint: unknown } = { checkpoint: null };
const users = (rs: SourceRecord[]): string[] => rs.map((r) => (r.kind === 'record' ? String((r.value as Record<string, unknown>)['TargetUserName']) : `malformed:${r.reason}`));

describe('SentinelSource', function () {
  this.timeout(120_000);
  let a: Azure;
  beforeEach(async () => { a = await azure(); CURRENT.checkpoint = null; });
  afterEach(async () => { await a.stop(); });

  it('reads each record once across passes: slices, checkpoint, settle lag and late arrivals', async () => {
    ingest(a, 30, T0, MIN);
    let now = T0 + 20 * MIN + 5 * MIN; // settle 5 min: ingested before T0+20min is due
    const opts = { clock: () => now, initialLookbackMinutes: 60, sliceMinutes: 7 };
    const s1 = source(a, plan, opts);
    const first = await drain(s1);
    assert.deepEqual(users(first), Array.from({ length: 20 }, (_, i) => `user${i}`));
    const checkpoint = s1.checkpointAfterPull();
    assert.deepEqual(checkpoint, { version: 1, ingestedBefore: T0 + 20 * MIN });
    // A rerun from the same (empty) checkpoint reads the same rows again (the sink dedupes alerts).
    const again = await drain(source(a, plan, opts));
    assert.deepEqual(users(again), users(first));
    CURRENT.checkpoint = checkpoint;
    // Late arrival: an old event ingested after the checkpoint is read by the next pass.
    a.la.ingest('SecurityEvent', [logon(99, T0 + 40 * MIN)], T0 + 40 * MIN);
    now = T0 + 60 * MIN;
    const s2 = source(a, plan, opts);
    const second = await drain(s2);
    assert.deepEqual(users(second).sort(), [...Array.from({ length: 10 }, (_, i) => `user${20 + i}`), 'user99'].sort());
    assert.ok(s1.stats.queries >= 3 * 3, 'several slices, each its families');
  });

  it('splits a slice the service answers partially, and reads every row exactly once', async () => {
    a.la.maxRows = 7;
    ingest(a, 50, T0, 1000);
    const src = source(a, plan, { clock: () => T0 + 30 * MIN, initialLookbackMinutes: 30, sliceMinutes: 30 });
    const rs = await drain(src);
    assert.deepEqual(users(rs).sort(), Array.from({ length: 50 }, (_, i) => `user${i}`).sort());
    assert.ok(src.stats.splits > 0);
    assert.ok(a.la.queries.some((q) => q.partial), 'the service did truncate');
  });

  it('fails clearly, without a checkpoint, when a slice stays partial at the smallest split', async () => {
    a.la.maxRows = 5;
    for (let i = 0; i < 20; i++) a.la.ingest('SecurityEvent', [logon(i, T0)], T0);
    const src = source(a, plan, { clock: () => T0 + 30 * MIN, initialLookbackMinutes: 30, sliceMinutes: 30, minSliceMs: 1000 });
    await assert.rejects(drain(src), (e: unknown) => e instanceof PartialResultError && /smallest slice/.test(e.message));
    assert.throws(() => src.checkpointAfterPull());
  });

  it('waits what Retry-After says on 429 (the SDK pipeline) and then reads', async () => {
    ingest(a, 3, T0, 1000);
    a.la.faults.push({ status: 429, times: 2, retryAfterSeconds: 1 });
    const rs = await drain(source(a, plan, { clock: () => T0 + 30 * MIN, initialLookbackMinutes: 30, sliceMinutes: 30 }));
    assert.equal(rs.length, 3);
    const q = a.la.queries.filter((x) => x.query !== '');
    assert.deepEqual(q.slice(0, 3).map((x) => x.status), [429, 429, 200]);
    assert.ok((q[1]?.at ?? 0) - (q[0]?.at ?? 0) >= 900 && (q[2]?.at ?? 0) - (q[1]?.at ?? 0) >= 900, 'each retry came after Retry-After');
  });

  it('gives a clear error when 429s outlast the retries', async () => {
    ingest(a, 1, T0, 1000);
    a.la.faults.push({ status: 429, times: 50, retryAfterSeconds: 0 });
    await assert.rejects(drain(source(a, plan, { clock: () => T0 + 30 * MIN, initialLookbackMinutes: 30, sliceMinutes: 30, maxRetries: 1, clientOptions: { tlsOptions: loopbackTls().tlsOptions, retryOptions: { maxRetries: 1, retryDelayInMs: 10 } } })),
      (e: unknown) => e instanceof LogAnalyticsQueryError && e.status === 429);
  });

  it('carries on when the token is revoked mid-pass (CAE claims challenge → fresh token)', async () => {
    ingest(a, 30, T0, MIN);
    const rs = await drain(source(a, plan, { clock: () => T0 + 40 * MIN, initialLookbackMinutes: 40, sliceMinutes: 10 }), (n) => { if (n === 0) a.token.revokeAll(); });
    assert.equal(rs.length, 30);
    assert.ok(a.la.queries.some((q) => q.status === 401 && q.error === 'TokenRevoked'));
    assert.ok(a.token.issued.length >= 2);
    assert.ok(a.token.issued.some((t) => t.claims !== undefined), 'the new token was asked for with the claims');
  });

  it('carries on when the token expires mid-pass (renewed before use)', async () => {
    a.token.lifetimeSeconds = 2;
    ingest(a, 30, T0, MIN);
    const rs = await drain(source(a, plan, { clock: () => T0 + 40 * MIN, initialLookbackMinutes: 40, sliceMinutes: 10 }), (n) => (n === 0 ? new Promise((r) => setTimeout(r, 2500)) : undefined));
    assert.equal(rs.length, 30);
    assert.ok(a.token.issued.length >= 2);
    assert.ok(!a.la.queries.some((q) => q.status === 401), 'never sent an expired token');
  });

  it('names auth failures: a wrong secret, and an app without read access', async () => {
    ingest(a, 1, T0, 1000);
    await assert.rejects(drain(source(a, plan, { clock: () => T0 + 30 * MIN, credential: credential(a, 'wrong-secret') })), (e: unknown) => e instanceof SentinelAuthError && !/wrong-secret/.test(e.message));
    const locked = await azure({ readers: ['someone-else'] });
    try {
      await assert.rejects(drain(source(locked, plan, { clock: () => T0 + 30 * MIN })), (e: unknown) => e instanceof SentinelAuthError && /Log Analytics Reader/.test(e.message));
    } finally {
      await locked.stop();
    }
    assert.ok(CLIENT_ID);
  });

  it('refuses another platform\'s checkpoint', async () => {
    CURRENT.checkpoint = { version: 1, indexTime: 5, boundary: [] };
    await assert.rejects(drain(source(a, plan, { clock: () => T0 })), SentinelCheckpointError);
  });
});
