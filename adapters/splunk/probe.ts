import { randomUUID } from 'node:crypto';
import type { PullPlan } from '../../core/rules/pull-plan';
import { ProbeFailedError, type ChannelCount, type ProbeCheck, type ProbeOptions, type ProbeReport } from '../platform';
import { retryPolicy } from '../http/retry';
import { resolveSplunkSettings, type SplunkSettings } from './config';
import { SourceAuthError, SplunkRequestError } from './errors';
import { HttpClient, TransportError } from './http';
import { credentials, exportRows, hecToken, type SplunkDeps } from './platform';
import { SplunkSession } from './sdk';
import type { SecretSource } from '../secret';
import { splCompiler } from './compiler';
import { ENTRA_SOURCETYPE, WINDOWS_SOURCE_PREFIXES } from './spl';

/**
 * `tierzero doctor --config` on Splunk: every step `tierzero run` depends on, in the order it
 * needs them, each failure naming the setting to fix — the management port (`splunk.url`), the
 * credential, HEC and its token, the KV store — then one pushed-down count of the events the
 * pull search would read, per channel and EventID, over the last `days` days.
 */
export async function probeSplunk(section: unknown, configDir: string, plan: PullPlan, deps: SplunkDeps, o: ProbeOptions): Promise<ProbeReport> {
  const s = resolveSplunkSettings(section, configDir);
  // Doctor answers a person waiting at a terminal: fewer, shorter retries than a scheduled pass.
  const policy = retryPolicy(Math.min(s.maxAttempts, 2), { maxRetryAfterMs: 10_000, ...deps.policy });
  const auth = authSetting(s);
  const creds = await credentials(s, deps).catch((e: unknown) => { throw e instanceof SourceAuthError ? new ProbeFailedError(auth, e.message) : e; });
  const session = new SplunkSession(s, creds, policy);
  const checks: ProbeCheck[] = [];
  try {
    await session.connect().catch((e: unknown) => { throw connectError(e, s, auth); });
    checks.push({ setting: 'splunk.url', status: 'ok', detail: `Splunk ${session.serverVersion} at ${s.url.origin}` });
    checks.push({ setting: auth, status: 'ok', detail: s.auth.kind === 'password' ? `logged in as ${s.auth.username}` : 'accepted' });
    checks.push(await checkHec(s, session, deps));
    checks.push(await checkKvStore(s, session));
    const until = deps.clock();
    const since = until - o.days * 86_400_000;
    const query = splCompiler.coverage(plan, s.search);
    const res = await session.call({
      method: 'POST', path: session.exportPath,
      form: { search: query, output_mode: 'json', earliest_time: String(Math.floor(since / 1000)), latest_time: String(Math.floor(until / 1000)) },
    }).catch((e: unknown) => { throw searchError(e, s); });
    return { platform: 'splunk', checks, counts: merge(exportRows(res.data).map(channelCount)), query, since: new Date(since).toISOString(), until: new Date(until).toISOString() };
  } finally {
    session.close();
  }
}

/** The key that holds the credential in use, so the message says what to change. */
function authSetting(s: SplunkSettings): string {
  if (s.auth.kind === 'password') return secretKey('splunk.password', s.auth.password);
  if (s.auth.kind === 'token') return secretKey('splunk.token', s.auth.token);
  return 'splunk.sessionKeyFromStdin';
}

function secretKey(prefix: string, source: SecretSource): string {
  return 'env' in source ? `${prefix}Env (${source.env})` : `${prefix}File (${source.file})`;
}

function connectError(e: unknown, s: SplunkSettings, auth: string): unknown {
  if (e instanceof TransportError) return new ProbeFailedError('splunk.url', `cannot reach the management port at ${s.url.origin}: ${e.message}`);
  if (e instanceof SourceAuthError) return new ProbeFailedError(auth, e.message);
  if (e instanceof SplunkRequestError) return new ProbeFailedError('splunk.url', e.message);
  return e;
}

