import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Clock } from '../clock';
import type { EntraSettings } from '../config';
import { GraphRequestError, MissingPermissionError } from '../errors';
import { GraphTokenProvider } from './graph-token';
import { retryPolicy, sendWithRetry, type RetryPolicy } from '../../adapters/http/retry';
import { AXIOS_SHAPE } from './graph-token';

export interface GraphCall {
  readonly method: 'GET' | 'PATCH' | 'POST';
  /** Path under /v1.0, already encoded, e.g. `/users/jdoe%40corp.example`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** What we were doing, for messages: `disable the Entra account`. */
  readonly operation: string;
  /** Least-privileged application permission to name when Graph answers 403. */
  readonly permission: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GraphResult {
  readonly status: number;
  readonly data: unknown;
}

/**
 * Minimal Graph v1.0 client over axios: bearer token from the client-credentials provider,
 * throttling and transient failures retried, and Graph's `{error:{code,message}}` turned into
 * typed errors. 404 is returned to the caller (a missing user is an answer, not a failure).
 */
export class GraphClient {
  private readonly http: AxiosInstance;
  private readonly tokens: GraphTokenProvider;
  private readonly policy: RetryPolicy;

  constructor(settings: EntraSettings, clock: Clock, random: () => number = Math.random) {
    this.policy = retryPolicy(settings.maxAttempts, {
      maxRetryAfterMs: settings.maxRetryAfterSeconds * 1000, baseMs: 1000, maxMs: 30_000,
      sleep: (ms) => clock.sleep(ms), now: () => clock.now(), random,
    });
    this.tokens = new GraphTokenProvider(settings, this.policy, clock);
    this.http = axios.create({ baseURL: `${settings.graphUrl}/v1.0`, timeout: settings.timeoutMs, validateStatus: () => true, maxRedirects: 0 });
  }

  async call(call: GraphCall): Promise<GraphResult> {
    let refreshed = false;
    for (;;) {
      const token = await this.tokens.token();
      const outcome = await sendWithRetry(() => this.send(call, token), AXIOS_SHAPE, this.policy);
      if (outcome.kind === 'network') throw new GraphRequestError(call.operation, undefined, outcome.code, `${outcome.message} (after ${outcome.attempts} attempts)`);
      if (outcome.kind === 'throttled-too-long') {
        const e = graphError(outcome.response);
        throw new GraphRequestError(call.operation, outcome.response.status, e.code, `${e.message}; Graph asked to wait ${Math.ceil(outcome.waitMs / 1000)} s, longer than response.entra.maxRetryAfterSeconds`, e.requestId);
      }
      const { response } = outcome;
      if (response.status >= 200 && response.status < 300) return { status: response.status, data: response.data };
      if (response.status === 404) return { status: 404, data: response.data };
      const e = graphError(response);
      // An expired or revoked token: fetch a fresh one once, then report whatever follows.
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        this.tokens.invalidate();
        continue;
      }
      if (response.status === 403 && e.code === 'Authorization_RequestDenied') {
        throw new MissingPermissionError('entra', call.operation, `${call.permission} (application permission, admin-consented)`, `${e.code}: ${e.message}`);
      }
      const retried = outcome.attempts > 1 ? ` (after ${outcome.attempts} attempts)` : '';
      throw new GraphRequestError(call.operation, response.status, e.code, e.message + retried, e.requestId);
    }
  }

  private send(call: GraphCall, token: string): Promise<AxiosResponse> {
    return this.http.request({
      method: call.method,
      url: call.path,
      ...(call.query && { params: call.query }),
      ...(call.body !== undefined && { data: call.body }),
      headers: { ...call.headers, authorization: `Bearer ${token}`, accept: 'application/json', ...(call.body !== undefined && { 'content-type': 'application/json' }) },
    });
  }
}

/** Graph errors: `{"error":{"code","message","innerError":{"request-id",…}}}` (learn.microsoft.com/graph/errors). */
function graphError(response: AxiosResponse): { code: string; message: string; requestId?: string } {
  const body = response.data as { error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown> } } | string | undefined;
  const err = typeof body === 'object' && body !== null ? body.error : undefined;
  const header = response.headers['request-id'];
  const requestId = typeof err?.innerError?.['request-id'] === 'string' ? (err.innerError['request-id'] as string) : typeof header === 'string' ? header : undefined;
  return {
    code: typeof err?.code === 'string' ? err.code : `HTTP${response.status}`,
    message: typeof err?.message === 'string' ? err.message : typeof body === 'string' && body !== '' ? body.slice(0, 200) : 'no error body',
    ...(requestId !== undefined && { requestId }),
  };
}
