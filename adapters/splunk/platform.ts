import type { PullPlan } from '../../core/rules/pull-plan';
import type { PlatformDeps, PlatformPass } from '../platform';
import { ALERT_SOURCETYPE } from './alert-event';
import { resolveSplunkSettings, type SplunkSettings } from './config';
import { SourceAuthError, SplunkRequestError } from './errors';
import type { SplunkResult } from './field-map';
import { HecSink } from './hec-sink';
import { KvScoreSink, splunkSink } from './kv-score-sink';
import { KvStateStore } from './kv-state-store';
import { retryPolicy, type RetryPolicy } from '../http/retry';
import { SplunkSession, type Credentials } from './sdk';
import { readSecret, Secret, SecretUnavailableError } from '../secret';
import { SplunkSource } from './source';
import { splCompiler } from './compiler';
import { compileIndexedAlertsSearch } from './spl';

/** Splunk's dependencies: the shared ones, plus a retry policy tests can shorten. */
export interface SplunkDeps extends PlatformDeps {
  readonly policy?: Partial<RetryPolicy>;
}

/**
 * Everything `tierzero run` needs for one pass on Splunk, built from the `splunk` config
 * section: a logged-in session, the pushed-down source, the HEC sink (alerts), the KV store
 * score sink and the KV store state.
 */
export type { PlatformPass };

export async function openSplunk(section: unknown, configDir: string, plan: PullPlan, deps: SplunkDeps): Promise<PlatformPass> {
  const settings = resolveSplunkSettings(section, configDir);
  const policy = retryPolicy(settings.maxAttempts, deps.policy);
  const session = new SplunkSession(settings, await credentials(settings, deps), policy);
  await session.connect();
  deps.log({ level: 'info', msg: 'connected to Splunk', url: settings.url.origin, version: session.serverVersion, export: session.exportPath });
  const source = new SplunkSource({
    session, search: splCompiler.pull(plan, settings.search), settings: settings.search, policy,
    clock: deps.clock, timeoutMs: settings.timeoutMs, log: deps.log,
  });
  const sink = new HecSink({
    settings: settings.hec, token: await hecToken(settings, session, deps), policy, clock: deps.clock, timeoutMs: settings.timeoutMs, log: deps.log,
    ...(settings.hec.skipIndexed ? { alreadyIndexed: (ids: readonly string[]) => indexedAlerts(session, settings, ids, deps) } : {}),
  });
  const scores = new KvScoreSink({ session, log: deps.log });
  const store = new KvStateStore({ session, ...settings.state, clock: deps.clock, log: deps.log });
  return {
    source, sink: splunkSink(sink, scores), store,
    stats: () => ({ ...source.stats, stateStore: store.mode, hec: sink.stats, scores: scores.stats }),
    close: () => {
      session.close();
      sink.close();
    },
  };
}

export async function credentials(s: SplunkSettings, deps: SplunkDeps): Promise<Credentials> {
  try {
    if (s.auth.kind === 'password') return { password: await readSecret(s.auth.password, `Splunk password for ${s.auth.username}`, deps.env) };
    if (s.auth.kind === 'token') return { token: await readSecret(s.auth.token, 'Splunk authentication token', deps.env) };
    const line = (await deps.readStdin()).split(/\r?\n/)[0]?.trim() ?? '';
    // splunkd writes the bare key; some versions prefix it with `sessionKey=`.
    const key = line.replace(/^sessionKey=/, '');
    if (key === '') throw new SecretUnavailableError('splunk.sessionKeyFromStdin is set, but nothing was written to stdin: set passAuth in inputs.conf');
    return { sessionKey: new Secret(decodeURIComponent(key), 'stdin (passAuth)') };
  } catch (e) {
    if (e instanceof SecretUnavailableError) throw new SourceAuthError(e.message);
    throw e;
  }
}

/** The HEC token from env/file, or from the app's credential store (realm = app id). */
export async function hecToken(s: SplunkSettings, session: SplunkSession, deps: SplunkDeps): Promise<Secret> {
  const t = s.hec.token;
  try {
    if (!('storagePassword' in t)) return await readSecret(t, 'HEC token', deps.env);
  } catch (e) {
    if (e instanceof SecretUnavailableError) throw new SourceAuthError(e.message);
    throw e;
  }
  const name = `${s.app}:${t.storagePassword}:`;
  const res = await session.call({ method: 'GET', path: `storage/passwords/${encodeURIComponent(name)}` });
  const value = (res.data as { entry?: { content?: { clear_password?: unknown } }[] } | undefined)?.entry?.[0]?.content?.clear_password;
  if (res.status === 404 || typeof value !== 'string' || value === '') {
    throw new SourceAuthError(`no HEC token in storage/passwords as ${name} (app ${s.app}): store it there, or use hec.tokenEnv/tokenFile; the reading account needs list_storage_passwords`);
  }
  return new Secret(value, `storage/passwords ${name}`);
}

/** Which alert ids Splunk already holds (a pass redone after a crash between HEC ack and commit). */
async function indexedAlerts(session: SplunkSession, s: SplunkSettings, ids: readonly string[], deps: PlatformDeps): Promise<ReadonlySet<string>> {
  const found = new Set<string>();
  try {
    for (let i = 0; i < ids.length; i += 500) {
      const search = compileIndexedAlertsSearch(s.hec.index, ALERT_SOURCETYPE, ids.slice(i, i + 500));
      const res = await session.call({
        method: 'POST', path: session.exportPath,
        form: { search, output_mode: 'json', earliest_time: '0', index_earliest: String(Math.floor(deps.clock() / 1000) - 7 * 86_400) },
      });
      for (const r of exportRows(res.data)) {
        const id = r['alert_id'];
        if (typeof id === 'string') found.add(id);
      }
    }
  } catch (e) {
    if (e instanceof SourceAuthError) throw e;
    // The check only saves duplicates that the app's searches also remove: do not fail the pass on it.
    deps.log({ level: 'warn', msg: 'could not check which alerts Splunk already holds; sending all', error: e instanceof SplunkRequestError ? e.message : String(e) });
  }
  return found;
}

/** A small export answer, read whole: one JSON row per line (or parsed already when it was one line). */
export function exportRows(data: unknown): SplunkResult[] {
  const lines = typeof data === 'string' ? data.split('\n') : [JSON.stringify(data ?? {})];
  const rows: SplunkResult[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const doc = JSON.parse(line) as { preview?: boolean; result?: SplunkResult };
    if (doc.preview !== true && doc.result) rows.push(doc.result);
  }
  return rows;
}
