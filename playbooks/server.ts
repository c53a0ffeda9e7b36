import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseActionBody, pickIdentifier } from './request-schema';
import type { ActionResult, Responder } from './responder';
import { scrubSecrets, type Secret } from '../core/config/secret';

export interface ResponderServerOptions {
  readonly responder: Responder;
  readonly token: Secret;
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Off by default: a SIEM would store the password in its action logs. */
  readonly returnGeneratedPasswords: boolean;
  /** Structured request log (one JSON object per call); never given bodies or headers. */
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * `tierzero serve-responder`: the endpoint SIEM actions call (POST /v1/actions). Bearer-token
 * auth compared in constant time, strict JSON validation, one action at a time so the circuit
 * breaker and the directories see a clean sequence.
 */
export async function startResponderServer(opts: ResponderServerOptions): Promise<RunningServer> {
  const expected = digest(opts.token.reveal());
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    handle(req, opts, expected, serial)
      .then(({ status, body, actionId, reveal }) => {
        send(res, status, body, reveal);
        opts.log?.({ level: status >= 500 ? 'error' : 'info', msg: 'request', method: req.method, path: req.url, status, actionId, remote: req.socket.remoteAddress, ms: Date.now() - started });
      })
      .catch((err: unknown) => {
        send(res, 500, { error: 'internal_error', message: scrubSecrets(err instanceof Error ? err.message : String(err)) });
        opts.log?.({ level: 'error', msg: 'request failed', method: req.method, path: req.url, error: scrubSecrets(String(err)) });
      });
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly actionId?: string;
  /** The generated password, when the operator opted in to returning it (added after scrubbing). */
  readonly reveal?: string;
}

async function handle(req: IncomingMessage, opts: ResponderServerOptions, expected: Buffer, serial: <T>(fn: () => Promise<T>) => Promise<T>): Promise<Reply> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz' && req.method === 'GET') return { status: 200, body: { status: 'ok' } };
  if (path !== '/v1/actions') return { status: 404, body: { error: 'not_found', message: 'POST /v1/actions is the only endpoint' } };
  if (req.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed', message: 'use POST' } };
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) return { status: 401, body: { error: 'unauthorized', message: 'send Authorization: Bearer <token>' } };
  // Digests have equal length, so timingSafeEqual never throws and leaks no length either.
  if (!timingSafeEqual(digest(m[1] as string), expected)) return { status: 401, body: { error: 'unauthorized', message: 'invalid token' } };
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return { status: 415, body: { error: 'unsupported_media_type', message: 'send Content-Type: application/json' } };
  }
  const raw = await readBody(req);
  if (raw === undefined) return { status: 413, body: { error: 'too_large', message: `body exceeds ${MAX_BODY_BYTES} bytes` } };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { status: 400, body: { error: 'bad_request', message: 'body is not valid JSON' } };
  }
  const parsed = parseActionBody(json);
  if (!parsed.ok) return { status: 400, body: { error: 'bad_request', message: parsed.message } };
  const b = parsed.body;
  const result = await serial(() =>
    opts.responder.run({
      action: b.action,
      user: pickIdentifier(b.user),
      actor: `responder:${b.requestedBy ?? 'unnamed caller'}@${req.socket.remoteAddress ?? 'unknown'}`,
      ...(b.reason !== undefined && { reason: b.reason }),
      ...(b.alertId !== undefined && { alertId: b.alertId }),
      ...(b.dryRun !== undefined && { dryRun: b.dryRun }),
    }),
  );
  if (result.error?.type === 'InvalidIdentifierError') return { status: 400, body: { error: 'bad_request', message: result.message }, actionId: result.actionId };
  const { temporaryPassword, ...rest } = result;
  return {
    status: statusFor(result),
    body: rest,
    actionId: result.actionId,
    ...(opts.returnGeneratedPasswords && temporaryPassword !== undefined && { reveal: temporaryPassword }),
  };
}

/** HTTP status a SIEM can branch on without parsing the body. */
function statusFor(r: ActionResult): number {
  switch (r.outcome) {
    case 'succeeded':
    case 'dry-run':
      return 200;
    case 'partial':
      return 207;
    case 'not-applicable':
      return 422;
    case 'refused':
      return r.error?.type === 'CircuitOpenError' ? 503 : 403;
    case 'failed':
      if (r.error?.type === 'UserNotFoundError') return 404;
      if (r.error?.type === 'AmbiguousUserError') return 409;
      return 502;
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, reveal?: string): void {
  let text = scrubSecrets(JSON.stringify(body));
  if (reveal !== undefined) text = JSON.stringify({ ...(JSON.parse(text) as object), temporaryPassword: reveal });
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="tierzero-responder"';
  res.writeHead(status, headers);
  res.end(text);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
