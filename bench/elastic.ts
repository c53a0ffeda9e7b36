/**
 * `npm run bench -- --elastic [--events N --accounts N --seed S --hours H]`
 *
 * The synthetic workload (the same file `npm run bench` measures) indexed into a real
 * Elasticsearch node as Elastic Agent would (test/adapters/elastic/to-ecs.ts), then pulled
 * back through ElasticSource with the pushed-down pull plan. Reports the pull throughput
 * (events/s read from the node and mapped to canonical records) and the push-down ratio
 * (events pulled / events indexed: what the plan's filter leaves on the node). Indexing speed
 * is printed too, for context. Never part of the test suite.
 *
 * The node: TIERZERO_ES_URL (an already running node, which gets one index per run and keeps
 * it), or the distribution at TIERZERO_ES_HOME / .cache/elasticsearch (as the tests use),
 * started on 127.0.0.1 with a 512 MB heap and stopped afterwards.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@elastic/elasticsearch';
import { eventMappings } from '../adapters/elastic/dsl';
import { ElasticSource } from '../adapters/elastic/source';
import { retryPolicy } from '../adapters/http/retry';
import { resolveConfig } from '../core/config/config';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { listSettings } from '../core/rules/params';
import { pullPlan } from '../core/rules/pull-plan';
import { toEcs } from '../test/adapters/elastic/to-ecs';
import { log } from './child-phase';

export interface ElasticBenchResult {
  readonly indexed: number;
  readonly indexSeconds: number;
  readonly pulled: number;
  readonly pullSeconds: number;
  readonly pullEventsPerSecond: number;
  readonly pushDownRatio: number;
  readonly pages: number;
  readonly malformed: number;
  readonly esVersion: string;
  readonly load: string;
}

const INDEX = 'logs-system.security-tzbench';
const SETTLE_SECONDS = 1;

export async function elasticBench(file: string, rawConfig: unknown): Promise<ElasticBenchResult> {
  const node = await startNode();
  const client = new Client({ node: node.url, requestTimeout: 300_000 });
  try {
    const info = await client.nodes.info({ filter_path: 'nodes.*.version' });
    const esVersion = Object.values(info.nodes)[0]?.version ?? 'unknown';
    await client.indices.delete({ index: INDEX, ignore_unavailable: true });
    await client.indices.create({
      index: INDEX,
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1', 'index.translog.durability': 'async' },
      mappings: eventMappings(),
    });
    log(`indexing ${file} into ${INDEX} on Elasticsearch ${esVersion} …`);
    const t0 = performance.now();
    const started = Date.now();
    let indexed = 0;
    let ops: unknown[] = [];
    const flush = async (): Promise<void> => {
      if (!ops.length) return;
      const res = await client.bulk({ operations: ops }, { maxRetries: 5 });
      ops = [];
      if (res.errors) throw new Error(`bulk failed: ${JSON.stringify(res.items.find((i) => Object.values(i)[0]?.error)).slice(0, 400)}`);
    };
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      // Every document its own millisecond of ingest time, in file order (as a steady shipper).
      ops.push({ create: { _index: INDEX } }, toEcs(r, 'agent', new Date(started + indexed).toISOString()));
      indexed++;
      if (ops.length >= 10_000) await flush();
      if (indexed % 200_000 === 0) log(`… ${indexed.toLocaleString('en-US')} indexed`);
    }
    await flush();
    await client.indices.refresh({ index: INDEX });
    await client.indices.forcemerge({ index: INDEX, max_num_segments: 1 }).catch(() => undefined);
    const indexSeconds = (performance.now() - t0) / 1000;
    log(`indexed ${indexed.toLocaleString('en-US')} in ${indexSeconds.toFixed(1)} s; pulling with the pushed-down plan …`);

    const config = resolveConfig(rawConfig, DETECTOR_MODULES.map((m) => m.declaration));
    const plan = pullPlan(DETECTOR_MODULES, config);
    const source = new ElasticSource({
      client, plan, policy: retryPolicy(5),
      settings: { windowsIndexes: [INDEX], entraIndexes: [], lists: listSettings(config), settleSeconds: SETTLE_SECONDS, pageSize: 5000 },
      clock: () => started + indexed + 10_000, initialLookbackMinutes: 24 * 60,
    });
    const t1 = performance.now();
    let pulled = 0;
    for await (const page of source.pull(null)) pulled += page.length;
    const pullSeconds = (performance.now() - t1) / 1000;
    return {
      indexed, indexSeconds, pulled, pullSeconds, pullEventsPerSecond: pulled / pullSeconds, pushDownRatio: pulled / indexed,
      pages: source.stats.pages, malformed: source.stats.malformed, esVersion, load: loadavg().map((l) => l.toFixed(1)).join(' '),
    };
  } finally {
    await client.close();
    await node.stop();
  }
}

export function formatElastic(r: ElasticBenchResult): string[] {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  return [
    `Elasticsearch ${r.esVersion} (single node, 512 MB heap, 127.0.0.1)`,
    `indexed:   ${n(r.indexed)} events in ${r.indexSeconds.toFixed(1)} s (${n(r.indexed / r.indexSeconds)} events/s, bulk create, one refresh)`,
    `pull:      ${n(r.pulled)} events in ${r.pullSeconds.toFixed(1)} s = ${n(r.pullEventsPerSecond)} events/s from the node (PIT + search_after, ${r.pages} pages, mapped to canonical records)`,
    `push-down: ${(r.pushDownRatio * 100).toFixed(1)} % of the indexed events pulled (${n(r.pulled)} / ${n(r.indexed)}); ${r.malformed} malformed`,
    `load average at the end: ${r.load}`,
  ];
}

// ——— the node ———

export interface RunningNode {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startNode(): Promise<RunningNode> {
  const given = process.env['TIERZERO_ES_URL'];
  if (given) {
    const u = new URL(given);
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname)) throw new Error('TIERZERO_ES_URL must be a loopback node');
    return { url: given, stop: async () => undefined };
  }
  const home = process.env['TIERZERO_ES_HOME'] ?? cachedHome();
  if (!home || !existsSync(join(home, 'bin', 'elasticsearch'))) throw new Error('no Elasticsearch: set TIERZERO_ES_HOME (or TIERZERO_ES_URL), or run `bash .ci/elasticsearch.sh`');
  const java = process.env['ES_JAVA_HOME'] ?? process.env['JAVA_HOME'] ?? ['/usr/lib/jvm/java-17-openjdk-amd64', '/usr/lib/jvm/java-17-openjdk-arm64'].find((d) => existsSync(join(d, 'bin', 'java')));
  if (!java) throw new Error('no Java 17 (set ES_JAVA_HOME)');
  const [httpPort, transportPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'tierzero-es-bench-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dataDir, Number(execFileSync('id', ['-u', 'tierzero-es'], { encoding: 'utf8' }).trim()), -1);
  const args = ['-E', 'discovery.type=single-node', '-E', 'network.host=127.0.0.1', '-E', `http.port=${httpPort}`, '-E', `transport.port=${transportPort}`,
    '-E', `path.data=${join(dataDir, 'data')}`, '-E', `path.logs=${join(dataDir, 'logs')}`, '-E', 'xpack.security.enabled=false', '-E', 'cluster.routing.allocation.disk.threshold_enabled=false'];
  const bin = join(home, 'bin', 'elasticsearch');
  const child: ChildProcess = spawn(asRoot ? 'runuser' : bin, asRoot ? ['-u', 'tierzero-es', '--', bin, ...args] : args, {
    env: { ...process.env, ES_JAVA_HOME: java, ES_JAVA_OPTS: '-Xms512m -Xmx512m -XX:ActiveProcessorCount=2', ES_TMPDIR: dataDir }, stdio: 'ignore', detached: true,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  log(`starting Elasticsearch from ${home} …`);
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Elasticsearch exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/_cluster/health?wait_for_status=green&timeout=1s`, { signal: AbortSignal.timeout(3000) });
      if (r.ok) return { url, stop };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await stop();
  throw new Error('Elasticsearch did not come up within 300 s');
}

function cachedHome(): string | undefined {
  const cache = resolve(__dirname, '..', '.cache', 'elasticsearch');
  if (!existsSync(cache)) return undefined;
  const dir = readdirSync(cache).filter((d) => /^elasticsearch-8\.\d+\.\d+$/.test(d)).sort().pop();
  return dir ? join(cache, dir) : undefined;
}

function freePort(): Promise<number> {
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
