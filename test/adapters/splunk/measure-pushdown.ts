/**
 * Measures the Splunk source (issue 6 and issue 9 reports): how many of the indexed events the
 * search compiled from the pull plan returns (pulled / total), and how fast events come through
 * the emulator over loopback — the pull alone and a whole pass (pull, detect, HEC, KV store).
 * Also checks the pass raises the same alerts as the file source on the same events.
 *
 *   node --require tsx/cjs test/adapters/splunk/measure-pushdown.ts [events=100000]   synthetic Windows workload
 *   node --require tsx/cjs test/adapters/splunk/measure-pushdown.ts datasets          every dev dataset, indexed together
 *   node --require tsx/cjs test/adapters/splunk/measure-pushdown.ts cloud             the Entra fortnight (sign-ins, audit records)
 *
 * Throughput here is bounded by the emulator (a JavaScript loop over every stored event per
 * search) as much as by the adapter; a real indexer cluster searches in parallel.
 */
import { performance } from 'node:perf_hooks';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { retryPolicy } from '../../../adapters/http/retry';
import { SplunkSession } from '../../../adapters/splunk/sdk';
import { Secret } from '../../../adapters/secret';
import { SplunkSource } from '../../../adapters/splunk/source';
import { compilePullSearch } from '../../../adapters/splunk/spl';
import { createCloudWorkload } from '../../../bench/cloud/workload';
import { createWorkload } from '../../../bench/generate';
import { deploymentConfig, SAMPLE_OPTIONS } from '../../../bench/sample';
import { resolveConfig, type ResolvedConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { pullPlan } from '../../../core/rules/pull-plan';
import { MemorySource } from '../../support/memory-source';
import { emulator, load, manifest, PASSWORD, readDataset, section, splunkPass, tempDir } from './harness';

interface Measured {
  readonly indexed: number;
  readonly pulled: number;
  readonly pulledBySourcetype: Record<string, number>;
  readonly pullSeconds: number;
  readonly pass?: { readonly seconds: number; readonly alerts: number; readonly sameAlertsAsFileSource: boolean; readonly quarantined: number };
}

async function measure(events: readonly Record<string, unknown>[], config: ResolvedConfig, withPass: boolean): Promise<Measured> {
  const emu = await emulator();
  const loaded = load(emu, events);
  const dir = await tempDir();
  const s = section(emu, dir, { search: loaded.search });

  // The pull alone: the pushed-down export, streamed and mapped, no engine.
  const settings = resolveSplunkSettings(s, dir);
  const policy = retryPolicy(3);
  const session = new SplunkSession(settings, { password: new Secret(PASSWORD, 'measure') }, policy);
  await session.connect();
  const src = new SplunkSource({ session, search: compilePullSearch(pullPlan(DETECTOR_MODULES, config), settings.search), settings: settings.search, policy, clock: () => loaded.now, timeoutMs: 600_000 });
  const t0 = performance.now();
  let pulled = 0;
  const pulledBySourcetype: Record<string, number> = {};
  for await (const page of src.pull(null)) {
    pulled += page.length;
    for (const r of page) {
      const v = r.kind === 'record' ? (r.value as Record<string, unknown>) : {};
      const kind = 'OperationName' in v ? 'AuditLogs' : 'UserPrincipalName' in v ? 'SigninLogs' : String(v['Channel'] ?? r.kind);
      pulledBySourcetype[kind] = (pulledBySourcetype[kind] ?? 0) + 1;
    }
  }
  const pullSeconds = (performance.now() - t0) / 1000;
  session.close();
  if (!withPass) {
    await emu.stop();
    return { indexed: events.length, pulled, pulledBySourcetype, pullSeconds };
  }

  // A whole pass, and the file-source reference on the same events.
  const t1 = performance.now();
  const pass = await splunkPass({ section: s, clock: () => loaded.now, config });
  const seconds = (performance.now() - t1) / 1000;
  const sink = new MemorySink();
  await runPass({ source: new MemorySource(events), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
  await emu.stop();
  const same = JSON.stringify(pass.alerts.map((a) => a.id).sort()) === JSON.stringify(sink.alerts.map((a) => a.id).sort());
  return { indexed: events.length, pulled, pulledBySourcetype, pullSeconds, pass: { seconds, alerts: pass.alerts.length, sameAlertsAsFileSource: same, quarantined: pass.stats.quarantined } };
}

function report(m: Measured, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({
    ...extra,
    indexed: m.indexed,
    pulled: m.pulled,
    pulledBy: m.pulledBySourcetype,
    pushDownRatio: Number((m.pulled / m.indexed).toFixed(4)),
    pullSeconds: Number(m.pullSeconds.toFixed(2)),
    pullEventsPerSecond: Math.round(m.pulled / m.pullSeconds),
    ...(m.pass ? {
      passSeconds: Number(m.pass.seconds.toFixed(2)), passEventsPerSecond: Math.round(m.pulled / m.pass.seconds),
      alerts: m.pass.alerts, quarantined: m.pass.quarantined, sameAlertsAsFileSource: m.pass.sameAlertsAsFileSource,
    } : {}),
  }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'datasets') {
    report(await measure(manifest().flatMap((m) => readDataset(m.file)), resolveConfig({}, DECLARATIONS), false), { files: manifest().length });
    return;
  }
  if (mode === 'cloud') {
    const tenant = createCloudWorkload({ seed: 'tz-measure-cloud', start: '2024-03-04T00:00:00.000Z', days: 14, users: 200 });
    report(await measure(tenant.records, resolveConfig({ corporateNetworks: tenant.config.corporateNetworks }, DECLARATIONS), true));
    return;
  }
  const workload = createWorkload({ ...SAMPLE_OPTIONS, events: Number(mode ?? 100_000) });
  report(await measure([...workload.events()] as unknown as Record<string, unknown>[], resolveConfig(deploymentConfig(workload.domain), DECLARATIONS), true));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
