import type { Client, estypes } from '@elastic/elasticsearch';
import type { PullPlan } from '../../core/rules/pull-plan';
import { scrubSecrets } from '../../core/config/secret';
import { ProbeFailedError, type ChannelCount, type ProbeCheck, type ProbeReport } from '../platform';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from '../http/retry';
import { describeEsError } from './errors';
import { COVERAGE_AGGS, coverageRequest, planIndexes, type ElasticSearchSettings } from './pull-query';

/**
 * `tierzero doctor --config` on Elasticsearch, pull side: each step `tierzero run` depends on,
 * each failure naming the setting to fix — the node (`url`), the credential, read access to
 * the index patterns — then one pushed-down aggregation of the events the pull would read,
 * per `winlog.channel` × `event.code` (and per Entra table) over the last `days` days.
 *
 * Connectivity is `GET _cluster/health`, not `GET /`: the root endpoint is a separate REST
 * handler some deployments and distributions leave out (the integ-test node answers it 405),
 * while every node serves cluster health. Who the credential is comes from
 * `_security/_authenticate`; a cluster without security answers it with an error that says
 * so, which is reported as a warning (nothing to check), not a failure.
 */
export interface ElasticProbeOptions {
  readonly client: Client;
  readonly plan: PullPlan;
  readonly settings: ElasticSearchSettings;
  readonly days: number;
  readonly clock: () => number;
  readonly policy: RetryPolicy;
  /** Config keys named in failures, as es-sink's config spells them. */
  readonly keys: { readonly url: string; readonly auth: string; readonly windowsIndexes: string; readonly entraIndexes: string };
  /** Where the node is, for messages (origin only: never credentials). */
  readonly origin: string;
}

export async function probeElastic(o: ElasticProbeOptions): Promise<ProbeReport> {
  const checks: ProbeCheck[] = [];
  const health = await call(o, () => o.client.cluster.health({}, { maxRetries: 0 })).catch((e: unknown) => { throw failure(o, e, o.keys.url, `cannot reach Elasticsearch at ${o.origin}`); });
  checks.push({ setting: o.keys.url, status: health.status === 'red' ? 'warn' : 'ok', detail: `cluster ${health.cluster_name} at ${o.origin}, status ${health.status}, ${health.number_of_nodes} node(s)` });
  checks.push(await authCheck(o));
  const indexes = planIndexes(o.plan, o.settings);
  const priv = await privilegeCheck(o, indexes);
  if (priv) checks.push(priv);
  const until = o.clock();
  const since = until - o.days * 86_400_000;
  const req = coverageRequest(o.plan, o.settings, o.days);
  const res = await call(o, () => o.client.search({ index: req.index, ...req.body, ignore_unavailable: true, allow_no_indices: true }, { maxRetries: 0 }))
    .catch((e: unknown) => { throw failure(o, e, o.keys.windowsIndexes, 'the coverage count failed'); });
  const counts = coverageCounts(o.plan, res);
  checks.push(await ingestedCheck(o, req.index));
  return {
    platform: 'elastic', checks, counts,
    query: `POST /${req.index.join(',')}/_search\n${JSON.stringify(req.body)}`,
    since: new Date(since).toISOString(), until: new Date(until).toISOString(),
  };
}

/** Aggregation buckets → counts, with the plan's own channel spelling (forwarders may write `security`). */
export function coverageCounts(plan: PullPlan, res: estypes.SearchResponse): ChannelCount[] {
  const channels = new Map<string, string>();
  for (const s of plan.sources) if (s.source.kind === 'windows') channels.set(s.source.channel.toLowerCase(), s.source.channel);
  const out = new Map<string, ChannelCount>();
  const add = (channel: string, eventId: number, count: number): void => {
    const key = `${channel.toLowerCase()}:${eventId}`;
    const had = out.get(key);
    out.set(key, { channel: channels.get(channel.toLowerCase()) ?? channel, eventId, count: (had?.count ?? 0) + count });
  };
  const aggs = (res.aggregations ?? {}) as Record<string, { buckets?: { key: unknown; doc_count: number; [k: string]: unknown }[]; doc_count?: number }>;
  for (const b of aggs[COVERAGE_AGGS.channel]?.buckets ?? []) {
    const codes = (b[COVERAGE_AGGS.code] as { buckets?: { key: unknown; doc_count: number }[] } | undefined)?.buckets ?? [];
    for (const c of codes) {
      const id = Number(c.key);
      if (Number.isInteger(id)) add(String(b.key), id, c.doc_count);
    }
  }
  const signIns = aggs[COVERAGE_AGGS.signIns]?.doc_count;
  if (signIns !== undefined) add('SigninLogs', 0, signIns);
  const audits = aggs[COVERAGE_AGGS.audits]?.doc_count;
  if (audits !== undefined) add('AuditLogs', 0, audits);
  return [...out.values()];
}

