import { Client, errors } from '@elastic/elasticsearch';
import { readFile } from 'node:fs/promises';
import { scrubSecrets } from '../../core/config/secret';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from '../http/retry';
import { readSecret, SecretUnavailableError, type Secret } from '../secret';
import type { ElasticSettings } from './config';
import { describeEsError, ElasticRequestError } from './errors';
import { ElasticAuthError } from './sink-errors';

/**
 * The `@elastic/elasticsearch` client for one pass, built from the `elastic` section.
 *
 * Pinned to 8.x (package.json: 8.19.2): it sends `Accept` and `Content-Type`
 * `application/vnd.elasticsearch+json; compatible-with=8` (x-ndjson for bulk), which every 8.x
 * cluster accepts (client.js `vendoredHeaders`). The 9.x client sends `compatible-with=9`, which
 * an 8.x server refuses with a 400 media_type_header_exception; it would need per-request
 * `accept`/`content-type` headers overriding the vendored ones (elasticsearch-js #2909), since a
 * client-level content type would also hit `_bulk`. An 8.x client against a 9.x cluster works:
 * 9.x accepts compatible-with=8 (REST API compatibility, one major back).
 *
 * The client's own retries are off (`maxRetries: 0`): 429, 502–504 and dropped connections are
 * retried by the shared policy (adapters/http/retry.ts, Retry-After honoured, full jitter), the
 * same for every adapter, through `callElastic` below.
 */
export async function elasticClient(s: ElasticSettings, env: NodeJS.ProcessEnv): Promise<Client> {
  const ca = s.tls.caFile === undefined ? undefined : await readCa(s.tls.caFile);
  return new Client({
    node: s.url.href,
    ...(await authOf(s, env)),
    requestTimeout: s.timeoutMs,
    maxRetries: 0,
    compression: false,
    // Sensitive headers (authorization, cookies) are replaced in error metadata (elastic-transport `redaction`).
    redaction: { type: 'replace' },
    ...(s.url.protocol === 'https:' ? { tls: { rejectUnauthorized: s.tls.verify, ...(ca ? { ca } : {}), ...(s.tls.serverName ? { servername: s.tls.serverName } : {}) } } : {}),
  });
}

async function authOf(s: ElasticSettings, env: NodeJS.ProcessEnv): Promise<{ auth?: { apiKey: string } | { username: string; password: string } }> {
  try {
    if (s.auth.kind === 'none') return {};
    if (s.auth.kind === 'apiKey') return { auth: { apiKey: apiKeyValue(await readSecret(s.auth.apiKey, 'Elasticsearch API key', env)) } };
    return { auth: { username: s.auth.username, password: (await readSecret(s.auth.password, `Elasticsearch password for ${s.auth.username}`, env)).reveal() } };
  } catch (e) {
    if (e instanceof SecretUnavailableError) throw new ElasticAuthError(e.message);
    throw e;
  }
}

/**
 * The `Authorization: ApiKey` value: the `encoded` field Kibana and `POST /_security/api_key` hand
 * out (base64 of `id:api_key`); an `id:api_key` pair is encoded here, so either form works.
 */
function apiKeyValue(secret: Secret): string {
  const v = secret.reveal().trim();
  return v.includes(':') ? Buffer.from(v, 'utf8').toString('base64') : v;
}

async function readCa(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new ElasticRequestError('TLS', undefined, `cannot read elastic.caFile ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export interface CallContext {
  readonly policy: RetryPolicy;
  readonly log?: (entry: Record<string, unknown>) => void;
}

/**
 * One client call under the shared retry policy. 429, 502–504, timeouts and dropped connections
 * are retried (Retry-After honoured); 401/403 become `ElasticAuthError`; another error status is
 * first offered to `onStatus` (a 409 on a conditional write, a 404 on a first read), and becomes
 * an `ElasticRequestError` naming `what` and Elasticsearch's reason when it returns undefined.
 */
export async function callElastic<T>(ctx: CallContext, what: string, fn: () => Promise<T>, onStatus?: (status: number, e: errors.ResponseError) => T | undefined): Promise<T> {
  return withRetry<T>(ctx.policy, async () => {
    try {
      return { done: await fn() };
    } catch (e) {
      if (e instanceof errors.ResponseError) {
        const status = e.meta.statusCode ?? 0;
        if (isRetryableStatus(status)) {
          const after = retryAfterMs(header(e.meta.headers, 'retry-after'), ctx.policy.now());
          return { retry: new ElasticRequestError(what, status, detailOf(e)), ...(after === undefined ? {} : { retryAfterMs: after }) };
        }
        const handled = onStatus?.(status, e);
        if (handled !== undefined) return { done: handled };
        throw failureOf(what, status, e);
      }
      if (e instanceof errors.ConnectionError || e instanceof errors.TimeoutError || e instanceof errors.NoLivingConnectionsError) {
        return { retry: new ElasticRequestError(what, undefined, detailOf(e)) };
      }
      throw e;
    }
  }, (e, waitMs, n) => ctx.log?.({ level: 'warn', msg: 'Elasticsearch retry', attempt: n, waitMs: Math.round(waitMs), error: scrubSecrets(e.message) }));
}

export function failureOf(what: string, status: number, e: unknown): Error {
  const reason = detailOf(e);
  if (status === 401) return new ElasticAuthError(`Elasticsearch ${what}: HTTP 401: the credentials were refused (check elastic.apiKeyEnv/apiKeyFile or username/passwordEnv): ${reason}`);
  if (status === 403) return new ElasticAuthError(`Elasticsearch ${what}: HTTP 403: the credentials lack a privilege (see adapters/elastic/README.md, least privileges): ${reason}`);
  return new ElasticRequestError(what, status, reason);
}

/** Elasticsearch's own error type and reason (errors.ts `describeEsError`: never the request or its headers), scrubbed. */
export function detailOf(e: unknown): string {
  return scrubSecrets(describeEsError(e).detail);
}

function header(headers: Record<string, unknown> | null | undefined, name: string): unknown {
  if (!headers) return undefined;
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
