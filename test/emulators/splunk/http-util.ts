import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request as the emulator saw it, kept so tests can assert on what was sent. */
export interface RecordedRequest {
  readonly server: 'management' | 'hec';
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** Form fields (form-encoded bodies) merged with the query, as Splunk's REST handlers read them. */
  readonly params: Record<string, string>;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  status: number;
}

/** A fault to inject: the next `times` matching requests get this answer (or a cut connection). */
export interface Fault {
  readonly server?: 'management' | 'hec';
  readonly method?: string;
  readonly path: RegExp;
  times: number;
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Drop the connection without an answer. */
  readonly reset?: boolean;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function record(server: RecordedRequest['server'], req: IncomingMessage, body: string): RecordedRequest {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const query = Object.fromEntries(url.searchParams);
  const form = /application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '') ? Object.fromEntries(new URLSearchParams(body)) : {};
  return { server, method: req.method ?? 'GET', path: url.pathname, query, params: { ...query, ...form }, headers: req.headers, body, status: 0 };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Splunk's REST error body. */
export function messages(type: string, text: string): { messages: { type: string; text: string }[] } {
  return { messages: [{ type, text }] };
}

export function takeFault(faults: Fault[], r: RecordedRequest): Fault | undefined {
  const f = faults.find((x) => x.times > 0 && (x.server === undefined || x.server === r.server) && (x.method === undefined || x.method === r.method) && x.path.test(r.path));
  if (f) f.times--;
  return f;
}

export function answerFault(f: Fault, req: IncomingMessage, res: ServerResponse): number {
  if (f.reset) {
    req.socket.destroy();
    return 0;
  }
  sendJson(res, f.status ?? 503, f.body ?? messages('ERROR', 'injected fault'), f.headers);
  return f.status ?? 503;
}
