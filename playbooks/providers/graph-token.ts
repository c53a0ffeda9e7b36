import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Clock } from '../clock';
import type { EntraSettings } from '../config';
import { GraphAuthError, GraphRequestError } from '../errors';
import { registerSecret } from '../../core/config/secret';
import { sendWithRetry, type ResponseShape, type RetryPolicy } from '../../adapters/http/retry';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Refresh this long before expiry so a token never dies mid-action (research §3.4: expires_in − 300 s). */
const REFRESH_MARGIN_MS = 300_000;

/** How the shared retry policy reads an axios response (Graph and its token endpoint). */
export const AXIOS_SHAPE: ResponseShape<AxiosResponse> = {
  status: (r) => r.status,
  retryAfter: (r) => r.headers['retry-after'],
};

/**
 * OAuth 2.0 client-credentials token for Graph, cached and refreshed before it expires.
 * Concurrent callers share one in-flight request instead of each asking for a token.
 */
export class GraphTokenProvider {
  private cached: { readonly token: string; readonly refreshAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private readonly http: AxiosInstance;

  constructor(
    private readonly settings: Pick<EntraSettings, 'tenantId' | 'clientId' | 'clientSecret' | 'authorityUrl' | 'timeoutMs'>,
    private readonly policy: RetryPolicy,
    private readonly clock: Clock,
  ) {
    this.http = axios.create({ timeout: settings.timeoutMs, validateStatus: () => true, maxRedirects: 0 });
  }

  async token(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.refreshAt) return this.cached.token;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drops the cached token, e.g. after Graph answered 401 InvalidAuthenticationToken. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetch(): Promise<string> {
    const url = `${this.settings.authorityUrl}/${encodeURIComponent(this.settings.tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret.reveal(),
      scope: GRAPH_SCOPE,
      grant_type: 'client_credentials',
    });
    const outcome = await sendWithRetry(
      () => this.http.post(url, form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      AXIOS_SHAPE,
      this.policy,
    );
    if (outcome.kind === 'network') throw new GraphRequestError('token request', undefined, outcome.code, outcome.message);
    const { response } = outcome;
    const body = (typeof response.data === 'object' && response.data !== null ? response.data : {}) as Record<string, unknown>;
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      throw new GraphAuthError(
        typeof body.error === 'string' ? body.error : `HTTP ${response.status}`,
        typeof body.error_description === 'string' ? body.error_description : 'no access_token in the response',
      );
    }
    const token = body.access_token;
    registerSecret(token);
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 0)) * 1000;
    // Short-lived tokens (tests, odd tenants) refresh at half-life instead of going negative.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.cached = { token, refreshAt: this.clock.now() + lifetimeMs - margin };
    return token;
  }
}
