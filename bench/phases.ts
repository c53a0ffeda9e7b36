/**
 * The benchmark's phases, each run by bench/run.ts in its own child process so that peak
 * RSS belongs to one phase only:
 *
 *   node --require tsx/cjs bench/phases.ts generate '<WorkloadParams JSON>' <out.jsonl>
 *   node --require tsx/cjs bench/phases.ts baseline <file.jsonl>
 *   node --require tsx/cjs bench/phases.ts tierzero <file.jsonl> '<config JSON>' [per-detector]
 *   node --require tsx/cjs bench/phases.ts generate-benign '<BenignDayParams JSON>' <out.jsonl>
 *   node --require tsx/cjs bench/phases.ts replay '<config JSON>' <day1.jsonl> <day2.jsonl> …
 *
 * Each prints one JSON line (a PhaseResult) on stdout. Timing starts after modules load.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { DetectorModule } from '../core/detectors/detector';
import type { WorkloadParams } from './bench-workload';
import type { BenignDayParams } from './benign-workload';
import type { WorkloadOptions } from './generate';

export interface PhaseResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** process.resourceUsage().maxRSS, in MB. */
  readonly peakRssMb: number;
  readonly details: Readonly<Record<string, unknown>>;
}

export async function generatePhase(params: WorkloadParams, out: string): Promise<PhaseResult> {
  // Each phase loads only what it uses (require, not import, so nothing loads up front and no
  // module counts towards another phase's RSS).
  const { benchWorkloadOptions } = require('./bench-workload') as typeof import('./bench-workload');
  return writeWorkload(benchWorkloadOptions(params), out);
}

/** One day of the benign week (benign-workload.ts). */
export async function generateBenignPhase(params: BenignDayParams, out: string): Promise<PhaseResult> {
  const { benignDayOptions } = require('./benign-workload') as typeof import('./benign-workload');
  return writeWorkload(benignDayOptions(params), out);
}

async function writeWorkload(options: WorkloadOptions, out: string): Promise<PhaseResult> {
  const { createWorkload } = require('./generate') as typeof import('./generate');
  const { deploymentConfig } = require('./sample') as typeof import('./sample');
  const workload = createWorkload(options);
  // Per process, so two benchmarks started at once never write into one file.
  const partial = `${out}.${process.pid}.partial`;
  const file = createWriteStream(partial);
  const t0 = performance.now();
  let events = 0;
  let bytes = 0;
  let chunk = '';
  for (const event of workload.events()) {
    chunk += `${JSON.stringify(event)}\n`;
    events++;
    if (chunk.length >= 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!file.write(chunk)) await once(file, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  file.end(chunk);
  await once(file, 'finish');
  // Only a finished file gets its final name, so an interrupted run is never reused.
  renameSync(partial, out);
  return result(events, t0, { bytes, config: deploymentConfig(workload.domain), labels: workload.labels });
}

/** The yardstick: the least any JSONL consumer must do, read lines and parse them. */
export async function baselinePhase(path: string): Promise<PhaseResult> {
  const t0 = performance.now();
  let events = 0;
  let fields = 0;
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 256 * 1024 }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const value = JSON.parse(line) as Record<string, unknown>;
    // Touch the result so the parse cannot be optimised away.
    if (value['EventID'] !== undefined) fields++;
    events++;
  }
  return result(events, t0, { withEventId: fields });
}

/**
 * The real pipeline in-process: FileSource → runPass with every registered detector. With
 * `perDetector`, each detector's `handle` is timed and its final state measured (as JSON),
 * which costs a little speed but shows where the time and the memory go.
 */
