/**
 * Measures the Splunk source on the synthetic workload (issue 6 report): how many of the indexed
 * events the pushed-down search returns (pulled / total), and how fast events come through the
 * emulator over loopback — the pull alone and a whole pass (pull, detect, HEC, KV store). Also
 * checks the pass raises the same alerts as the file source on the same events.
 *
 *   node --require tsx/cjs test/adapters/splunk/measure-pushdown.ts [events=100000]
 *   node --require tsx/cjs test/adapters/splunk/measure-pushdown.ts datasets
 *
 * Throughput here is bounded by the emulator (a JavaScript loop over every stored event per
 * search) as much as by the adapter; a real indexer cluster searches in parallel.
 */
import { performance } from 'node:perf_hooks';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { pullPlan } from '../../../core/rules/pull-plan';
import { retryPolicy } from '../../../adapters/splunk/retry';
import { SplunkSession } from '../../../adapters/splunk/sdk';
import { Secret } from '../../../adapters/splunk/secret';
import { SplunkSource } from '../../../adapters/splunk/source';
import { compilePullSearch } from '../../../adapters/splunk/spl';
import { createWorkload } from '../../../bench/generate';
import { deploymentConfig, SAMPLE_OPTIONS } from '../../../bench/sample';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { MemorySource } from '../../support/memory-source';
import { emulator, load, manifest, PASSWORD, readDataset, section, splunkPass, tempDir } from './harness';

/** The dev datasets (every file of the manifest) indexed together: how much of them the search returns. */
async function datasets(): Promise<void> {
  const events = manifest().flatMap((m) => readDataset(m.file));
  const emu = await emulator();
  const loaded = load(emu, events);
  const dir = await tempDir();
  const settings = resolveSplunkSettings(section(emu, dir, { search: loaded.search }), dir);
  const policy = retryPolicy(3);
  const session = new SplunkSession(settings, { password: new Secret(PASSWORD, 'measure') }, policy);
  await session.connect();
  const src = new SplunkSource({ session, search: compilePullSearch(pullPlan(DETECTOR_MODULES), settings.search), settings: settings.search, policy, clock: () => loaded.now, timeoutMs: 600_000 });
  let pulled = 0;
  for await (const page of src.pull(null)) pulled += page.length;
  session.close();
  await emu.stop();
  process.stdout.write(`${JSON.stringify({ files: manifest().length, indexed: events.length, pulled, pushDownRatio: Number((pulled / events.length).toFixed(4)) }, null, 2)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'datasets') return datasets();
  const target = Number(process.argv[2] ?? 100_000);
  const workload = createWorkload({ ...SAMPLE_OPTIONS, events: target });
  const events = [...workload.events()] as unknown as Record<string, unknown>[];
  const config = resolveConfig(deploymentConfig(workload.domain), DECLARATIONS);
  const emu = await emulator();
  const loaded = load(emu, events);
  const dir = await tempDir();
  const s = section(emu, dir, { search: loaded.search });

  // The pull alone: the pushed-down export, streamed and mapped, no engine.
  const settings = resolveSplunkSettings(s, dir);
  const policy = retryPolicy(3);
  const session = new SplunkSession(settings, { password: new Secret(PASSWORD, 'measure') }, policy);
  await session.connect();
  const src = new SplunkSource({ session, search: compilePullSearch(pullPlan(DETECTOR_MODULES), settings.search), settings: settings.search, policy, clock: () => loaded.now, timeoutMs: 600_000 });
  const t0 = performance.now();
  let pulled = 0;
  for await (const page of src.pull(null)) pulled += page.length;
  const pullSeconds = (performance.now() - t0) / 1000;
  session.close();

  // A whole pass, and the file-source reference on the same events.
  const t1 = performance.now();
  const pass = await splunkPass({ section: s, clock: () => loaded.now, config });
  const passSeconds = (performance.now() - t1) / 1000;
  const sink = new MemorySink();
  await runPass({ source: new MemorySource(events), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
  await emu.stop();

  const same = JSON.stringify(pass.alerts.map((a) => a.id).sort()) === JSON.stringify(sink.alerts.map((a) => a.id).sort());
  process.stdout.write(`${JSON.stringify({
    indexed: events.length,
    pulled,
    pushDownRatio: Number((pulled / events.length).toFixed(4)),
    pullSeconds: Number(pullSeconds.toFixed(2)),
    pullEventsPerSecond: Math.round(pulled / pullSeconds),
    passSeconds: Number(passSeconds.toFixed(2)),
    passEventsPerSecond: Math.round(pulled / passSeconds),
    alerts: pass.alerts.length,
    sameAlertsAsFileSource: same,
  }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
