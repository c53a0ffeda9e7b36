/**
 * Sentinel pull bench (`npm run bench -- --sentinel [--events N]`): the synthetic Windows
 * workload stored in an emulated workspace (Security log in SecurityEvent, other channels in
 * WindowsEvent, as test/adapters/sentinel/to-rows.ts builds rows), then read back through the
 * real `@azure/monitor-query-logs` SDK over loopback TLS by SentinelSource with the KQL compiled
 * from the pull plan. Reports the push-down ratio (rows returned / rows stored) and the pull's
 * throughput, then one whole engine pass. The emulator evaluates every query in JavaScript over
 * every stored row (test/emulators/azure/kql-eval.ts), so throughput is the emulator's bound as
 * much as the adapter's; a real workspace filters on its own cluster. Default 200,000 events:
 * the in-memory emulator holds each SecurityEvent row with its XML (~1.5 KB), so 1 M needs
 * ~3 GB of heap on this shared machine — pass `--events 1000000` where there is room.
 */
import { performance } from 'node:perf_hooks';
import { createWorkload } from './generate';
import { deploymentConfig, SAMPLE_OPTIONS } from './sample';
import { resolveConfig } from '../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../core/detectors/registry';
import { pullPlan } from '../core/rules/pull-plan';
import { azure, load, sentinelPass, source } from '../test/adapters/sentinel/harness';

export async function sentinelBench(events: number): Promise<Record<string, unknown>> {
  const workload = createWorkload({ ...SAMPLE_OPTIONS, events });
  const config = resolveConfig(deploymentConfig(workload.domain), DECLARATIONS);
  const plan = pullPlan(DETECTOR_MODULES, config);
  const records = [...workload.events()] as unknown as Record<string, unknown>[];
  const a = await azure();
  try {
    const t0 = performance.now();
    const loaded = load(a.la, records, 'SecurityEvent');
    const loadMs = performance.now() - t0;
    const stored = a.la.count('SecurityEvent') + a.la.count('WindowsEvent');
    const opts = { clock: () => loaded.now, initialLookbackMinutes: loaded.spanMinutes + 10, maxWindowMinutes: loaded.spanMinutes + 10, sliceMinutes: 24 * 60 };
    const src = source(a, plan, opts);
    const t1 = performance.now();
    let pulled = 0;
    for await (const page of src.pull(null)) pulled += page.length;
    const pullMs = performance.now() - t1;
    const returned = a.la.queries.reduce((n, q) => n + q.rows, 0);
    a.la.queries.length = 0;
    const t2 = performance.now();
    const pass = await sentinelPass(config, source(a, plan, opts));
    const passMs = performance.now() - t2;
    return {
      events: records.length, stored, returned, pulled,
      // Rows of a truncated answer that was then split are returned twice: the ratio is on rows kept.
      pushdownRatio: Number((pulled / stored).toFixed(4)),
      queries: src.stats.queries, splits: src.stats.splits,
      loadSeconds: Number((loadMs / 1000).toFixed(1)),
      pullSeconds: Number((pullMs / 1000).toFixed(1)), pullEventsPerSecond: Math.round(pulled / (pullMs / 1000)),
      passSeconds: Number((passMs / 1000).toFixed(1)), passEventsPerSecond: Math.round(pulled / (passMs / 1000)),
      alerts: pass.sink.alerts.length,
      heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
    };
  } finally {
    await a.stop();
  }
}
