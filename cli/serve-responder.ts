import { readFileSync } from 'node:fs';
import { buildResponder } from '../playbooks/build';
import { ConfigError, loadSecret } from '../playbooks/config';
import { loadResponseSettings } from '../playbooks/load-config';
import { scrubSecrets } from '../core/config/secret';
import { startResponderServer, type RunningServer } from '../playbooks/server';
import { parse, UsageError } from './args';
import { SERVE_RESPONDER } from './commands';
import { reportFailure } from './failure';

export interface ServeIo {
  readonly err: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the service should stop (SIGINT/SIGTERM by default). */
  readonly stopped: Promise<unknown>;
  readonly onListening?: (server: RunningServer) => void;
}

/** `tierzero serve-responder` — runs until SIGINT/SIGTERM; 2 on usage or config errors, 3 when it cannot start (port in use, unreadable TLS files). */
export async function run(argv: string[], io?: ServeIo): Promise<number> {
  const sio: ServeIo = io ?? {
    err: (s) => process.stderr.write(s),
    env: process.env,
    stopped: new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }),
  };
  // Help goes to stdout like every command's; the service itself logs only to stderr.
  const fail = (e: unknown): number => reportFailure(SERVE_RESPONDER, e, { out: (t) => process.stdout.write(t), err: sio.err, env: sio.env });
  let values;
  try {
    const parsed = parse(argv, SERVE_RESPONDER);
    if (parsed.positionals.length) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
    values = parsed.values;
  } catch (e) {
    return fail(e);
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) return fail(new UsageError('--port must be an integer from 0 to 65535'));
  const log = (entry: Record<string, unknown>): void => sio.err(`${scrubSecrets(JSON.stringify({ time: new Date().toISOString(), ...entry }))}\n`);
  let server: RunningServer;
  try {
    const settings = loadResponseSettings(values.config ?? 'tierzero.json', sio.env);
    const r = settings.responder;
    if (!r.token) throw new ConfigError('response.responder.tokenEnv', 'or response.responder.tokenFile is required: callers must present this bearer token');
    const token = loadSecret(r.token, { env: sio.env });
    server = await startResponderServer({
      responder: buildResponder(settings),
      token,
      host: r.host,
      port: port ?? r.port,
      ...(r.tls && { tls: { cert: readFileSync(r.tls.certFile), key: readFileSync(r.tls.keyFile) } }),
      returnGeneratedPasswords: r.returnGeneratedPasswords,
      log,
    });
    log({ level: 'info', msg: 'listening', url: server.url, auditLog: settings.auditLog });
  } catch (err) {
    return fail(err);
  }
  sio.onListening?.(server);
  await sio.stopped;
  await server.close();
  log({ level: 'info', msg: 'stopped' });
  return 0;
}
