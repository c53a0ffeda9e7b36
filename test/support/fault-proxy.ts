/**
 * A loopback HTTP proxy in front of a real server (the test Elasticsearch node), which answers
 * chosen requests itself — a 429, a 503, a per-item bulk failure — or runs a hook before
 * forwarding one (delete the PIT between two pages). nock cannot sit in front of a real
 * server; this can, and the client under test talks to it exactly as to the node.
 *
 *   const proxy = await FaultProxy.start(es.url);
 *   proxy.inject({ match: (r) => r.path.startsWith('/_search'), times: 2, respond: { status: 429 } });
 *   new Client({ node: proxy.url }) …
 *   await proxy.close();
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ProxiedRequest {
  readonly method: string;
  /** Path and query, as sent (`/_search?typed_keys=true`). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface CannedResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FaultRule {
  readonly match: (r: ProxiedRequest) => boolean;
  /** How many matching requests the rule applies to; then it retires. */
  times: number;
  /** Answer with this instead of forwarding. */
  readonly respond?: CannedResponse | ((r: ProxiedRequest) => CannedResponse);
  /** Run before forwarding (to change the server's state under the client). */
  readonly before?: (r: ProxiedRequest) => Promise<void>;
  /** Rewrite the server's answer before the client sees it (per-item bulk errors). */
  readonly rewrite?: (upstream: { status: number; body: string }, r: ProxiedRequest) => CannedResponse;
}

export class FaultProxy {
  /** Every request seen, in order, with whether a rule answered it. */
  readonly log: { readonly method: string; readonly path: string; readonly injected: boolean }[] = [];
  private readonly rules: FaultRule[] = [];

  private constructor(private readonly server: Server, readonly url: string, private readonly target: URL) {}

  static async start(target: string): Promise<FaultProxy> {
    const t = new URL(target);
    if (t.hostname !== '127.0.0.1' && t.hostname !== 'localhost' && t.hostname !== '::1') throw new Error(`the fault proxy forwards to loopback only, not ${t.hostname}`);
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (proxy as FaultProxy).handle({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }, Buffer.concat(chunks))
          .then((out) => {
            res.writeHead(out.status, out.headers);
            res.end(out.body);
          })
          .catch((e: unknown) => {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(`fault proxy: ${e instanceof Error ? e.message : String(e)}`);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    proxy = new FaultProxy(server, `http://127.0.0.1:${port}`, t);
    return proxy;
  }

  inject(rule: FaultRule): this {
    this.rules.push(rule);
    return this;
  }

  /** Drops every rule still armed. */
  clear(): void {
    this.rules.length = 0;
  }

  /** How many armed rule applications are left (a test asserts 0: every fault was hit). */
  pending(): number {
    return this.rules.reduce((n, r) => n + r.times, 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(r: ProxiedRequest, raw: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const rule = this.rules.find((x) => x.times > 0 && x.match(r));
    if (rule) rule.times--;
    this.log.push({ method: r.method, path: r.path, injected: rule?.respond !== undefined || rule?.rewrite !== undefined });
    if (rule?.respond) return canned(typeof rule.respond === 'function' ? rule.respond(r) : rule.respond);
    if (rule?.before) await rule.before(r);
    const upstream = await this.forward(r, raw);
    if (rule?.rewrite) return canned(rule.rewrite({ status: upstream.status, body: upstream.body.toString('utf8') }, r));
    return upstream;
  }

  private forward(r: ProxiedRequest, raw: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...r.headers, host: this.target.host };
      delete headers['content-length'];
      const req = httpRequest({ host: this.target.hostname, port: this.target.port, method: r.method, path: r.path, headers: { ...headers, 'content-length': String(raw.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(raw);
    });
  }
}

/**
 * A canned answer as Elasticsearch sends one: JSON, and the product header the client checks
 * on every 2xx (elastic-transport-js ProductCheck).
 */
function canned(c: CannedResponse): { status: number; headers: Record<string, string>; body: Buffer } {
  const body = c.body === undefined ? defaultBody(c.status) : c.body;
  return {
    status: c.status,
    headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', ...c.headers },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

/** The error bodies Elasticsearch sends for the statuses tests inject. */
function defaultBody(status: number): unknown {
  if (status === 429) return { error: { root_cause: [{ type: 'es_rejected_execution_exception', reason: 'rejected execution (injected)' }], type: 'es_rejected_execution_exception', reason: 'rejected execution (injected)' }, status };
  if (status === 503) return { error: { root_cause: [{ type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized] (injected)' }], type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized] (injected)' }, status };
  return { error: { type: 'injected', reason: `injected ${status}` }, status };
}
