/**
 * The benchmark's workload, kept apart from how it is run (phases.ts, run.ts) so the digest
 * recorded beside a generated file covers only the sources that shape its bytes.
 */
import { ATTACK_KINDS, type AttackSpec } from './attacks';
import { shapeForAccounts } from './domain';
import type { WorkloadOptions } from './generate';

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

export function benchWorkloadOptions(p: WorkloadParams): WorkloadOptions {
  return {
    seed: p.seed, start: p.start, durationHours: p.durationHours, events: p.events,
    shape: shapeForAccounts(p.accounts), attacks: benchAttacks(p.start),
  };
}

/** Every attack once, in the afternoon, so the detectors have something to find in the benchmark too. */
function benchAttacks(start: string): AttackSpec[] {
  const base = Date.parse(start) + 13 * 3_600_000;
  return ATTACK_KINDS.map((kind, i) => ({ kind, at: new Date(base + i * 20 * 60_000).toISOString() }));
}
