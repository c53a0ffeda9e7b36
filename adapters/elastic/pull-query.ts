import type { estypes } from '@elastic/elasticsearch';
import type { PullPlan, PullSource } from '../../core/rules/pull-plan';
import type { RuleParams } from '../../core/rules/evaluate';
import { asQuery, predicateQuery, sourceFilter, type EsQuery } from './dsl';
import { DslValueError } from './errors';
import { sourceFields } from './field-map';

/**
 * The pull plan (core/rules/pull-plan.ts) as Elasticsearch search bodies: what `tierzero run`
 * pages through with a point in time, and what `doctor --config` counts. One filter serves
 * both, so doctor measures exactly what a pass would pull.
 */
export interface ElasticSearchSettings {
  /** Index patterns holding Windows events (Agent data streams, Winlogbeat indexes). */
  readonly windowsIndexes: readonly string[];
  /** Index patterns holding Entra sign-ins and audit records (the Azure integration). */
  readonly entraIndexes: readonly string[];
  /** The config lists a plan's `where` may name (`in_setting`: honeytokens). */
  readonly lists: RuleParams['settings'];
  /** Documents indexed less than this long ago are left for the next pass (refresh, ingest-node clock skew). */
  readonly settleSeconds: number;
  /** Hits per page (`size`); bounded memory is one page plus the ids at one `event.ingested` instant. */
  readonly pageSize: number;
}

/**
 * Where Elastic's own shippers write Windows and Entra events. The issue names the System
 * integration's security stream, the Windows integration's forwarded stream and Winlogbeat;
 * the System channel and Sysmon have data streams of their own in the same integrations
 * (`logs-system.system-*`, `logs-windows.sysmon_operational-*`; elastic/integrations
 * packages/system, packages/windows), and the plan pulls from both channels.
 */
export const DEFAULT_WINDOWS_INDEXES: readonly string[] = [
  'logs-system.security-*', 'logs-system.system-*', 'logs-windows.forwarded-*', 'logs-windows.sysmon_operational-*', 'winlogbeat-*',
];
export const DEFAULT_ENTRA_INDEXES: readonly string[] = ['logs-azure.signinlogs-*', 'logs-azure.auditlogs-*'];

/** A pull window on `event.ingested`: from the checkpoint (inclusive or not) to now less the settle lag (exclusive). */
export interface IngestWindow {
  readonly from?: { readonly value: string; readonly inclusive: boolean };
  readonly to: string;
}

/** The sort every pull pages in: ingest time, then event time (the engine's order within an instant), then the PIT's tiebreak. */
export const PULL_SORT: estypes.Sort = [
  // `format` makes the sort value a string at the field's own precision (ms for `date`, ns for `date_nanos`): exact in JSON.
  { 'event.ingested': { order: 'asc', format: 'strict_date_optional_time_nanos' } },
  { '@timestamp': { order: 'asc', format: 'strict_date_optional_time_nanos', unmapped_type: 'date' } },
  { _shard_doc: 'asc' },
];

export interface PullRequest {
  /** The index patterns (for `openPointInTime`; a PIT search names none). */
  readonly index: string[];
  readonly body: estypes.SearchRequest;
}

/** The indexes the plan reads: the Windows patterns if it pulls a channel, the Entra ones if a table. */
export function planIndexes(plan: PullPlan, s: ElasticSearchSettings): string[] {
  const out: string[] = [];
  if (plan.sources.some((p) => p.source.kind === 'windows')) out.push(...s.windowsIndexes);
  if (plan.sources.some((p) => p.source.kind === 'cloud')) out.push(...s.entraIndexes);
  for (const i of out) checkIndexPattern(i);
  if (out.length === 0) throw new DslValueError('no enabled detector needs any event: nothing to search for');
  return [...new Set(out)];
}

/**
 * Index names are path segments and comma-separated lists in the REST API: a name with `,`,
 * `/`, spaces or `#` would change the request, so only Elasticsearch's own index-name
 * characters (and `*` for patterns, `:` for remote clusters) are accepted.
 */
export function checkIndexPattern(name: string): string {
  if (!/^(?:[a-z0-9_*][a-z0-9_.*-]*:)?[a-z0-9_*][a-z0-9_.*+-]*$/.test(name) || name.length > 255) {
    throw new DslValueError(`refusing ${JSON.stringify(name)} as an index pattern (lower-case letters, digits, _ - . + * only)`);
  }
  return name;
}

/**
 * Which documents the plan wants: per source, its channel and `event.code`s (or Entra table)
 * and its `where` pushed down. The `where` compiles in `superset` mode — a node the DSL cannot
 * say exactly is relaxed, and values too long for `ignore_above` are kept — because the pull
 * plan's condition may only ever leave out events no use reads.
 */
export function planFilter(plan: PullPlan, s: ElasticSearchSettings): EsQuery {
  const per = plan.sources.map((p) => sourceClause(p, s));
  if (per.length === 0) throw new DslValueError('no enabled detector needs any event: nothing to search for');
  return per.length === 1 ? (per[0] as EsQuery) : { bool: { should: per, minimum_should_match: 1 } };
}