async function authCheck(o: ElasticProbeOptions): Promise<ProbeCheck> {
  try {
    const who = await call(o, () => o.client.security.authenticate({}, { maxRetries: 0 }));
    const realm = who.authentication_realm?.name;
    const key = who.api_key?.name ?? who.api_key?.id;
    return { setting: o.keys.auth, status: 'ok', detail: `authenticated as ${who.username}${key ? ` (API key ${key})` : ''}${realm ? ` via realm ${realm}` : ''}` };
  } catch (e) {
    const d = describeEsError(e);
    if (d.status === 401) throw new ProbeFailedError(o.keys.auth, `Elasticsearch refused the credential (HTTP 401: ${scrubSecrets(d.detail)})`);
    if (d.status === 403) throw new ProbeFailedError(o.keys.auth, `the credential may not call _security/_authenticate (HTTP 403: ${scrubSecrets(d.detail)})`);
    // Security disabled (or the endpoint missing): the node answers 4xx/5xx naming it.
    if (/security.*(not enabled|disabled|must be explicitly enabled)|no handler found|unsupported|invalid_index_name|illegal_argument/i.test(d.detail) || d.status === 400 || d.status === 404 || d.status === 405 || d.status === 500) {
      return { setting: o.keys.auth, status: 'warn', detail: `security is not enabled on this cluster (${scrubSecrets(d.detail).slice(0, 200)}): no credential was checked` };
    }
    throw failure(o, e, o.keys.auth, 'the authentication check failed');
  }
}

/** `read` on every pattern the pull names (`_security/user/_has_privileges`); skipped without security. */
async function privilegeCheck(o: ElasticProbeOptions, indexes: readonly string[]): Promise<ProbeCheck | undefined> {
  try {
    const r = await call(o, () => o.client.security.hasPrivileges({ index: [{ names: [...indexes], privileges: ['read', 'view_index_metadata'] }] }, { maxRetries: 0 }));
    const lacking = Object.entries(r.index).filter(([, p]) => !p['read']).map(([i]) => i);
    if (lacking.length) throw new ProbeFailedError(o.keys.windowsIndexes, `the credential lacks the read privilege on ${lacking.join(', ')} (grant read and view_index_metadata on the source patterns)`);
    return { setting: o.keys.windowsIndexes, status: 'ok', detail: `read granted on ${indexes.join(', ')}` };
  } catch (e) {
    if (e instanceof ProbeFailedError) throw e;
    return undefined;
  }
}

/** Documents without `event.ingested` are outside every pull window (Winlogbeat 7 without its ingest pipelines sets none). */
async function ingestedCheck(o: ElasticProbeOptions, index: string[]): Promise<ProbeCheck> {
  const r = await call(o, () => o.client.count({
    index, ignore_unavailable: true, allow_no_indices: true,
    query: { bool: { filter: [{ range: { '@timestamp': { gte: `now-${o.days}d` } } }], must_not: [{ exists: { field: 'event.ingested' } }] } },
  }, { maxRetries: 0 }));
  if (r.count === 0) return { setting: o.keys.windowsIndexes, status: 'ok', detail: 'every event of the period carries event.ingested' };
  return { setting: o.keys.windowsIndexes, status: 'warn', detail: `${r.count} events of the last ${o.days} days have no event.ingested and will never be pulled: route the shipper through an ingest pipeline that sets it (Elastic's own integrations do)` };
}

function call<T>(o: ElasticProbeOptions, send: () => Promise<T>): Promise<T> {
  return withRetry<T>(o.policy, async () => {
    try {
      return { done: await send() };
    } catch (e) {
      const d = describeEsError(e);
      if (d.status !== undefined && isRetryableStatus(d.status)) {
        const after = retryAfterMs((e as { meta?: { headers?: Record<string, unknown> } }).meta?.headers?.['retry-after'], o.clock());
        return { retry: e as Error, ...(after === undefined ? {} : { retryAfterMs: after }) };
      }
      throw e;
    }
  });
}

function failure(o: ElasticProbeOptions, e: unknown, setting: string, what: string): unknown {
  if (e instanceof ProbeFailedError) return e;
  const d = describeEsError(e);
  if (d.status === 401) return new ProbeFailedError(o.keys.auth, `Elasticsearch refused the credential (HTTP 401: ${scrubSecrets(d.detail)})`);
  if (d.status === 403) return new ProbeFailedError(o.keys.auth, `the credential lacks a privilege (HTTP 403: ${scrubSecrets(d.detail)})`);
  return new ProbeFailedError(setting, `${what}: ${d.status === undefined ? '' : `HTTP ${d.status}: `}${scrubSecrets(d.detail)}`);
}
