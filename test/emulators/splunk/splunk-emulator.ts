import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStore, type NewEvent } from './event-store';
import { Hec, type HecToken } from './hec';
import { answerFault, messages, readBody, record, sendJson, takeFault, type Fault, type RecordedRequest } from './http-util';
import { KvStore } from './kvstore';
import { Search } from './search';
import type { MacroDefinition } from './spl-eval';

/**
 * A Splunk Enterprise stand-in on 127.0.0.1, written from Splunk's REST API reference and HEC
 * docs (research/platforms.md §1, §5.1), for the real splunk-sdk and tierzero's own client:
 * - management port: auth/login, server/info, search jobs v1 and v2 (create, status, results,
 *   control, export), storage/passwords, KV store collections; app namespaces with macros;
 * - HEC port: collector/event, collector/ack, collector/health.
 * Every request is recorded; faults (status codes, cut connections, cut export streams,
 * expired sessions) are injected per test.
 */
export interface SplunkEmulatorOptions {
  /** Server version reported by server/info: ≥ 9.0.2 makes splunk-sdk use the v2 search API. */
  readonly version?: string;
  readonly users?: Readonly<Record<string, string>>;
  /** Authentication tokens accepted as `Authorization: Bearer`. */
  readonly tokens?: readonly string[];
  readonly hecTokens?: Readonly<Record<string, HecToken>>;
  /** app → macro stanza (`name`, or `name(1)` with arguments) → definition (macros.conf of each app). */
  readonly apps?: Readonly<Record<string, {
    readonly macros?: Readonly<Record<string, MacroDefinition>>;
    readonly collections?: readonly string[];
    /** KV store lookups (transforms.conf `external_type = kvstore`): lookup name → collection. */
    readonly lookups?: Readonly<Record<string, string>>;
  }>>;
  /** app → `realm:username:` → clear password. */
  readonly storagePasswords?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Clock in epoch ms (index time of HEC events, relative time arguments). */
  readonly now?: () => number;
}

export class SplunkEmulator {
  readonly store = new EventStore();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly kv = new KvStore();
  readonly hec: Hec;
  readonly search: Search;
  readonly now: () => number;
  /** Runs before each request is answered (e.g. to expire sessions at a given moment). */
  onRequest?: (r: RecordedRequest) => void;
  private readonly gates: { readonly path: RegExp; readonly arrivals: number; waiting: (() => void)[] }[] = [];
  private readonly sessions = new Set<string>();
  private readonly macros = new Map<string, Map<string, MacroDefinition>>();
  private mgmt?: Server;
  private hecServer?: Server;
  private mgmtBase = '';
  private hecBase = '';

  constructor(private readonly o: SplunkEmulatorOptions = {}) {
    this.now = o.now ?? (() => Date.now());
    for (const [app, def] of Object.entries(o.apps ?? {})) {
      this.macros.set(app, new Map(Object.entries(def.macros ?? {})));
      for (const c of def.collections ?? []) this.kv.declare(app, c);
    }
    this.hec = new Hec({ ...(o.hecTokens ?? {}) }, this.store, this.now);
    this.search = new Search(this.store, this.now, (app) => this.macros.get(app ?? '') ?? new Map(), (app, name) => {
      const collection = o.apps?.[app ?? '']?.lookups?.[name];
      return collection === undefined ? undefined : this.kv.rows(app ?? '', collection);
    });
  }

  get url(): string {
    return this.mgmtBase;
  }

  get hecUrl(): string {
    return this.hecBase;
  }

  get version(): string {
    return this.o.version ?? '9.3.1';
  }

  async start(): Promise<this> {
    this.mgmt = createServer((req, res) => void this.serve('management', req, res));
    this.hecServer = createServer((req, res) => void this.serve('hec', req, res));
    this.mgmtBase = await listen(this.mgmt);
    this.hecBase = await listen(this.hecServer);
    return this;
  }

