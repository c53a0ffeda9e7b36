import type { TokenCredential } from '@azure/identity';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import type { PullPlan } from '../../core/rules/pull-plan';
import { scrubSecrets } from '../../core/config/secret';
import { ProbeFailedError, type ChannelCount, type ProbeCheck, type ProbeOptions, type ProbeReport } from '../platform';
import { LogAnalyticsQueryError, SentinelAuthError } from './errors';
import { coverageQuery, TABLE_COLUMN, type PullSettings } from './pull-query';
import { queryError, rowsOf } from './source';

/**
 * `tierzero doctor --config` on Sentinel: every step `tierzero run`'s pull depends on, each
 * failure naming the setting to fix — a token for Log Analytics from the configured credential,
 * then read access to the workspace — and then one pushed-down count (pull-query.ts
 * `coverageQuery`) of the events the pull would read, per table, channel and EventID, over the
 * last `days` days. The config section is az-sink's (config.ts); this takes what it resolves.
 */
export interface SentinelProbeSettings {
  readonly credential: TokenCredential;
  readonly workspaceId: string;
  readonly endpoint?: string;
  readonly tables: PullSettings;
  readonly clock: () => number;
  /** The config keys to name in a failure (`sentinel.clientSecretEnv (TZ_SECRET)`, `sentinel.workspaceId`). */
  readonly credentialSetting: string;
  readonly workspaceSetting: string;
  readonly clientOptions?: Record<string, unknown>;
}

export const LOG_ANALYTICS_SCOPE = 'https://api.loganalytics.io/.default';

export async function probeSentinel(s: SentinelProbeSettings, plan: PullPlan, o: ProbeOptions): Promise<ProbeReport> {
  const checks: ProbeCheck[] = [];
  try {
    const token = await s.credential.getToken(LOG_ANALYTICS_SCOPE);
    if (!token) throw new Error('the credential returned no token');
    checks.push({ setting: s.credentialSetting, status: 'ok', detail: `token for Log Analytics, valid until ${new Date(token.expiresOnTimestamp).toISOString()}` });
  } catch (e) {
    throw new ProbeFailedError(s.credentialSetting, `could not get a token for Log Analytics: ${scrubSecrets(e instanceof Error ? e.message : String(e))}`);
  }
  const client = new LogsQueryClient(s.credential, { endpoint: s.endpoint ?? 'https://api.loganalytics.io/v1', retryOptions: { maxRetries: 1 }, ...(s.clientOptions ?? {}) });
  const until = s.clock();
  const since = until - o.days * 86_400_000;
  const query = coverageQuery(plan, s.tables, since, until);
  let result: Awaited<ReturnType<LogsQueryClient['queryWorkspace']>>;
  try {
    result = await client.queryWorkspace(s.workspaceId, query, { startTime: new Date(since), endTime: new Date(until) });
  } catch (e) {
    const err = queryError(e, s.workspaceId);
    if (err instanceof SentinelAuthError) throw new ProbeFailedError(/may not read/.test(err.message) ? s.workspaceSetting : s.credentialSetting, err.message);
    if (err instanceof LogAnalyticsQueryError && err.status === 404) throw new ProbeFailedError(s.workspaceSetting, err.message);
    throw err;
  }
  const tables = result.status === LogsQueryResultStatus.Success ? result.tables : result.partialTables;
  checks.push({ setting: s.workspaceSetting, status: 'ok', detail: `workspace ${s.workspaceId} readable` });
  if (result.status === LogsQueryResultStatus.PartialFailure) {
    checks.push({ setting: s.workspaceSetting, status: 'warn', detail: `the count came back partial (${result.partialError.code ?? 'PartialError'}: ${result.partialError.message ?? ''}); the counts below may be low` });
  }
  const perTable = new Map<string, number>();
  const merged = new Map<string, ChannelCount>();
  for (const r of rowsOf(tables)) {
    const table = String(r[TABLE_COLUMN] ?? '');
    const channel = String(r['Channel'] ?? '');
    const eventId = Number(r['EventID'] ?? 0);
    const count = Number(r['Count'] ?? 0);
    perTable.set(table, (perTable.get(table) ?? 0) + count);
    const key = `${channel.toLowerCase()}\u0000${eventId}`;
    const prev = merged.get(key);
    merged.set(key, { channel: prev?.channel ?? channel, eventId, count: (prev?.count ?? 0) + count });
  }
  const read = [...new Set([...s.tables.windowsTables, ...(plan.sources.some((p) => p.source.kind === 'cloud' && p.source.table === 'SigninLogs') ? s.tables.signInTables : []), ...(plan.sources.some((p) => p.source.kind === 'cloud' && p.source.table === 'AuditLogs') ? ['AuditLogs'] : [])])];
  for (const t of read) {
    const n = perTable.get(t) ?? 0;
    checks.push({ setting: `${s.workspaceSetting} (${t})`, status: n > 0 ? 'ok' : 'warn', detail: n > 0 ? `${n} events tierzero reads in the last ${o.days} days` : `no events tierzero reads in the last ${o.days} days: is the connector that fills ${t} on?` });
  }
  const counts = [...merged.values()].sort((a, b) => a.channel.localeCompare(b.channel) || a.eventId - b.eventId);
  return { platform: 'sentinel', checks, counts, query, since: new Date(since).toISOString(), until: new Date(until).toISOString() };
}
