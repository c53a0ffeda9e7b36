import type { TokenCredential } from '@azure/core-auth';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import type { PullPlan } from '../../core/rules/pull-plan';
import type { PlatformDeps, PlatformPass, ProbeOptions, ProbeReport } from '../platform';
import { readSecret, SecretUnavailableError } from '../secret';
import { resolveSentinelSettings, type SentinelSettings } from './config';
import { clientOptions, CredentialUnavailableError, sentinelCredential, type AzureClientOptions } from './credentials';
import { IngestionClient } from './ingestion-client';
import { probeSentinel } from './probe';
import { DEFAULT_PULL_SETTINGS } from './pull-query';
import { SentinelSink } from './sink';
import { SentinelSource } from './source';
import { BlobStateStore } from './state-store';

/** Sentinel's dependencies: the shared ones, plus SDK client options tests can shorten (retry delays). */
export interface SentinelDeps extends PlatformDeps {
  readonly clientOptions?: Record<string, unknown>;
}

/**
 * Everything `tierzero run` needs for one pass on Sentinel, built from the `sentinel` config
 * section with one Entra credential for every call: the pushed-down Log Analytics source
 * (source.ts), the Logs Ingestion sink (sink.ts: alerts and scores through the DCR) and the
 * blob state store (state-store.ts: ETag compare-and-set).
 */
export async function openSentinel(section: unknown, configDir: string, plan: PullPlan, deps: SentinelDeps): Promise<PlatformPass> {
  const s = resolveSentinelSettings(section, configDir);
  const tls = await clientOptions(s);
  const credential = await sentinelCredential(s, deps.env, tls);
  const sdk = sdkOptions(tls, deps);
  const source = new SentinelSource({
    credential, workspaceId: s.workspaceId, endpoint: queryApiBase(s), plan, tables: DEFAULT_PULL_SETTINGS,
    settleSeconds: s.query.settleSeconds, initialLookbackMinutes: s.query.initialLookbackMinutes, maxWindowMinutes: s.query.maxWindowMinutes,
    sliceMinutes: s.query.sliceMinutes, eventLookbackHours: s.query.eventLookbackHours, maxRetries: s.maxAttempts - 1,
    // The query API waits at most 10 minutes (Prefer: wait=600) whatever is asked.
    serverTimeoutSeconds: Math.min(600, Math.ceil(s.timeoutMs / 1000)), clock: deps.clock, clientOptions: sdk, log: deps.log,
  });
  const ingestion = new IngestionClient({
    endpoint: s.ingestion.endpoint.href.replace(/\/+$/, ''), dcrImmutableId: s.ingestion.dcrImmutableId, credential, audience: s.ingestion.audience,
    maxRetries: s.maxAttempts - 1, maxConcurrency: s.ingestion.maxConcurrency, clientOptions: sdk, log: deps.log,
  });
  const sink = new SentinelSink({ client: ingestion, alertsStream: s.ingestion.alertsStream, scoresStream: s.ingestion.scoresStream, clock: deps.clock, log: deps.log });
  const store = new BlobStateStore({
    accountUrl: s.state.accountUrl, container: s.state.container, blob: s.state.blob,
    credential: await stateCredential(s, credential, deps.env), maxAttempts: s.maxAttempts, timeoutMs: s.timeoutMs, log: deps.log,
  });
  deps.log({ level: 'info', msg: 'opened Sentinel', workspace: s.workspaceId, ingestion: s.ingestion.endpoint.origin, dcr: s.ingestion.dcrImmutableId, state: `${s.state.accountUrl.origin}/${s.state.container}/${s.state.blob}` });
  return {
    source, sink, store,
    stats: () => ({ ...source.stats, ingestion: ingestion.stats, written: sink.stats }),
    close: () => undefined,
  };
}

/** `doctor --config`: the probe (probe.ts) with this section's credential and the keys to name. */
export async function probeSentinelSection(section: unknown, configDir: string, plan: PullPlan, deps: SentinelDeps, o: ProbeOptions): Promise<ProbeReport> {
  const s = resolveSentinelSettings(section, configDir);
  const tls = await clientOptions(s);
  return probeSentinel({
    credential: await sentinelCredential(s, deps.env, tls), workspaceId: s.workspaceId, endpoint: queryApiBase(s), tables: DEFAULT_PULL_SETTINGS,
    clock: deps.clock, credentialSetting: credentialSetting(s), workspaceSetting: 'sentinel.workspaceId', clientOptions: sdkOptions(tls, deps),
  }, plan, o);
}

/** The query API's versioned base: `https://api.loganalytics.io/v1` (the SDK appends `/workspaces/…`). */
export function queryApiBase(s: SentinelSettings): string {
  const base = s.queryEndpoint.href.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? base : `${base}/v1`;
}

function sdkOptions(tls: AzureClientOptions, deps: SentinelDeps): Record<string, unknown> {
  return { ...(tls.tlsOptions ? { tlsOptions: { ca: [...tls.tlsOptions.ca] } } : {}), ...(deps.clientOptions ?? {}) };
}

function credentialSetting(s: SentinelSettings): string {
  const c = s.credential;
  if (c.kind === 'clientSecret') return 'env' in c.secret ? `sentinel.credential.clientSecretEnv (${c.secret.env})` : 'sentinel.credential.clientSecretFile';
  if (c.kind === 'workloadIdentity') return 'sentinel.credential.tokenFile';
  return 'sentinel.credential (managed identity)';
}

/**
 * The state blob's credential: the pass's Entra credential (Storage Blob Data Contributor on the
 * container), or a shared key (`state.accountKeyEnv`) for Azurite or an account without RBAC.
 */
async function stateCredential(s: SentinelSettings, credential: TokenCredential, env: NodeJS.ProcessEnv): Promise<TokenCredential | StorageSharedKeyCredential> {
  if (!s.state.accountKey) return credential;
  try {
    const key = await readSecret(s.state.accountKey, 'storage account key', env);
    return new StorageSharedKeyCredential(accountName(s.state.accountUrl), key.reveal());
  } catch (e) {
    if (e instanceof SecretUnavailableError) throw new CredentialUnavailableError(`sentinel.state.accountKeyEnv: ${e.message}`);
    throw e;
  }
}

/** `acct` of https://acct.blob.core.windows.net, or of a path-style URL (Azurite: http://127.0.0.1:10000/acct). */
export function accountName(url: URL): string {
  if (/\.blob\./.test(url.hostname)) return url.hostname.split('.')[0] as string;
  const first = url.pathname.split('/').find((p) => p !== '');
  if (!first) throw new CredentialUnavailableError(`sentinel.state.accountUrl: cannot tell the storage account from ${url.origin}`);
  return first;
}