  async stop(): Promise<void> {
    for (const s of [this.mgmt, this.hecServer]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  addEvent(e: NewEvent): void {
    this.store.add(e);
  }

  /** A session key as splunkd hands a scripted input or an alert action (passAuth, payload). */
  issueSessionKey(): string {
    const key = randomBytes(24).toString('base64url');
    this.sessions.add(key);
    return key;
  }

  /** Every session key stops working, as when splunkd's session timeout passes. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /**
   * Holds requests to `path` until `arrivals` of them have come in, then answers them all: makes
   * two clients overlap deterministically (both are past their earlier steps), without sleeps.
   */
  holdUntil(path: RegExp, arrivals: number): void {
    this.gates.push({ path, arrivals, waiting: [] });
  }

  private async passGates(r: RecordedRequest): Promise<void> {
    for (const gate of this.gates) {
      if (!gate.path.test(r.path)) continue;
      if (gate.waiting.length + 1 >= gate.arrivals) {
        this.gates.splice(this.gates.indexOf(gate), 1);
        for (const release of gate.waiting) release();
        return;
      }
      await new Promise<void>((resolve) => gate.waiting.push(resolve));
      return;
    }
  }

  requestsTo(path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => path.test(r.path));
  }

  private async serve(server: 'management' | 'hec', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = record(server, req, await readBody(req));
    this.requests.push(r);
    await this.passGates(r);
    this.onRequest?.(r);
    try {
      const fault = takeFault(this.faults, r);
      r.status = fault ? answerFault(fault, req, res) : server === 'hec' ? this.hec.handle(r, res) : await this.management(r, req, res);
    } catch (e) {
      r.status = 500;
      if (!res.headersSent) sendJson(res, 500, messages('ERROR', `emulator: ${(e as Error).message}`));
      else res.destroy();
    }
  }

  private async management(r: RecordedRequest, req: IncomingMessage, res: ServerResponse): Promise<number> {
    const ns = namespace(r.path);
    if (!ns) return reply(res, 404, messages('ERROR', `Not Found: ${r.path}`));
    if (ns.rest === 'auth/login' && r.method === 'POST') return this.login(r, res);
    const who = this.authenticate(r);
    if (!who) return reply(res, 401, messages('WARN', 'call not properly authenticated'));
    if (ns.rest === 'server/info' && r.method === 'GET') {
      return reply(res, 200, { generator: { build: 'emulated', version: this.version }, entry: [{ name: 'server-info', content: { version: this.version, serverName: 'emulator', build: 'emulated' } }] });
    }
    if (ns.rest.startsWith('search/')) return this.search.handle(ns.app, ns.rest, r, req, res, this.v2Supported());
    if (ns.rest.startsWith('storage/collections/')) return this.kv.handle(ns.app, ns.rest, r, res);
    const pw = /^storage\/passwords\/([^/]+)$/.exec(ns.rest);
    if (pw && r.method === 'GET') {
      const name = decodeURIComponent(pw[1] as string);
      const value = this.o.storagePasswords?.[ns.app ?? '']?.[name];
      if (value === undefined) return reply(res, 404, messages('ERROR', `Could not find object id=${name}`));
      const [realm, username] = name.split(':');
      return reply(res, 200, { entry: [{ name, content: { realm, username, clear_password: value, encr_password: '$7$emulated' } }] });
    }
    return reply(res, 404, messages('ERROR', `Not Found: ${r.path}`));
  }

  private login(r: RecordedRequest, res: ServerResponse): number {
    const { username, password } = r.params;
    if (username === undefined || password === undefined || this.o.users?.[username] !== password) {
      return reply(res, 401, messages('WARN', 'Login failed'));
    }
    return reply(res, 200, { sessionKey: this.issueSessionKey() });
  }

  private authenticate(r: RecordedRequest): string | undefined {
    const auth = r.headers['authorization'] ?? '';
    const m = /^(Splunk|Bearer)\s+(\S+)$/.exec(auth);
    if (!m) return undefined;
    const [, scheme, value] = m;
    if (scheme === 'Splunk' && this.sessions.has(value as string)) return 'session';
    if (scheme === 'Bearer' && this.o.tokens?.includes(value as string)) return 'token';
    return undefined;
  }

  /** splunk-sdk switches to v2 from 9.0.2 (lib/context.js); an older server has no v2 paths. */
  private v2Supported(): boolean {
    const [a = 0, b = 0, c = 0] = this.version.split('.').map(Number);
    return a > 9 || (a === 9 && (b > 0 || c >= 2));
  }
}

/** `/services/x` or `/servicesNS/{owner}/{app}/x` → the app (if any) and `x`. */
function namespace(rawPath: string): { app: string | undefined; rest: string } | undefined {
  // splunk-sdk posts to collections with a trailing slash (`search/v2/jobs/`).
  const path = rawPath.replace(/\/+$/, '');
  let m = /^\/services\/(.+)$/.exec(path);
  if (m) return { app: undefined, rest: m[1] as string };
  m = /^\/servicesNS\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
  if (m) return { app: decodeURIComponent(m[2] as string), rest: m[3] as string };
  return undefined;
}

function reply(res: ServerResponse, status: number, body: unknown): number {
  sendJson(res, status, body);
  return status;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
