import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TlsSettings } from './config';

/**
 * The HTTP client for what splunk-sdk cannot do (stream an export, HEC), and the transport
 * under splunk-sdk itself (see sdk.ts): one place where TLS verification is on by default,
 * with the operator's CA bundle. splunk-sdk's own transport hard-codes
 * `rejectUnauthorized: false` (lib/platform/node/node_http.js), which would send the Splunk
 * password to any server that answers.
 */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A transport failure (connection refused/reset, timeout, TLS): the request may be retried. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

export class HttpClient {
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(private readonly secure: boolean, tls: TlsSettings) {
    this.agent = secure
      ? new HttpsAgent({
        keepAlive: true,
        rejectUnauthorized: tls.verify,
        ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls.serverName ? { servername: tls.serverName } : {}),
      })
      : new HttpAgent({ keepAlive: true });
  }

  static for(url: URL, tls: TlsSettings): HttpClient {
    return new HttpClient(url.protocol === 'https:', tls);
  }

  /** The whole response body as text. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.open(req);
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (e) {
      throw new TransportError(`${req.method} ${req.url.pathname}: response cut off (${(e as Error).message})`, (e as NodeJS.ErrnoException).code);
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
  }

  /** The response as a stream: the caller reads (and must consume or destroy) it. */
  open(req: HttpRequest): Promise<IncomingMessage> {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const make = this.secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = make(req.url, {
        method: req.method,
        agent: this.agent,
        headers: { ...(req.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}) },
      }, (res) => {
        // Inactivity on an open stream is a transport failure too, not a hang.
        res.setTimeout(req.timeoutMs, () => res.destroy(new TransportError(`no data for ${req.timeoutMs} ms`, 'ETIMEDOUT')));
        resolve(res);
      });
      r.setTimeout(req.timeoutMs, () => r.destroy(new TransportError(`no response within ${req.timeoutMs} ms`, 'ETIMEDOUT')));
      r.on('error', (e: NodeJS.ErrnoException) => reject(new TransportError(`${req.method} ${req.url.host}${req.url.pathname}: ${e.message}`, e.code)));
      r.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function header(res: { headers: IncomingMessage['headers'] }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