function sourceClause(p: PullSource, s: ElasticSearchSettings): EsQuery {
  const base = sourceFilter(p.source);
  if (!p.where) return base;
  // Winlogbeat 7 moved some logon fields (field-map.ts): the paths depend on the EventID, so ids are split by them.
  if (p.source.kind === 'windows') {
    const byPaths = new Map<string, number[]>();
    for (const id of p.source.eventIds) {
      const q = JSON.stringify(predicateQuery(p.where, { kind: 'windows', channel: p.source.channel, eventId: id }, { settings: s.lists, mode: 'superset' }));
      byPaths.set(q, [...(byPaths.get(q) ?? []), id]);
    }
    const clauses = [...byPaths].map(([q, ids]) => ({ bool: { filter: [sourceFilter({ ...p.source, eventIds: ids } as PullSource['source']), JSON.parse(q) as EsQuery] } }));
    return clauses.length === 1 ? (clauses[0] as EsQuery) : { bool: { should: clauses, minimum_should_match: 1 } };
  }
  return { bool: { filter: [base, asQuery(predicateQuery(p.where, { kind: 'cloud', table: p.source.table }, { settings: s.lists, mode: 'superset' }))] } };
}

function ingestRange(w: IngestWindow): EsQuery {
  const range: Record<string, string> = { lt: w.to, format: 'strict_date_optional_time_nanos' };
  if (w.from) range[w.from.inclusive ? 'gte' : 'gt'] = w.from.value;
  return { range: { 'event.ingested': range } };
}

/**
 * The pull's search body for one window: the plan's filter, the `event.ingested` range,
 * `_source` cut to the fields the field map reads for the plan, the pull sort, no total count.
 * Without a window it reads from the beginning to now less the settle lag (date math, for
 * showing the query; a pass always gives absolute bounds).
 */
export function pullRequest(plan: PullPlan, settings: ElasticSearchSettings, window?: IngestWindow): PullRequest {
  if (!Number.isSafeInteger(settings.pageSize) || settings.pageSize < 1 || settings.pageSize > 10_000) throw new DslValueError(`pageSize ${settings.pageSize} is outside 1–10000 (index.max_result_window)`);
  if (!Number.isSafeInteger(settings.settleSeconds) || settings.settleSeconds < 0) throw new DslValueError(`settleSeconds ${settings.settleSeconds} must be a whole number ≥ 0`);
  const w = window ?? { to: `now-${settings.settleSeconds}s` };
  return {
    index: planIndexes(plan, settings),
    body: {
      size: settings.pageSize,
      query: { bool: { filter: [ingestRange(w), planFilter(plan, settings)] } },
      _source: { includes: sourceFields(plan) },
      sort: PULL_SORT,
      track_total_hits: false,
    },
  };
}

/** The aggregation names in a coverage response. */
export const COVERAGE_AGGS = { channel: 'by_channel', code: 'by_code', signIns: 'sign_ins', audits: 'audits' } as const;

/**
 * `doctor --config`'s count: the pull's own filter over the last `days` days of event time
 * (`@timestamp`), counted per `winlog.channel` × `event.code` in one pushed-down `terms`
 * aggregation (size 0: no hits come back), plus a filter count per Entra table. The terms
 * sizes cover every planned channel and code, so no bucket is cut off.
 */
export function coverageRequest(plan: PullPlan, settings: ElasticSearchSettings, days: number): PullRequest {
  if (!Number.isSafeInteger(days) || days < 1 || days > 3650) throw new DslValueError(`days ${days} must be a whole number of days, 1–3650`);
  const codes = plan.sources.reduce((n, p) => n + (p.source.kind === 'windows' ? p.source.eventIds.length : 0), 0);
  const channels = new Set(plan.sources.flatMap((p) => (p.source.kind === 'windows' ? [p.source.channel.toLowerCase()] : []))).size;
  const cloud = plan.sources.filter((p) => p.source.kind === 'cloud');
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = {};
  if (channels > 0) {
    aggs[COVERAGE_AGGS.channel] = {
      // Agent writes `Security`, forwarders sometimes `security`: a few more buckets than channels.
      terms: { field: 'winlog.channel', size: channels * 4 + 10 },
      aggs: { [COVERAGE_AGGS.code]: { terms: { field: 'event.code', size: codes + 10 } } },
    };
  }
  for (const c of cloud) {
    if (c.source.kind !== 'cloud') continue;
    aggs[c.source.table === 'SigninLogs' ? COVERAGE_AGGS.signIns : COVERAGE_AGGS.audits] = { filter: sourceFilter(c.source) };
  }
  return {
    index: planIndexes(plan, settings),
    body: {
      size: 0,
      track_total_hits: true,
      query: { bool: { filter: [{ range: { '@timestamp': { gte: `now-${days}d` } } }, planFilter(plan, settings)] } },
      aggs,
    },
  };
}
