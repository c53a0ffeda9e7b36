/* eslint-disable @typescript-eslint/no-require-imports -- splunk-sdk ships CommonJS without types */
import type { SplunkSettings } from './config';
import { SourceAuthError, SplunkRequestError } from './errors';
import { HttpClient, TransportError, header } from './http';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from '../http/retry';
import { scrubSecrets } from '../../core/config/secret';
import type { Secret } from '../secret';

/**
 * splunk-sdk 2.0.2 does login, re-login on 401 and picks the v1 or v2 search paths from the
 * server version (lib/context.js `disableV2SearchApi`). We load its modules directly rather
 * than its index.js, which runs `require('dotenv').config()` and would pull a `.env` file from
 * the working directory into process.env; and we give it our transport (TLS verified).
 */
const SdkHttp = require('splunk-sdk/lib/http') as SdkClass;
const SdkService = require('splunk-sdk/lib/service') as new (http: unknown, params: Record<string, unknown>) => SdkServiceApi;
// The SDK prints Splunk's messages with console.error; we report them in structured errors instead.
(require('splunk-sdk/lib/log') as { Logger: { setLevel(l: string): void } }).Logger.setLevel('NONE');

interface SdkClass { extend(proto: Record<string, unknown>): new () => unknown }

interface SdkResponse {
  readonly status: number | string;
  readonly data: unknown;
  readonly error?: unknown;
  readonly response?: { readonly headers?: Record<string, string | string[] | undefined> };
}

interface SdkServiceApi {
  sessionKey: string | null;
  version: string;
  readonly prefix: string;
  login(): Promise<unknown>;
  getInfo(): Promise<unknown>;
  disableV2SearchApi(): boolean;
  fullpath(path: string): string;
  request(path: string, method: string, query: Record<string, string> | undefined, post: Record<string, string> | undefined, body: string | undefined, headers: Record<string, string>): Promise<SdkResponse>;
}

export interface Credentials {
  readonly password?: Secret;
  /** Authentication token (Bearer) or a session key handed over by splunkd (Splunk scheme). */
  readonly token?: Secret;
  readonly sessionKey?: Secret;
}

export interface RestCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Relative paths land in the app namespace (/servicesNS/{owner}/{app}/…). */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly form?: Record<string, string>;
  readonly json?: unknown;
}

/** A logged-in management-port session: splunk-sdk for auth and REST, our client for streams. */
export class SplunkSession {
  private readonly service: SdkServiceApi;
  readonly http: HttpClient;

  constructor(private readonly settings: SplunkSettings, creds: Credentials, private readonly policy: RetryPolicy) {
    this.http = HttpClient.for(settings.url, settings.tls);
    const params: Record<string, unknown> = {
      scheme: settings.url.protocol.replace(':', ''),
      host: settings.url.hostname,
      port: Number(settings.url.port || (settings.url.protocol === 'https:' ? 443 : 80)),
      owner: settings.owner,
      app: settings.app,
      autologin: true,
    };
    if (settings.auth.kind === 'password' && creds.password) {
      params['username'] = settings.auth.username;
      params['password'] = creds.password.reveal();
    } else if (creds.token) {
      params['sessionKey'] = creds.token.reveal();
      params['authorization'] = 'Bearer';
    } else if (creds.sessionKey) {
      params['sessionKey'] = creds.sessionKey.reveal();
      params['authorization'] = 'Splunk';
    }
    this.service = new SdkService(transport(this.http, settings.timeoutMs), params);
  }

  /** Logs in (password) or checks the token, and reads the server version. */
  async connect(): Promise<void> {
    let res: SdkResponse;
    try {
      res = await withRetry(this.policy, async () => retryable(await settle(this.settings.auth.kind === 'password' ? this.service.login() : this.service.getInfo()), this.policy.now()));
    } catch (e) {
      throw this.authError(e);
    }
    if (typeof res.status === 'number' && res.status >= 400) throw this.authError(res);
  }

  /** After a 401 on our own stream: log in again when we can, else explain what expired. */
  async relogin(): Promise<void> {
    if (this.settings.auth.kind !== 'password') {
      throw new SourceAuthError(this.settings.auth.kind === 'token'
        ? 'Splunk rejected the authentication token (expired or revoked): issue a new one'
        : 'the session key splunkd passed to the scripted input expired before the pass finished');
    }
    this.service.sessionKey = null;
    await this.connect();
  }

  get serverVersion(): string {
    return this.service.version;
  }

  /** `search/v2/jobs/export` on 9.0.2+ (Cloud 9.0.2209+), `search/jobs/export` before. */
  get exportPath(): string {
    return this.service.disableV2SearchApi() ? 'search/jobs/export' : 'search/v2/jobs/export';
  }

  url(path: string): URL {
    return new URL(this.service.prefix + this.service.fullpath(path));
  }

  authorization(): string {
    const scheme = this.settings.auth.kind === 'token' ? 'Bearer' : 'Splunk';
    return `${scheme} ${this.service.sessionKey ?? ''}`;
  }

