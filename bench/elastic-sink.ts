/**
 * `npm run bench -- --elastic-sink [--alerts N]` (default 100 000)
 *
 * The Elastic sink's bulk throughput against a real Elasticsearch node (the one bench/elastic.ts
 * starts, or TIERZERO_ES_URL): N alert documents written by `ElasticSink` exactly as a pass
 * writes them — the ids lookup, then bulk `create` with `_id` = alert id into
 * `logs-tierzero.alert-<namespace>`, batches of `bulk.maxDocs` (1000) under `bulk.maxBytes` —
 * into the data stream the index templates define. Then the same alerts again, as a pass redone
 * after a crash: every id found by the lookup, nothing written. Reports alerts/s for both.
 *
 * The alerts are the sample day's (samples/sample-day.jsonl.gz through the engine), each copied
 * with its own id and actor so every document is distinct and realistic in size. Never part of
 * the test suite.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { MemoryQuarantine } from '../adapters/file/file-quarantine';
import { MemorySink } from '../adapters/file/file-sink';
import { MemoryStateStore } from '../adapters/file/file-state-store';
import { resolveElasticSettings } from '../adapters/elastic/config';
import { ElasticSink } from '../adapters/elastic/sink';
import { ensureTemplates } from '../adapters/elastic/templates';
import { retryPolicy } from '../adapters/http/retry';
import type { Alert } from '../core/alerts/alert';
import { resolveConfig } from '../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../core/detectors/registry';
import { runPass } from '../core/engine/engine';
import { MemorySource } from '../test/support/memory-source';
import { log } from './child-phase';
import { startNode } from './elastic';

export interface ElasticSinkBenchResult {
  readonly alerts: number;
  readonly bulkRequests: number;
  readonly writeSeconds: number;
  readonly alertsPerSecond: number;
  readonly replaySeconds: number;
  readonly replayAlertsPerSecond: number;
  readonly averageDocBytes: number;
  readonly esVersion: string;
  readonly load: string;
}

/** Alerts per `write` call: a pass hands the sink all its alerts at once; this bounds the bench's memory. */
const PER_WRITE = 20_000;

export async function elasticSinkBench(count: number): Promise<ElasticSinkBenchResult> {
  const templates = await sampleAlerts();
  const alerts = Array.from({ length: count }, (_, i) => copy(templates[i % templates.length] as Alert, i));
  const node = await startNode();
  const client = new Client({ node: node.url, requestTimeout: 300_000 });
  try {
    const info = await client.nodes.info({ filter_path: 'nodes.*.version' });
    const esVersion = Object.values(info.nodes)[0]?.version ?? 'unknown';
    const s = resolveElasticSettings({ url: node.url, namespace: `bench${Date.now().toString(36)}` }, process.cwd());
    const ctx = { policy: retryPolicy(s.maxAttempts) };
    await ensureTemplates(client, s, ctx);
    const sink = new ElasticSink({
      client, ctx, alertDataStream: s.alertDataStream, namespace: s.namespace, riskIndex: s.riskIndex,
      maxDocs: s.bulk.maxDocs, maxBytes: s.bulk.maxBytes, clock: Date.now,
    });
    log(`writing ${count.toLocaleString('en-US')} alerts into ${s.alertDataStream} on Elasticsearch ${esVersion} …`);
    const t0 = performance.now();
    for (let i = 0; i < alerts.length; i += PER_WRITE) await sink.write(alerts.slice(i, i + PER_WRITE), []);
    const writeSeconds = (performance.now() - t0) / 1000;
    if (sink.stats.created !== count) throw new Error(`created ${sink.stats.created} of ${count}`);
    await client.indices.refresh({ index: s.alertDataStream });
    const stats = await client.indices.stats({ index: s.alertDataStream, metric: ['store', 'docs'] });
    const docs = stats._all.primaries?.docs?.count ?? 0;
    if (docs !== count) throw new Error(`the data stream holds ${docs} documents, not ${count}`);
    log('writing the same alerts again (a pass redone after a crash) …');
    const replay = new ElasticSink({
      client, ctx, alertDataStream: s.alertDataStream, namespace: s.namespace, riskIndex: s.riskIndex,
      maxDocs: s.bulk.maxDocs, maxBytes: s.bulk.maxBytes, clock: Date.now,
    });
    const t1 = performance.now();
    for (let i = 0; i < alerts.length; i += PER_WRITE) await replay.write(alerts.slice(i, i + PER_WRITE), []);
    const replaySeconds = (performance.now() - t1) / 1000;
    if (replay.stats.created !== 0) throw new Error(`the replay created ${replay.stats.created} documents`);
    return {
      alerts: count, bulkRequests: sink.stats.bulkRequests, writeSeconds, alertsPerSecond: count / writeSeconds,
      replaySeconds, replayAlertsPerSecond: count / replaySeconds,
      averageDocBytes: Math.round((stats._all.primaries?.store?.size_in_bytes ?? 0) / count), esVersion, load: loadavg().map((l) => l.toFixed(1)).join(' '),
    };
  } finally {
    await client.close();
    await node.stop();
  }
}

export function formatElasticSink(r: ElasticSinkBenchResult): string[] {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  return [
    `Elasticsearch ${r.esVersion} (single node, 512 MB heap, 127.0.0.1)`,
    `sink:      ${n(r.alerts)} alerts in ${r.writeSeconds.toFixed(1)} s = ${n(r.alertsPerSecond)} alerts/s (ids lookup + bulk create, ${r.bulkRequests} bulk requests, ~${r.averageDocBytes} bytes/alert stored)`,
    `replay:    ${n(r.alerts)} alerts in ${r.replaySeconds.toFixed(1)} s = ${n(r.replayAlertsPerSecond)} alerts/s (every id found, nothing written)`,
    `load average at the end: ${r.load}`,
  ];
}

/** The sample day's alerts, as `tierzero detect` raises them. */
async function sampleAlerts(): Promise<readonly Alert[]> {
  const text = gunzipSync(readFileSync(join(__dirname, '..', 'samples', 'sample-day.jsonl.gz'))).toString('utf8');
  const records = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const sink = new MemorySink();
  const config = resolveConfig(JSON.parse(readFileSync(join(__dirname, '..', 'samples', 'tierzero.json'), 'utf8')), DECLARATIONS);
  await runPass({ source: new MemorySource(records, 5000), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
  if (!sink.alerts.length) throw new Error('the sample day raised no alert');
  return sink.alerts;
}

/** A distinct alert: its own id, and its actor renamed so documents differ as a real estate's do. */
function copy(a: Alert, i: number): Alert {
  const n = String(i).padStart(7, '0');
  return {
    ...a,
    id: `${a.id}-${n}`,
    entities: { ...a.entities, accounts: a.entities.accounts.map((acc) => (acc.role === 'actor' ? { ...acc, name: `${acc.name}${n}` } : acc)) },
  };
}
