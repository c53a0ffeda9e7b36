import type { Client } from '@elastic/elasticsearch';
import type { PullPlan, PullSource } from '../../core/rules/pull-plan';
import type { Predicate } from '../../core/rules/tree';
import { ProbeFailedError, type PlatformDeps, type PlatformPass, type ProbeOptions, type ProbeReport } from '../platform';
import { retryPolicy, type RetryPolicy } from '../http/retry';
import { callElastic, elasticClient, type CallContext } from './client';
import { resolveElasticSettings, type ElasticSettings } from './config';
import { probeElastic } from './probe';
import type { ElasticSearchSettings } from './pull-query';
import { ElasticSink } from './sink';
import { ElasticAuthError } from './sink-errors';
import { ElasticSource } from './source';
import { ElasticStateStore } from './state-store';
import { ensureTemplates } from './templates';

/** Elastic's dependencies: the shared ones, plus a retry policy tests can shorten. */
export interface ElasticDeps extends PlatformDeps {
  readonly policy?: Partial<RetryPolicy>;
}

/**
 * Everything `tierzero run` needs for one pass on Elasticsearch, from the `elastic` config
 * section: one client (pinned 8.x, client.ts), the PIT + `search_after` source, the bulk sink
 * (alerts into `logs-tierzero.alert-<namespace>`, scores into the entity-risk index) and the
 * state document in `tierzero-state`.
 *
 * The first pass is `tierzero setup`: unless `installTemplates` is false, it puts the index
 * templates (templates.ts) and creates the risk and state indices before anything is written,
 * so every document takes the explicit mappings. `ensureTemplates` compares versions and
 * skips what is installed, so later passes pay two GETs per template and no write.
 */
export async function openElastic(section: unknown, configDir: string, plan: PullPlan, deps: ElasticDeps): Promise<PlatformPass> {
  const settings = resolveElasticSettings(section, configDir);
  const policy = retryPolicy(settings.maxAttempts, deps.policy);
  const ctx: CallContext = { policy, log: deps.log };
  const client = await elasticClient(settings, deps.env);
  try {
    const health = await callElastic(ctx, 'GET _cluster/health', () => client.cluster.health({}));
    deps.log({ level: 'info', msg: 'connected to Elasticsearch', url: settings.url.origin, cluster: health.cluster_name, status: health.status });
    if (settings.installTemplates) {
      const setup = await ensureTemplates(client, settings, ctx);
      if (setup.installed.length || setup.created.length) deps.log({ level: 'info', msg: 'installed the tierzero index templates', templates: setup.installed, indices: setup.created });
    }
  } catch (e) {
    await client.close();
    throw e;
  }
  return passOf(client, settings, plan, policy, ctx, deps);
}

function passOf(client: Client, settings: ElasticSettings, plan: PullPlan, policy: RetryPolicy, ctx: CallContext, deps: ElasticDeps): PlatformPass {
  const source = new ElasticSource({
    client, plan: pushablePlan(plan), settings: searchSettings(settings), policy, clock: deps.clock,
    initialLookbackMinutes: settings.search.initialLookbackMinutes, keepAlive: settings.search.pitKeepAlive, log: deps.log,
  });
  const sink = new ElasticSink({
    client, ctx, alertDataStream: settings.alertDataStream, namespace: settings.namespace, riskIndex: settings.riskIndex,
    maxDocs: settings.bulk.maxDocs, maxBytes: settings.bulk.maxBytes, clock: deps.clock,
  });
  const store = new ElasticStateStore({ client, index: settings.state.index, deploymentId: settings.state.deploymentId, ctx, clock: deps.clock });
  return {
    source, sink, store,
    stats: () => ({ ...source.stats, sink: sink.stats, state: store.stats }),
    close: () => {
      void client.close();
    },
  };
}

/** The source's search settings from the `elastic` section. */
export function searchSettings(s: ElasticSettings): ElasticSearchSettings {
  return {
    windowsIndexes: s.indices.windows, entraIndexes: s.indices.entra,
    // The section holds no decoy lists; pushablePlan leaves list conditions to the engine.
    lists: { honeytokens: [], directorySyncAccounts: [] },
    settleSeconds: s.search.settleSeconds, pageSize: s.search.pageSize,
  };
}

/**
 * The plan with every `where` that names a config list (`in_setting`) dropped. The pass's
 * source sees the `elastic` section only, not the detectors' lists (honeytokens), and an
 * `in_setting` over an empty list compiles to "match nothing" — which would silently drop the
 * events a decoy detector needs. Dropping the condition only pulls more (pull-plan.ts: a
 * consumer that cannot compile a predicate may pull the whole source); the engine still
 * applies it.
 */
export function pushablePlan(plan: PullPlan): PullPlan {
  return { sources: plan.sources.map((p): PullSource => (p.where && namesList(p.where) ? { source: p.source, fields: p.fields } : p)) };
}

function namesList(p: Predicate): boolean {
  if (p.op === 'in_setting') return true;
  if (p.op === 'and' || p.op === 'or') return p.of.some(namesList);
  if (p.op === 'not') return namesList(p.of);
  return false;
}

/** `tierzero doctor --config`: the pull side's checks (probe.ts), each failure naming the key to fix. */
export async function probeElasticSection(section: unknown, configDir: string, plan: PullPlan, deps: ElasticDeps, o: ProbeOptions): Promise<ProbeReport> {
  const s = resolveElasticSettings(section, configDir);
  const keys = { url: 'elastic.url', auth: authKey(s), windowsIndexes: 'elastic.indices.windows', entraIndexes: 'elastic.indices.entra' };
  // Doctor answers a person waiting at a terminal: fewer, shorter retries than a scheduled pass.
  const policy = retryPolicy(Math.min(s.maxAttempts, 2), { maxRetryAfterMs: 10_000, ...deps.policy });
  const client = await elasticClient(s, deps.env).catch((e: unknown) => { throw e instanceof ElasticAuthError ? new ProbeFailedError(keys.auth, e.message) : e; });
  try {
    return await probeElastic({ client, plan: pushablePlan(plan), settings: searchSettings(s), days: o.days, clock: deps.clock, policy, keys, origin: s.url.origin });
  } finally {
    await client.close();
  }
}

function authKey(s: ElasticSettings): string {
  if (s.auth.kind === 'none') return 'elastic (no credentials)';
  const src = s.auth.kind === 'apiKey' ? s.auth.apiKey : s.auth.password;
  const base = s.auth.kind === 'apiKey' ? 'elastic.apiKey' : 'elastic.password';
  return 'env' in src ? `${base}Env (${src.env})` : `${base}File (${src.file})`;
}
