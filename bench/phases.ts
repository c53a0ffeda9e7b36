/**
 * The benchmark's phases, each run by bench/run.ts in its own child process so that peak
 * RSS belongs to one phase only:
 *
 *   node --require tsx/cjs bench/phases.ts generate '<WorkloadParams JSON>' <out.jsonl>
 *   node --require tsx/cjs bench/phases.ts baseline <file.jsonl>
 *   node --require tsx/cjs bench/phases.ts tierzero <file.jsonl> '<config JSON>'
 *
 * Each prints one JSON line (a PhaseResult) on stdout. Timing starts after modules load.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, renameSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { AttackKind, AttackSpec } from './attacks';

/** What identifies a generated benchmark file; a file is reused only when these match. */
export interface WorkloadParams {
  readonly seed: string;
  readonly start: string;
  readonly durationHours: number;
  readonly events: number;
  readonly accounts: number;
  /** Digest of the generator's sources: a changed generator means a new file. */
  readonly generator: string;
}

export interface PhaseResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** process.resourceUsage().maxRSS, in MB. */
  readonly peakRssMb: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Every attack once, in the afternoon, so the detectors have something to find in the benchmark too. */
export function benchAttacks(start: string, kinds: readonly AttackKind[]): AttackSpec[] {
  const base = Date.parse(start) + 13 * 3_600_000;
  return kinds.map((kind, i) => ({ kind, at: new Date(base + i * 20 * 60_000).toISOString() }));
}

export async function generatePhase(params: WorkloadParams, out: string): Promise<PhaseResult> {
  // Each phase loads only what it uses (require, not import, so nothing loads up front and no
  // module counts towards another phase's RSS).
  const { ATTACK_KINDS } = require('./attacks') as typeof import('./attacks');
  const { shapeForAccounts } = require('./domain') as typeof import('./domain');
  const { createWorkload } = require('./generate') as typeof import('./generate');
  const { deploymentConfig } = require('./sample') as typeof import('./sample');
  const workload = createWorkload({
    seed: params.seed, start: params.start, durationHours: params.durationHours, events: params.events,
    shape: shapeForAccounts(params.accounts), attacks: benchAttacks(params.start, ATTACK_KINDS),
  });
  const partial = `${out}.partial`;
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

/** The real pipeline in-process: FileSource → runPass with every registered detector. */
export async function tierzeroPhase(path: string, rawConfig: unknown): Promise<PhaseResult> {
  const { FileSource } = require('../adapters/file/file-source') as typeof import('../adapters/file/file-source');
  const { MemoryStateStore } = require('../adapters/file/file-state-store') as typeof import('../adapters/file/file-state-store');
  const { MemoryQuarantine } = require('../adapters/file/file-quarantine') as typeof import('../adapters/file/file-quarantine');
  const { resolveConfig } = require('../core/config/config') as typeof import('../core/config/config');
  const { DETECTOR_MODULES } = require('../core/detectors/registry') as typeof import('../core/detectors/registry');
  const { runPass } = require('../core/engine/engine') as typeof import('../core/engine/engine');
  const config = resolveConfig(rawConfig, DETECTOR_MODULES.map((m) => m.declaration));
  let alerts = 0;
  const byDetector: Record<string, number> = {};
  const t0 = performance.now();
  const pass = await runPass({
    source: new FileSource([path], { maxLineBytes: config.maxLineBytes }),
    sink: {
      write: async (batch) => {
        alerts += batch.length;
        for (const a of batch) byDetector[a.detector] = (byDetector[a.detector] ?? 0) + 1;
      },
    },
    store: new MemoryStateStore(),
    quarantine: new MemoryQuarantine(),
    config,
    modules: DETECTOR_MODULES,
  });
  const s = pass.stats;
  return result(s.records, t0, {
    detectors: DETECTOR_MODULES.length, identityEvents: s.events, quarantined: s.quarantined, alerts, alertsByDetector: byDetector,
  });
}

function result(events: number, t0: number, details: Record<string, unknown>): PhaseResult {
  const seconds = (performance.now() - t0) / 1000;
  return { events, seconds, eventsPerSecond: events / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, details };
}

async function main(argv: readonly string[]): Promise<PhaseResult> {
  const [phase, a, b] = argv;
  if (phase === 'generate' && a && b) return generatePhase(JSON.parse(a) as WorkloadParams, b);
  if (phase === 'baseline' && a) return baselinePhase(a);
  if (phase === 'tierzero' && a && b) return tierzeroPhase(a, JSON.parse(b));
  throw new Error(`usage: phases.ts generate <params> <out> | baseline <file> | tierzero <file> <config>; got ${argv.join(' ')}`);
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
