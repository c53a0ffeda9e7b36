/**
 * Microsoft Graph + Entra token endpoint emulator on 127.0.0.1. Implements what the playbooks
 * call, with Graph's status codes and error bodies:
 * - POST /{tenant}/oauth2/v2.0/token (client credentials; opaque tokens carrying the app's roles)
 * - GET /v1.0/users/{id|upn}, GET /v1.0/users?$filter=prop eq 'v'
 * - PATCH /v1.0/users/{id} (accountEnabled, passwordProfile)
 * - POST /v1.0/users/{id}/revokeSignInSessions, POST /v1.0/users/{id}/checkMemberGroups
 * - POST /_emulator/sync-tick (control): models Entra Connect.
 * Every call is checked against the token's roles (403 Authorization_RequestDenied otherwise)
 * and recorded, so tests assert on what was sent. The sync tick re-applies the on-prem enabled
 * state (read from the real Samba DC through `syncSource`) to every synced user, which is what
 * makes a cloud-only disable of a synced user revert.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatedUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
  onPremisesSyncEnabled: boolean | null;
  onPremisesSecurityIdentifier: string | null;
  onPremisesSamAccountName: string | null;
  onPremisesDistinguishedName: string | null;
  signInSessionsValidFromDateTime: string;
  /** Never returned by GET, as in Graph; kept for assertions. */
  passwordProfile?: { password: string; forceChangePasswordNextSignIn: boolean };
  /** Group object ids (transitive membership, flattened). */
  memberOf: string[];
}

export interface EmulatedApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly roles: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
  readonly clientId?: string;
  status: number;
}

/** Reads the on-prem enabled state of a synced user; undefined = object not found on-prem. */
export type AdEnabledSource = (user: EmulatedUser) => Promise<boolean | undefined>;

const READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const ENABLE_DISABLE = ['User.EnableDisableAccount.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const REVOKE = ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
/** User.ReadWrite.All alone is not enough for passwords (research §3.4). */
const PASSWORD = ['User-PasswordProfile.ReadWrite.All'];
const GROUPS = ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'];
const SYNCED_MESSAGE = 'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.';

export class GraphEmulator {
  readonly tenantId: string;
  readonly users: EmulatedUser[] = [];
  readonly requests: RecordedRequest[] = [];
  tokenRequests = 0;
  /** Runs before each Graph call is handled (e.g. to observe AD at the moment of a PATCH). */
  onRequest?: (r: RecordedRequest) => Promise<void>;
  now: () => number = () => Date.now();
  private readonly apps = new Map<string, EmulatedApp>();
  private readonly tokens = new Map<string, { clientId: string; roles: readonly string[]; expiresAt: number }>();
  private readonly faults: { method?: string; path: RegExp; times: number; status: number; headers?: Record<string, string>; body?: unknown }[] = [];
  private server?: Server;
  private baseUrl = '';

  constructor(private readonly opts: { tenantId?: string; tokenLifetimeSeconds?: number; syncSource?: AdEnabledSource } = {}) {
    this.tenantId = opts.tenantId ?? 'tenant-emulated';
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addApp(app: EmulatedApp): void {
    this.apps.set(app.clientId, app);
  }

  addUser(u: Partial<EmulatedUser> & { userPrincipalName: string }): EmulatedUser {
    const user: EmulatedUser = {
      id: randomUUID(),
      displayName: u.userPrincipalName.split('@')[0] as string,
      accountEnabled: true,
      onPremisesSyncEnabled: null,
      onPremisesSecurityIdentifier: null,
      onPremisesSamAccountName: null,
      onPremisesDistinguishedName: null,
      signInSessionsValidFromDateTime: '2026-01-01T00:00:00Z',
      memberOf: [],
      ...u,
    };
    this.users.push(user);
    return user;
  }

  user(idOrUpn: string): EmulatedUser | undefined {
    const k = idOrUpn.toLowerCase();
    return this.users.find((u) => u.id === k || u.userPrincipalName.toLowerCase() === k);
  }

  /** The next `times` matching calls answer with this status instead of being handled. */
  injectFault(f: { method?: string; path: RegExp; times?: number; status: number; headers?: Record<string, string>; body?: unknown }): void {
    this.faults.push({ ...f, times: f.times ?? 1 });
  }

  /** Graph calls only (token requests and control calls excluded). */
  graphCalls(method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v1.0/') && (method === undefined || r.method === method));
  }

  /**
   * One Entra Connect cycle: for each synced user, the AD enabled state overwrites accountEnabled
   * (AD is the source of authority). Returns the users whose cloud state changed.
   */
  async syncTick(): Promise<{ readonly changed: string[] }> {
    const source = this.opts.syncSource;
    if (!source) throw new Error('GraphEmulator: no syncSource configured');
    const changed: string[] = [];
    for (const u of this.users) {
      if (u.onPremisesSyncEnabled !== true) continue;
      const enabled = await source(u);
      if (enabled !== undefined && enabled !== u.accountEnabled) {
        u.accountEnabled = enabled;
        changed.push(u.userPrincipalName);
      }
    }
    return { changed };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const raw = await new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString('utf8')));
      req.on('end', () => resolve(s));
    });
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown = raw;
    if (contentType.includes('json') && raw) body = JSON.parse(raw);
    if (contentType.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), headers: req.headers, body, status: 0 };
    this.requests.push(rec);
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}): void => {
      rec.status = status;
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, { ...(text && { 'content-type': 'application/json' }), 'request-id': randomUUID(), ...headers });
      res.end(text);
    };
    try {
      const fault = this.faults.find((f) => f.times > 0 && f.path.test(url.pathname) && (!f.method || f.method === req.method));
      if (fault) {
        fault.times--;
        return reply(fault.status, fault.body ?? graphError('TooManyRequests', 'Emulated fault'), fault.headers);
      }
      if (req.method === 'POST' && url.pathname === `/${this.tenantId}/oauth2/v2.0/token`) return this.token(body as Record<string, string>, reply);
      if (req.method === 'POST' && url.pathname === '/_emulator/sync-tick') return reply(200, await this.syncTick());
      if (!url.pathname.startsWith('/v1.0/')) return reply(404, graphError('UnknownRoute', `no route ${url.pathname}`));
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const token = auth ? this.tokens.get(auth[1] as string) : undefined;
      if (!token) return reply(401, graphError('InvalidAuthenticationToken', 'Access token is empty or invalid.'));
      if (token.expiresAt <= this.now()) return reply(401, graphError('InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'));
      (rec as { clientId?: string }).clientId = token.clientId;
      await this.onRequest?.(rec);
      return this.graph(rec, url, token.roles, reply);
    } catch (err) {
      return reply(500, graphError('InternalServerError', String(err)));
    }
  }

  private token(form: Record<string, string>, reply: (s: number, p?: unknown) => void): void {
    this.tokenRequests++;
    const app = this.apps.get(form.client_id ?? '');
    if (form.grant_type !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The app requested an unsupported grant type.' });
    if (!app) return reply(400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.` });
    if (form.client_secret !== app.clientSecret) return reply(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
    if (form.scope !== 'https://graph.microsoft.com/.default') return reply(400, { error: 'invalid_scope', error_description: `AADSTS70011: The provided value for scope ${form.scope} is not valid.` });
    const lifetime = this.opts.tokenLifetimeSeconds ?? 3599;
    const token = `emu.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId: app.clientId, roles: app.roles, expiresAt: this.now() + lifetime * 1000 });
    reply(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
  }

  private graph(rec: RecordedRequest, url: URL, roles: readonly string[], reply: (s: number, p?: unknown) => void): void {
    const allowed = (needed: readonly string[]): boolean => needed.some((r) => roles.includes(r));
    const denied = (): void => reply(403, graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    const m = /^\/v1\.0\/users(?:\/([^/]+))?(?:\/([A-Za-z]+))?$/.exec(decodeURIComponent(url.pathname));
    if (!m) return reply(404, graphError('UnknownRoute', `no route ${url.pathname}`));
    const [, key, verb] = m;
    if (key === undefined) {
      if (rec.method !== 'GET') return reply(405, graphError('Request_BadRequest', 'method not allowed'));
      if (!allowed(READ)) return denied();
      const f = /^(\w+) eq '((?:[^']|'')*)'$/.exec(url.searchParams.get('$filter') ?? '');
      if (!f) return reply(400, graphError('Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.'));
      const [, prop, literal] = f as unknown as [string, keyof EmulatedUser, string];
      const value = literal.replace(/''/g, "'").toLowerCase();
      const hits = this.users.filter((u) => typeof u[prop] === 'string' && (u[prop] as string).toLowerCase() === value);
      return reply(200, { '@odata.count': hits.length, value: hits.map(publicView) });
    }
    const user = this.user(key);
    if (!user) return reply(404, graphError('Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`));
    if (verb === undefined && rec.method === 'GET') return allowed(READ) ? reply(200, publicView(user)) : denied();
    if (verb === undefined && rec.method === 'PATCH') {
      const patch = (rec.body ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(patch)) {
        if (k !== 'accountEnabled' && k !== 'passwordProfile') return reply(400, graphError('Request_BadRequest', `Property '${k}' is not supported by this emulator.`));
      }
      if ('accountEnabled' in patch && !allowed(ENABLE_DISABLE)) return denied();
      if ('passwordProfile' in patch) {
        if (!allowed(PASSWORD)) return denied();
        if (user.onPremisesSyncEnabled) return reply(400, graphError('Request_BadRequest', SYNCED_MESSAGE));
        const p = patch.passwordProfile as { password?: unknown; forceChangePasswordNextSignIn?: unknown };
        if (typeof p.password !== 'string' || p.password.length < 8) return reply(400, graphError('Request_BadRequest', 'The specified password does not comply with password complexity requirements. Please provide a different password.'));
        user.passwordProfile = { password: p.password, forceChangePasswordNextSignIn: p.forceChangePasswordNextSignIn === true };
      }
      if (typeof patch.accountEnabled === 'boolean') user.accountEnabled = patch.accountEnabled;
      return reply(204);
    }
    if (verb === 'revokeSignInSessions' && rec.method === 'POST') {
      if (!allowed(REVOKE)) return denied();
      user.signInSessionsValidFromDateTime = new Date(this.now()).toISOString();
      return reply(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
    }
    if (verb === 'checkMemberGroups' && rec.method === 'POST') {
      if (!allowed(GROUPS)) return denied();
      const ids = ((rec.body as { groupIds?: string[] } | undefined)?.groupIds ?? []).filter((g) => user.memberOf.includes(g));
      return reply(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)', value: ids });
    }
    return reply(405, graphError('Request_BadRequest', `${rec.method} ${url.pathname} is not supported`));
  }
}

function publicView(u: EmulatedUser): Omit<EmulatedUser, 'passwordProfile' | 'memberOf'> {
  const { passwordProfile: _p, memberOf: _m, ...rest } = u;
  return rest;
}

export function graphError(code: string, message: string): unknown {
  return { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } };
}
