import { strict as assert } from 'node:assert';
import { checkIndexPattern, coverageRequest, DEFAULT_ENTRA_INDEXES, DEFAULT_WINDOWS_INDEXES, pullRequest, PULL_SORT, type ElasticSearchSettings } from '../../../adapters/elastic/pull-query';
import { sourceFields } from '../../../adapters/elastic/field-map';
import { DslValueError } from '../../../adapters/elastic/errors';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan } from '../../../core/rules/pull-plan';

const SETTINGS: ElasticSearchSettings = {
  windowsIndexes: DEFAULT_WINDOWS_INDEXES, entraIndexes: DEFAULT_ENTRA_INDEXES,
  lists: { honeytokens: ['decoy.admin'], directorySyncAccounts: [] }, settleSeconds: 120, pageSize: 2000,
};

/** Every object in a query tree, for looking for a clause without knowing where it nests. */
function nodes(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.flatMap(nodes);
  if (v !== null && typeof v === 'object') return [v as Record<string, unknown>, ...Object.values(v).flatMap(nodes)];
  return [];
}

describe('elastic pull query (no node)', () => {
  const plan = pullPlan(DETECTOR_MODULES);

  it('reads the default index patterns of the Agent integrations and Winlogbeat, sorted for search_after, with no total count', () => {
    const r = pullRequest(plan, SETTINGS, { from: { value: '2026-01-01T00:00:00.000Z', inclusive: true }, to: '2026-01-01T01:00:00.000Z' });
    for (const p of ['logs-system.security-*', 'logs-windows.forwarded-*', 'winlogbeat-*', 'logs-azure.signinlogs-*', 'logs-azure.auditlogs-*']) assert.ok(r.index.includes(p), p);
    assert.deepEqual(r.body.sort, PULL_SORT);
    assert.equal(r.body.size, 2000);
    assert.equal(r.body.track_total_hits, false);
    const range = nodes(r.body.query).find((n) => n['range'] !== undefined)?.['range'] as Record<string, Record<string, string>>;
    assert.deepEqual(range['event.ingested'], { gte: '2026-01-01T00:00:00.000Z', lt: '2026-01-01T01:00:00.000Z', format: 'strict_date_optional_time_nanos' });
    assert.deepEqual((r.body._source as { includes: string[] }).includes, sourceFields(plan));
  });

  it('filters each Windows source on winlog.channel and on event.code as strings, one per planned EventID', () => {
    const r = pullRequest(plan, SETTINGS);
    const codes = nodes(r.body.query).flatMap((n) => ((n['terms'] as Record<string, unknown> | undefined)?.['event.code'] as string[] | undefined) ?? []);
    const planned = plan.sources.flatMap((s) => (s.source.kind === 'windows' ? s.source.eventIds.map(String) : []));
    assert.deepEqual([...new Set(codes)].sort(), [...new Set(planned)].sort());
    assert.ok(codes.every((c) => typeof c === 'string'));
    const channels = nodes(r.body.query).flatMap((n) => { const t = (n['term'] as Record<string, { value: string }> | undefined)?.['winlog.channel']; return t ? [t.value] : []; });
    assert.deepEqual([...new Set(channels)].sort(), ['Microsoft-Windows-Sysmon/Operational', 'Security', 'System']);
    // Date math without a window, for showing the query: now less the settle lag.
    assert.ok(JSON.stringify(r.body.query).includes('"lt":"now-120s"'));
  });

  it('pushes the plan\'s where down (5140 opens of print$ and IPC$ only), in superset mode', () => {
    const text = JSON.stringify(pullRequest(plan, SETTINGS).body.query);
    assert.ok(/print\$/i.test(text), 'the 5140 share condition was not pushed down');
    assert.ok(text.includes('"_ignored"'), 'superset mode should keep values past ignore_above');
  });

  it('only names the Entra indexes when the plan pulls a table, and the Windows ones when it pulls a channel', () => {
    const windowsOnly = { sources: plan.sources.filter((s) => s.source.kind === 'windows') };
    const r = pullRequest(windowsOnly, SETTINGS);
    assert.ok(!r.index.some((i) => i.startsWith('logs-azure')));
    const cloudOnly = { sources: plan.sources.filter((s) => s.source.kind === 'cloud') };
    assert.deepEqual(pullRequest(cloudOnly, SETTINGS).index, [...DEFAULT_ENTRA_INDEXES]);
    assert.throws(() => pullRequest({ sources: [] }, SETTINGS), DslValueError);
  });

  it('counts per channel × event.code and per Entra table over the last N days of event time, returning no hits', () => {
    const r = coverageRequest(plan, SETTINGS, 7);
    assert.equal(r.body.size, 0);
    const aggs = r.body.aggs as Record<string, { terms?: { field: string; size: number }; aggs?: Record<string, { terms: { field: string; size: number } }>; filter?: unknown }>;
    assert.equal(aggs['by_channel']?.terms?.field, 'winlog.channel');
    assert.equal(aggs['by_channel']?.aggs?.['by_code']?.terms.field, 'event.code');
    const ids = plan.sources.reduce((n, s) => n + (s.source.kind === 'windows' ? s.source.eventIds.length : 0), 0);
    assert.ok((aggs['by_channel']?.aggs?.['by_code']?.terms.size ?? 0) >= ids, 'the code buckets could be cut off');
    assert.ok(aggs['sign_ins']?.filter && aggs['audits']?.filter);
    assert.ok(JSON.stringify(r.body.query).includes('"gte":"now-7d"'));
    assert.throws(() => coverageRequest(plan, SETTINGS, 0), DslValueError);
  });

  it('refuses index patterns and sizes that would change the request', () => {
    for (const bad of ['logs-*,secret-*', 'logs/../_security', 'Logs-x', '-logs-x', 'a b', '_all', '']) assert.throws(() => checkIndexPattern(bad), DslValueError, bad);
    for (const ok of ['logs-system.security-*', 'winlogbeat-8.*', 'remote:logs-windows.forwarded-*', '.ds-logs-x-2026.01.01-000001']) assert.equal(checkIndexPattern(ok), ok);
    assert.throws(() => pullRequest(plan, { ...SETTINGS, windowsIndexes: ['logs-*,x'] }), DslValueError);
    assert.throws(() => pullRequest(plan, { ...SETTINGS, pageSize: 10_001 }), DslValueError);
    assert.throws(() => pullRequest(plan, { ...SETTINGS, settleSeconds: -1 }), DslValueError);
  });
});