export async function tierzeroPhase(path: string, rawConfig: unknown, perDetector = false): Promise<PhaseResult> {
  const { FileSource } = require('../adapters/file/file-source') as typeof import('../adapters/file/file-source');
  const { FileStateStore } = require('../adapters/file/file-state-store') as typeof import('../adapters/file/file-state-store');
  const { MemoryQuarantine } = require('../adapters/file/file-quarantine') as typeof import('../adapters/file/file-quarantine');
  const { resolveConfig } = require('../core/config/config') as typeof import('../core/config/config');
  const { DETECTOR_MODULES } = require('../core/detectors/registry') as typeof import('../core/detectors/registry');
  const { runPass, wantedEvents } = require('../core/engine/engine') as typeof import('../core/engine/engine');
  const config = resolveConfig(rawConfig, DETECTOR_MODULES.map((m) => m.declaration));
  const { foundAlerts, stateFigures } = require('./state-figures') as typeof import('./state-figures');
  let alerts = 0;
  const byDetector: Record<string, number> = {};
  const found: Record<string, string[]> = {};
  const handleMs = new Map<string, number>();
  const modules = perDetector ? DETECTOR_MODULES.map((m) => timed(m, handleMs)) : DETECTOR_MODULES;
  const statePath = `${path}.state-${process.pid}.json`;
  rmSync(statePath, { force: true });
  const t0 = performance.now();
  // As `tierzero detect` reads files: lines no enabled detector needs are counted, not parsed.
  const source = new FileSource([path], { maxLineBytes: config.maxLineBytes, wanted: wantedEvents(config, DETECTOR_MODULES) });
  const pass = await runPass({
    source,
    sink: {
      write: async (batch) => {
        alerts += batch.length;
        for (const a of batch) byDetector[a.detector] = (byDetector[a.detector] ?? 0) + 1;
        foundAlerts(batch, found);
      },
    },
    // A file store, as `tierzero detect --state` and every scheduled pass commit: the timed pass
    // and its peak RSS include writing the state (one section at a time), not just holding it.
    store: new FileStateStore(statePath),
    quarantine: new MemoryQuarantine(),
    config,
    modules,
    // As `tierzero detect` without --state: the input is finished, waiting verdicts are released.
    finalInput: true,
  });
  const s = pass.stats;
  const unparsed = [...source.skipped.values()].reduce((a, b) => a + b, 0);
  const r = result(s.records + unparsed, t0, {
    detectors: DETECTOR_MODULES.length, identityEvents: s.events, unparsed, quarantined: s.quarantined, alerts, alertsByDetector: byDetector, found,
  });
  // After the clock stopped: what the state costs (issue 13, item 6).
  Object.assign(r.details, { state: stateFigures(pass.state, statSync(statePath).size) });
  rmSync(statePath, { force: true });
  if (!perDetector) return r;
  const jsonMb = (v: unknown): number => Buffer.byteLength(JSON.stringify(v ?? null)) / 1e6;
  const perDetectorRows = DETECTOR_MODULES.map((m) => ({
    detector: m.declaration.id, handleSeconds: (handleMs.get(m.declaration.id) ?? 0) / 1000, stateJsonMb: jsonMb(pass.state.detectors[m.declaration.id]),
  }));
  const shared = Object.fromEntries(Object.entries(pass.state).filter(([k]) => k !== 'detectors').map(([k, v]) => [k, jsonMb(v)]));
  return { ...r, details: { ...r.details, perDetector: perDetectorRows, sharedStateJsonMb: shared } };
}

/** The same detector, with the time spent in its `handle` added up in `ms`. */
function timed(m: DetectorModule, ms: Map<string, number>): DetectorModule {
  const id = m.declaration.id;
  return {
    declaration: m.declaration,
    create: (settings, saved) => {
      const d = m.create(settings, saved);
      return {
        declaration: d.declaration,
        handle: (event, ctx) => {
          const t = performance.now();
          d.handle(event, ctx);
          ms.set(id, (ms.get(id) ?? 0) + performance.now() - t);
        },
        snapshot: () => d.snapshot(),
        evictIdle: (before, watermark) => d.evictIdle(before, watermark),
        ...(d.flush ? { flush: d.flush.bind(d) } : {}),
      };
    },
  };
}

function result(events: number, t0: number, details: Record<string, unknown>): PhaseResult {
  const seconds = (performance.now() - t0) / 1000;
  return { events, seconds, eventsPerSecond: events / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, details };
}

async function main(argv: readonly string[]): Promise<PhaseResult> {
  const [phase, a, b, c] = argv;
  if (phase === 'generate' && a && b) return generatePhase(JSON.parse(a) as WorkloadParams, b);
  if (phase === 'generate-benign' && a && b) return generateBenignPhase(JSON.parse(a) as BenignDayParams, b);
  // The engine's phases run under the heap policy the CLI sets (cli/heap-growth.ts), so the
  // bench measures what `tierzero detect` does.
  if (phase === 'replay' || phase === 'tierzero') (require('../cli/heap-growth') as typeof import('../cli/heap-growth')).limitHeapGrowth();
  if (phase === 'replay' && a && b) return (require('./benign-replay') as typeof import('./benign-replay')).replayPhase(argv.slice(2), JSON.parse(a));
  if (phase === 'baseline' && a) return baselinePhase(a);
  if (phase === 'tierzero' && a && b) return tierzeroPhase(a, JSON.parse(b), c === 'per-detector');
  throw new Error(`usage: phases.ts generate <params> <out> | generate-benign <params> <out> | baseline <file> | tierzero <file> <config> [per-detector] | replay <config> <files…>; got ${argv.join(' ')}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
