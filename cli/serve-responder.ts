import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildResponder } from '../playbooks/build';
import { ConfigError, loadSecret } from '../playbooks/config';
import { loadResponseSettings } from '../playbooks/load-config';
import { scrubSecrets } from '../core/config/secret';
import { startResponderServer, type RunningServer } from '../playbooks/server';

const USAGE = 'usage: tierzero serve-responder [--config tierzero.json] [--port n]\n';

export interface ServeIo {
  readonly err: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the service should stop (SIGINT/SIGTERM by default). */
  readonly stopped: Promise<unknown>;
  readonly onListening?: (server: RunningServer) => void;
}

/** `tierzero serve-responder` — runs until SIGINT/SIGTERM; 2 on usage or config errors. */
export async function run(argv: string[], io?: ServeIo): Promise<number> {
  const sio: ServeIo = io ?? {
    err: (s) => process.stderr.write(s),
    env: process.env,
    stopped: new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }),
  };
  let values: { config?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { config: { type: 'string', short: 'c' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    sio.err(`tierzero serve-responder: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    sio.err(USAGE);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    sio.err(`tierzero serve-responder: --port must be an integer from 0 to 65535\n${USAGE}`);
    return 2;
  }
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
    sio.err(`tierzero serve-responder: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
    return 2;
  }
  sio.onListening?.(server);
  await sio.stopped;
  await server.close();
  log({ level: 'info', msg: 'stopped' });
  return 0;
}