/** HEC accepts the token: an empty POST is refused with code 5 "No data" for a valid token, 4 "Invalid token" otherwise. */
async function checkHec(s: SplunkSettings, session: SplunkSession, deps: SplunkDeps): Promise<ProbeCheck> {
  const t = s.hec.token;
  const setting = 'storagePassword' in t ? 'splunk.hec.tokenStoragePassword' : 'env' in t ? `splunk.hec.tokenEnv (${t.env})` : `splunk.hec.tokenFile (${t.file})`;
  const token = await hecToken(s, session, deps).catch((e: unknown) => { throw e instanceof SourceAuthError ? new ProbeFailedError(setting, e.message) : e; });
  const http = HttpClient.for(s.hec.url, s.hec.tls);
  try {
    const res = await http.send({
      method: 'POST', url: new URL('/services/collector/event', s.hec.url), body: '', timeoutMs: Math.min(s.timeoutMs, 30_000),
      headers: { authorization: `Splunk ${token.reveal()}`, 'x-splunk-request-channel': randomUUID() },
    });
    const code = hecCode(res.body);
    if (res.status === 401 || res.status === 403) throw new ProbeFailedError(setting, `HEC refused the token (HTTP ${res.status}${code === undefined ? '' : `, code ${code}`})`);
    if (res.status >= 500) throw new ProbeFailedError('splunk.hec.url', `HEC answered HTTP ${res.status}`);
    return { setting, status: 'ok', detail: `HEC at ${s.hec.url.origin} accepts the token` };
  } catch (e) {
    if (e instanceof TransportError) throw new ProbeFailedError('splunk.hec.url', `cannot reach HEC at ${s.hec.url.origin}: ${e.message}`);
    throw e;
  } finally {
    http.close();
  }
}

async function checkKvStore(s: SplunkSettings, session: SplunkSession): Promise<ProbeCheck> {
  const setting = 'splunk.state.collection';
  try {
    const res = await session.call({ method: 'GET', path: `storage/collections/config/${encodeURIComponent(s.state.collection)}` });
    if (res.status === 404) return { setting, status: 'warn', detail: `KV store collection ${s.state.collection} not found in app ${s.app}: state would go to ${s.state.fallbackFile}` };
    return { setting, status: 'ok', detail: `KV store collection ${s.state.collection} in app ${s.app}` };
  } catch (e) {
    if (e instanceof SplunkRequestError && e.status === 503) return { setting, status: 'warn', detail: `the KV store is unavailable (${e.message}): state would go to ${s.state.fallbackFile}` };
    throw e;
  }
}

function searchError(e: unknown, s: SplunkSettings): unknown {
  if (!(e instanceof SplunkRequestError)) return e;
  if (/macro/i.test(e.message)) {
    const setting = s.search.windowsIndexes === undefined ? 'splunk.search.windowsIndexes' : 'splunk.search.entraIndexes';
    return new ProbeFailedError(setting, `${e.message} — install the tierzero app in ${s.app}, or list the indexes in ${setting}`);
  }
  return new ProbeFailedError('splunk.search', e.message);
}

function channelCount(row: Record<string, unknown>): ChannelCount {
  const first = (v: unknown): string => String(Array.isArray(v) ? v[0] : v ?? '');
  const count = Number(first(row['count']));
  if (first(row['sourcetype']) === ENTRA_SOURCETYPE) return { channel: 'SigninLogs', eventId: 0, count };
  const source = first(row['source']);
  const prefix = WINDOWS_SOURCE_PREFIXES.find((p) => source.startsWith(`${p}:`));
  return { channel: prefix ? source.slice(prefix.length + 1) : source, eventId: Number(first(row['EventCode'])), count };
}

/** XML and classic rows of one channel and EventID add up. */
function merge(counts: readonly ChannelCount[]): ChannelCount[] {
  const out = new Map<string, ChannelCount>();
  for (const c of counts) {
    const key = `${c.channel.toLowerCase()}:${c.eventId}`;
    const had = out.get(key);
    out.set(key, had ? { ...had, count: had.count + c.count } : c);
  }
  return [...out.values()];
}

function hecCode(body: string): number | undefined {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}
