import { randomBytes } from 'node:crypto';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenLoopbackTls } from './tls';

/**
 * The Microsoft Entra token endpoint on 127.0.0.1 (TLS), as `@azure/identity`'s
 * ClientSecretCredential drives it through MSAL with `authorityHost` pointed here:
 * - GET /{tenant}/v2.0/.well-known/openid-configuration — the authority metadata MSAL loads
 *   first (OpenID Connect Discovery 1.0 §4; the fields msal-common checks: issuer,
 *   authorization_endpoint, token_endpoint, jwks_uri);
 * - POST /{tenant}/oauth2/v2.0/token, `grant_type=client_credentials` with client_id,
 *   client_secret, scope (Microsoft identity platform, "OAuth 2.0 client credentials flow"):
 *   200 `{token_type:"Bearer", expires_in, ext_expires_in, access_token}`, or 400/401 with
 *   `{error, error_description, error_codes}` — `invalid_client` (AADSTS7000215) for a wrong secret.
 * Instance discovery (GET login.microsoftonline.com/common/discovery/instance) is not served:
 * it names a real host, so the credential must be built with `disableInstanceDiscovery: true`,
 * which is what tierzero does whenever an authority host is configured.
 *
 * Tokens are opaque, short-lived, bound to a scope; `revokeAll()` and `expireAll()` end them
 * mid-test. Resource emulators ask `check()`.
 */
export interface TokenApp {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface IssuedToken {
  readonly token: string;
  readonly clientId: string;
  readonly scope: string;
  readonly expiresAt: number;
  revoked: boolean;
  /** The CAE claims challenge the client answered when it asked for this token (undefined otherwise). */
  readonly claims?: string;
}

export type TokenCheck =
  | { readonly ok: true; readonly token: IssuedToken }
  | { readonly ok: false; readonly status: 401; readonly code: 'InvalidAuthenticationToken' | 'TokenExpired' | 'TokenRevoked'; readonly message: string; readonly challenge: string };

export interface TokenEndpointOptions {
  readonly apps: readonly TokenApp[];
  /** Seconds a token lives (expires_in). */
  readonly lifetimeSeconds?: number;
}

export class TokenEndpoint {
  readonly issued: IssuedToken[] = [];
  readonly requests: { readonly path: string; readonly grant?: string; readonly clientId?: string; readonly status: number }[] = [];
  private server: Server | undefined;
  private port = 0;
  lifetimeSeconds: number;

  constructor(private readonly o: TokenEndpointOptions) {
    this.lifetimeSeconds = o.lifetimeSeconds ?? 3600;
  }

  /** What `authorityHost` is set to. */
  get authorityHost(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    ({ server: this.server, port: this.port } = await listenLoopbackTls((req, res) => void this.handle(req, res)));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /** Every token issued so far stops working now; resources answer with a CAE claims challenge. */
  revokeAll(): void {
    for (const t of this.issued) t.revoked = true;
  }

  /** Every token issued so far is past its expiry (as if the clock passed it). */
  expireAll(): void {
    for (let i = 0; i < this.issued.length; i++) {
      const t = this.issued[i] as IssuedToken;
      this.issued[i] = { ...t, expiresAt: 0 };
    }
  }

  /**
   * A resource's check of `Authorization: Bearer …` for `audience` (the scope without `/.default`).
   * The challenge follows what Azure resources send: `Bearer authorization_uri=…, error="invalid_token"`
   * for a bad or expired token; for a revoked one, the Continuous Access Evaluation challenge
   * `error="insufficient_claims", claims="<base64 JSON>"`, which core-rest-pipeline's
   * bearerTokenAuthenticationPolicy answers by fetching a fresh token with those claims.
   */
  check(authorization: string | undefined, audience: string, now = Date.now()): TokenCheck {
    const uri = `authorization_uri="${this.authorityHost}/${this.o.apps[0]?.tenantId ?? 'common'}"`;
    const bad = (code: 'InvalidAuthenticationToken' | 'TokenExpired', message: string): TokenCheck => ({ ok: false, status: 401, code, message, challenge: `Bearer ${uri}, error="invalid_token", error_description="${message}"` });
    const m = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (!m) return bad('InvalidAuthenticationToken', 'Authentication failed. The Authorization header is missing or not a bearer token.');
    const token = this.issued.find((t) => t.token === m[1]);
    if (!token) return bad('InvalidAuthenticationToken', 'The access token is invalid.');
    if (token.scope.replace(/\/?\.default$/, '').replace(/\/+$/, '') !== audience.replace(/\/+$/, '')) return bad('InvalidAuthenticationToken', `The access token is for another audience (${token.scope}).`);
    if (token.revoked) {
      const claims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(now / 1000)) } } })).toString('base64');
      return { ok: false, status: 401, code: 'TokenRevoked', message: 'The access token has been revoked.', challenge: `Bearer ${uri}, error="insufficient_claims", claims="${claims}"` };
    }
    if (token.expiresAt <= now) return bad('TokenExpired', 'The access token has expired.');
    return { ok: true, token };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const body = await readBody(req);
    const meta = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (req.method === 'GET' && meta) {
      const tenant = decodeURIComponent(meta[1] as string);
      const base = `${this.authorityHost}/${tenant}`;
      this.requests.push({ path: url.pathname, status: 200 });
      return send(res, 200, {
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        tenant_region_scope: 'EU',
      });
    }
    const tok = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (req.method === 'POST' && tok) {
      const tenant = decodeURIComponent(tok[1] as string);
      const form = new URLSearchParams(body);
      const grant = form.get('grant_type') ?? undefined;
      const clientId = form.get('client_id') ?? undefined;
      const answer = (status: number, b: unknown): void => {
        this.requests.push({ path: url.pathname, ...(grant ? { grant } : {}), ...(clientId ? { clientId } : {}), status });
        send(res, status, b);
      };
      const error = (status: number, error: string, code: number, text: string): void => answer(status, {
        error, error_description: `AADSTS${code}: ${text}`, error_codes: [code], timestamp: new Date().toISOString(), trace_id: randomBytes(16).toString('hex'), correlation_id: form.get('client-request-id') ?? '',
      });
      if (grant !== 'client_credentials') return error(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
      const app = this.o.apps.find((a) => a.clientId === clientId && a.tenantId === tenant);
      if (!app) return error(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${tenant}'.`);
      if (form.get('client_secret') !== app.clientSecret) return error(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      const scope = form.get('scope') ?? '';
      if (!/\/\.default$/.test(scope)) return error(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`);
      const claims = form.get('claims') ?? undefined;
      const t: IssuedToken = { token: `tzemu.${randomBytes(24).toString('base64url')}`, clientId: app.clientId, scope, expiresAt: Date.now() + this.lifetimeSeconds * 1000, revoked: false, ...(claims ? { claims } : {}) };
      this.issued.push(t);
      return answer(200, { token_type: 'Bearer', expires_in: this.lifetimeSeconds, ext_expires_in: this.lifetimeSeconds, access_token: t.token });
    }
    this.requests.push({ path: url.pathname, status: 404 });
    send(res, 404, { error: 'not_found', error_description: `${req.method} ${url.pathname} is not an endpoint of this emulator` });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
