/**
 * What the state costs after a pass (issue 13, item 6): the state file's size, the live heap
 * once garbage is collected, and the bytes of state per active account; and whether every
 * seeded attack was still found, so a faster engine that misses attacks fails the bench.
 */
import type { Alert } from '../core/alerts/alert';
import type { EngineState } from '../core/state/state';
import type { AttackLabel } from './attacks';
import { liveHeap } from './heap-release';

export interface StateFigures {
  /** Bytes of the state file the pass committed (compact JSON). */
  readonly stateBytes: number;
  /**
   * Heap in use after a full collection, with the pass's state still referenced: its sections
   * are made from the live structures when read (core/engine/state-on-demand.ts), so this is
   * what the pass's structures hold, not a copy of the document.
   */
  readonly liveHeapMb: number;
  /** Typed-array memory at the same moment: the compact tables' columns live outside the V8 heap. */
  readonly typedArraysMb: number;
  /** Accounts the identity table holds after the pass: the entities the state is bounded by. */
  readonly activeAccounts: number;
  readonly stateBytesPerAccount: number;
}

/** Measured after the timed pass, while the pass's state is still referenced (it is read after the collection). */
export function stateFigures(state: EngineState, stateBytes: number): StateFigures {
  const now = liveHeap();
  const liveHeapMb = now.heap / 2 ** 20;
  const typedArraysMb = now.arrayBuffers / 2 ** 20;
  const activeAccounts = state.identities?.seqs.length ?? 0;
  return { stateBytes, liveHeapMb, typedArraysMb, activeAccounts, stateBytesPerAccount: activeAccounts > 0 ? stateBytes / activeAccounts : 0 };
}

/** Detector → account names its alerts name, small enough to hand from the phase to the runner. */
export type FoundAlerts = Record<string, string[]>;

export function foundAlerts(alerts: readonly Alert[], into: FoundAlerts): void {
  for (const a of alerts) {
    const names = (into[a.detector] ??= []);
    for (const e of a.entities.accounts ?? []) {
      const name = e.name.toLowerCase();
      if (!names.includes(name) && names.length < 1000) names.push(name);
    }
  }
}

/** The seeded attacks no alert of the right detector found (naming the actor, where it has one). */
export function missedAttacks(labels: readonly AttackLabel[], found: FoundAlerts): AttackLabel[] {
  return labels.filter((l) => {
    const names = found[l.detector];
    if (!names) return true;
    return l.actor !== 'unknown' && !names.includes(l.actor.toLowerCase());
  });
}
