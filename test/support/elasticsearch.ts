/**
 * A real single-node Elasticsearch 8 on 127.0.0.1 for the Elastic adapter's tests, started at
 * most once per mocha run and stopped by a root `after` hook. The distribution is Elastic's own
 * integ-test zip from Maven Central, fetched and unpacked by `.ci/elasticsearch.sh` (which
 * `.ci/run` calls): the real server with transport-netty4 and x-pack core/security only, so
 * PIT, `search_after`, bulk, data streams, composable templates and `if_seq_no` concurrency are
 * real, while EQL, ES|QL, painless and `GET /` (rest-root) are absent.
 *
 * The node refuses to run as root, so as root it runs as the system user the script creates.
 * Heap 512 MB; security off (loopback only); free ports picked per run; data in a temp dir.
 * In CI (CI=true) a node that does not come up fails the suite; elsewhere the Elastic tests
 * skip and say why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { stopProcessGroup } from './process-group';

export const ES_RUN_USER = 'tierzero-es';
/** 90 s; a loaded machine (several suites sharing two cores) may need longer: TIERZERO_ES_READY_TIMEOUT_MS. */
const READY_TIMEOUT_MS = Number(process.env.TIERZERO_ES_READY_TIMEOUT_MS) > 0 ? Number(process.env.TIERZERO_ES_READY_TIMEOUT_MS) : 90_000;

export interface EsNode {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly version: string;
  readonly startSeconds: number;
  /** The node's log so far (for a failing test's message). */
  log(): string;
}

let node: Promise<EsNode | { unavailable: string }> | undefined;
let child: ChildProcess | undefined;
let dataDir: string | undefined;
let announced = false;
let output = '';

/** Call from a `before` hook: the shared node, or a skip (outside CI) / failure (in CI). */
export async function useElasticsearch(ctx: Mocha.Context): Promise<EsNode> {
  ctx.timeout(READY_TIMEOUT_MS + 30_000);
  node ??= startNode().catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }));
  const first = !announced;
  announced = true;
  const r = await node;
  if (first && !('unavailable' in r)) console.log(`      (Elasticsearch ${r.version} on ${r.url} ready in ${r.startSeconds.toFixed(1)} s)`);
  if ('unavailable' in r) {
    if (process.env.CI === 'true') throw new Error(`Elasticsearch unavailable in CI (the Elastic suite must run): ${r.unavailable}`);
    console.warn(`      (skipping: no Elasticsearch node — ${r.unavailable})`);
    ctx.skip();
  }
  return r as EsNode;
}

// Root hook: runs once after every test file, whether or not the node was ever started.
after(async function () {
  this.timeout(30_000);
  await stopNode();
});

/** The unpacked distribution: TIERZERO_ES_HOME, else the cache `.ci/elasticsearch.sh` fills. */
export function esHome(): string | undefined {
  const fromEnv = process.env.TIERZERO_ES_HOME;
  if (fromEnv) return existsSync(join(fromEnv, 'bin', 'elasticsearch')) ? fromEnv : undefined;
  const cache = resolve(__dirname, '..', '..', '.cache', 'elasticsearch');
  if (!existsSync(cache)) return undefined;
  const dir = readdirSync(cache).filter((d) => /^elasticsearch-8\.\d+\.\d+$/.test(d)).sort().pop();
  return dir && existsSync(join(cache, dir, 'bin', 'elasticsearch')) ? join(cache, dir) : undefined;
}

function javaHome(): string | undefined {
  if (process.env.ES_JAVA_HOME) return process.env.ES_JAVA_HOME;
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  for (const d of ['/usr/lib/jvm/java-17-openjdk-amd64', '/usr/lib/jvm/java-17-openjdk-arm64']) if (existsSync(join(d, 'bin', 'java'))) return d;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

async function startNode(): Promise<EsNode> {
  const home = esHome();
  if (!home) throw new Error('no Elasticsearch distribution: run `bash .ci/elasticsearch.sh` (fetches it from Maven Central) or set TIERZERO_ES_HOME');
  const java = javaHome();
  if (!java) throw new Error('no Java 17 (set ES_JAVA_HOME)');
  const version = /elasticsearch-(\d+\.\d+\.\d+)$/.exec(home)?.[1] ?? 'unknown';
  const started = Date.now();
  const [httpPort, transportPort] = [await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'tierzero-es-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    try {
      const uid = Number(execFileSync('id', ['-u', ES_RUN_USER], { encoding: 'utf8' }).trim());
      chownSync(dataDir, uid, -1);
    } catch {
      throw new Error(`running as root and no user ${ES_RUN_USER} (the node refuses root): run \`bash .ci/elasticsearch.sh\``);
    }
  }
  const args = [
    '-E', 'discovery.type=single-node',
    '-E', 'network.host=127.0.0.1',
    '-E', `http.port=${httpPort}`,
    '-E', `transport.port=${transportPort}`,
    '-E', `path.data=${join(dataDir, 'data')}`,
    '-E', `path.logs=${join(dataDir, 'logs')}`,
    '-E', 'xpack.security.enabled=false',
    '-E', 'cluster.routing.allocation.disk.threshold_enabled=false',
    '-E', 'action.destructive_requires_name=false',
  ];
  const bin = join(home, 'bin', 'elasticsearch');
  const [cmd, argv] = asRoot ? ['runuser', ['-u', ES_RUN_USER, '--', bin, ...args]] : [bin, args];
  output = '';
  child = spawn(cmd, argv, {
    env: { ...process.env, ES_JAVA_HOME: java, ES_JAVA_OPTS: '-Xms512m -Xmx512m -XX:ActiveProcessorCount=2', ES_TMPDIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited ${code ?? signal}`;
  });
  const url = `http://127.0.0.1:${httpPort}`;
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (exited) throw new Error(`Elasticsearch ${exited}: ${output.slice(-2000)}`);
    try {
      const r = await fetch(`${url}/_cluster/health?wait_for_status=green&timeout=1s`, { signal: AbortSignal.timeout(3000) });
      if (r.ok && ((await r.json()) as { status?: string }).status === 'green') {
        return { url, version, startSeconds: (Date.now() - started) / 1000, log: () => output };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Elasticsearch not green after ${READY_TIMEOUT_MS / 1000} s: ${output.slice(-2000)}`);
}

async function stopNode(): Promise<void> {
  const c = child;
  child = undefined;
  node = undefined;
  await stopProcessGroup(c, 15_000);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}
