/**
 * Sentinel write bench (`npm run bench -- --sentinel-sink [--events N]`): N alerts written as
 * `TierzeroAlerts_CL` rows through the real `@azure/monitor-ingestion` SDK (the adapter's
 * IngestionClient: 900 kB batches, gzip once, bearer token from the emulated Entra endpoint) to
 * the Logs Ingestion emulator over loopback TLS, which gunzips each call and checks every row
 * against the solution's DCR stream declaration. Reports rows/s and MB/s of row JSON, calls, and
 * the bytes on the wire after gzip. The emulator runs in this process, so its parsing and checks
 * share the CPU with the client: a real endpoint's throughput is bounded by the DCR's limits
 * instead (Azure Monitor service limits: 2 GB/min and 12,000 requests/min per DCR).
 * Rows do not go on into the emulated workspace: that is the pull bench's (bench/sentinel.ts).
 * Default 20,000 alerts, each with ten evidence events (~2 kB of JSON); measured with one call in
 * flight and with five (the `ingestion.maxConcurrency` default).
 */
import { performance } from 'node:perf_hooks';
import { alertRow } from '../adapters/sentinel/alert-row';
import { IngestionClient } from '../adapters/sentinel/ingestion-client';
import { sampleAlert } from '../test/support/sample-alert';
import { azure, credential } from '../test/adapters/sentinel/harness';
import { LogsIngestionEmulator, solutionDcr } from '../test/emulators/azure/logs-ingestion';
import { loopbackTls } from '../test/emulators/azure/tls';

const DCR = `dcr-${'be0c0000be0c0000'.repeat(2)}`;
const STREAM = 'Custom-TierzeroAlerts_CL';

export async function sentinelSinkBench(events: number): Promise<Record<string, unknown>> {
  const at = '2026-01-01T00:00:00.000Z';
  const rows = Array.from({ length: events }, (_, i) => alertRow(sampleAlert(i, {
    evidence: { count: 10, events: Array.from({ length: 10 }, (_, k) => ({ EventRecordID: i * 10 + k, Computer: `DC0${k % 3}`, EventID: 4662, TimeCreated: at })) },
  }), at, undefined));
  const jsonBytes = rows.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0);
  const a = await azure();
  const ingest = await new LogsIngestionEmulator({ token: a.token, dcr: solutionDcr(DCR) }).start();
  try {
    const runs: Record<string, unknown>[] = [];
    for (const maxConcurrency of [1, 5]) {
      const client = new IngestionClient({
        endpoint: ingest.endpoint, dcrImmutableId: DCR, credential: credential(a), audience: 'https://monitor.azure.com', maxRetries: 3, maxConcurrency,
        clientOptions: { tlsOptions: loopbackTls().tlsOptions },
      });
      // One small call first: the token and the TLS session are not what is measured.
      await client.upload(STREAM, rows.slice(0, 1));
      ingest.uploads.length = 0;
      const t0 = performance.now();
      await client.upload(STREAM, rows);
      const seconds = (performance.now() - t0) / 1000;
      const accepted = ingest.uploads.filter((u) => u.status === 204);
      const wire = accepted.reduce((n, u) => n + u.wireBytes, 0);
      runs.push({
        maxConcurrency, accepted: accepted.reduce((n, u) => n + u.rows, 0), calls: ingest.uploads.length, wireMb: Number((wire / 1e6).toFixed(2)),
        gzipRatio: Number((wire / jsonBytes).toFixed(3)),
        seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(events / seconds), jsonMbPerSecond: Number((jsonBytes / 1e6 / seconds).toFixed(1)),
      });
    }
    return { rows: events, rowJsonMb: Number((jsonBytes / 1e6).toFixed(1)), runs, heapMb: Math.round(process.memoryUsage().heapUsed / 1e6) };
  } finally {
    await ingest.stop();
    await a.stop();
  }
}