  /** One REST call through splunk-sdk (which re-logs in on 401), retried on 429/5xx. Returns the parsed body. */
  async call(c: RestCall): Promise<{ status: number; data: unknown }> {
    // Context.request (unlike Context.post) sets no content type: without one Splunk ignores a form body.
    const headers: Record<string, string> = c.json !== undefined ? { 'Content-Type': 'application/json' } : c.form !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {};
    const body = c.json === undefined ? undefined : JSON.stringify(c.json);
    const res = await withRetry(this.policy, async () => retryable(await settle(this.service.request(c.path, c.method, c.query, c.form, body, headers)), this.policy.now()));
    if (res.status === 401) throw new SourceAuthError(`Splunk refused ${c.method} ${c.path}: ${messages(res.data)}`);
    if (typeof res.status !== 'number' || res.status >= 400) {
      if (res.status === 404) return { status: 404, data: res.data };
      throw new SplunkRequestError(`${c.method} ${c.path}`, typeof res.status === 'number' ? res.status : undefined, messages(res.data) || describeError(res.error));
    }
    return { status: res.status, data: res.data };
  }

  close(): void {
    this.http.close();
  }

  private authError(e: unknown): Error {
    if (e instanceof SplunkRequestError || e instanceof SourceAuthError || e instanceof TransportError) return e;
    const r = e as SdkResponse;
    const who = this.settings.auth.kind === 'password' ? `login as ${this.settings.auth.username}` : 'the token';
    if (r && (r.status === 401 || r.status === 403)) return new SourceAuthError(`Splunk refused ${who} at ${this.settings.url.origin}: ${messages(r.data) || `HTTP ${r.status}`}`);
    if (r && typeof r.status === 'number' && r.status < 400) return new SourceAuthError(`Splunk answered ${who} at ${this.settings.url.origin} without a session key or version: ${scrubSecrets(String(e))}`);
    return new SplunkRequestError(`login at ${this.settings.url.origin}`, typeof r?.status === 'number' ? r.status : undefined, messages(r?.data) || describeError(r?.error ?? e));
  }
}

/** SDK promises reject with the response on status ≥ 400: turn both outcomes into a value. */
async function settle(p: Promise<unknown>): Promise<SdkResponse> {
  try {
    const value = await p;
    // login() and getInfo() resolve with `true`, not a response: that is a 200.
    return value && typeof value === 'object' && 'status' in value ? (value as SdkResponse) : { status: 200, data: value };
  } catch (e) {
    if (e && typeof e === 'object' && 'status' in e) return e as SdkResponse;
    throw e;
  }
}

function retryable(res: SdkResponse, now: number): { done: SdkResponse } | { retry: Error; retryAfterMs?: number } {
  const status = res.status;
  if (status === 600 || status === 'abort') return { retry: new TransportError(describeError(res.error), undefined) };
  if (typeof status === 'number' && isRetryableStatus(status)) {
    const after = retryAfterMs(res.response?.headers ? header({ headers: res.response.headers }, 'retry-after') : undefined, now);
    return { retry: new SplunkRequestError('REST call', status, messages(res.data) || 'temporarily unavailable'), ...(after === undefined ? {} : { retryAfterMs: after }) };
  }
  return { done: res };
}

/** Splunk's `{"messages":[{"type":"ERROR","text":"…"}]}`, joined and redacted. */
export function messages(data: unknown): string {
  const list = (data as { messages?: { type?: string; text?: string }[] } | undefined)?.messages;
  if (!Array.isArray(list)) return '';
  return scrubSecrets(list.map((m) => `${m.type ?? 'MESSAGE'}: ${m.text ?? ''}`).join('; '));
}

function describeError(e: unknown): string {
  if (e instanceof Error) return scrubSecrets(e.message);
  return scrubSecrets(typeof e === 'string' ? e : 'no response');
}

/** splunk-sdk's Http with our transport: same response contract as its NodeHttp. */
function transport(client: HttpClient, timeoutMs: number): unknown {
  const Verified = SdkHttp.extend({
    init(this: { _super(): void }) {
      this._super();
    },
    makeRequest(this: { _buildResponse(e: unknown, r: unknown, d: string): SdkResponse }, url: string, message: { method: 'GET' | 'POST' | 'DELETE'; headers?: Record<string, string>; body?: string }) {
      const headers = { ...(message.headers ?? {}), 'User-Agent': 'splunk-sdk-javascript/2.0.2' };
      return client.send({ method: message.method, url: new URL(url), headers, body: message.body ?? '', timeoutMs })
        .then((res) => this._buildResponse(null, { headers: res.headers, statusCode: res.status }, res.body))
        .catch((e: unknown) => {
          throw this._buildResponse(e, { headers: {}, statusCode: 600 }, '');
        });
    },
    parseJson(json: string) {
      return JSON.parse(json) as unknown;
    },
  });
  return new Verified();
}
