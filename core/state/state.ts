import { migrateV1 } from './migrate-v1';
import { migrateV2 } from './migrate-v2';
import { migrateV3 } from './migrate-v3';
import { migrateV4 } from './migrate-v4';
import { stateProblem } from './state-schema';
import { StateInvalidError } from './state-errors';
import type { DirectorySnapshot } from '../estate/directory-model';
import type { KerberosLedgerSnapshot } from '../estate/kerberos-ledger';
import type { IdentitySnapshot } from '../identity/identity-directory';
import type { ScoreBookSnapshot } from '../scoring/score-book';

export { StateInvalidError } from './state-errors';

/**
 * 2: day bitsets instead of day lists (issue 13); version 1 is migrated (core/state/migrate-v1.ts).
 * 3: one Kerberos ledger instead of golden_ticket's and pass_the_ticket's own TGT tables and
 * coverage trackers (issue 13, item 1); version 2 is migrated (core/state/migrate-v2.ts).
 * 4: machines held once in the directory (ntlm_relay's copy gone) and logon sessions in compact
 * form (issue 13, item 2); version 3 is migrated (core/state/migrate-v3.ts).
 * 5: keyed state tables and one estate of shared facts, detectors keeping only verdict state
 * (issue 13, items 1–2); version 4 is migrated (core/state/migrate-v4.ts).
 */
export const STATE_VERSION = 5;

/**
 * Everything a pass must remember to continue where the last one stopped. Saved only after
 * the sink acknowledged the pass's alerts (DESIGN §3 step 8).
 */
export interface EngineState {
  readonly version: typeof STATE_VERSION;
  /** The source's own resume point (files done, or an index-time checkpoint). */
  readonly checkpoint: unknown;
  /** Latest event time seen, epoch ms; drives idle eviction. */
  readonly watermark: number | null;
  readonly directory: DirectorySnapshot | null;
  /** The Kerberos ledger (absent in states written before it; checked whole by its restore). */
  readonly kerberos?: KerberosLedgerSnapshot | null;
  readonly detectors: Readonly<Record<string, unknown>>;
  /** Alert id → last event time: ids a sink already acknowledged. */
  readonly delivered: Readonly<Record<string, number>>;
  /** Identities resolved across AD and Entra ID (absent in states written before scoring). */
  readonly identities?: IdentitySnapshot | null;
  /** Investigation priority scores with their signals and history. */
  readonly scores?: ScoreBookSnapshot | null;
}

/**
 * Opaque version of a stored state: the store hands it out with `load` and checks it on `save`.
 * Only the store that issued a token can read it (a content hash, a generation, an ETag).
 */
export type StateToken = string;

export interface LoadedState {
  readonly state: EngineState;
  readonly token: StateToken;
}

/**
 * Where a pass's state lives, committed with compare-and-set (DESIGN §7): of two overlapping
 * passes exactly one commits, and the other learns it before it changed anything.
 */
export interface StateStore {
  /** The stored state and its version, or undefined when nothing was ever committed. */
  load(): Promise<LoadedState | undefined>;
  /**
   * Commits `state` only if the stored state is still the one `expected` names (null: none
   * stored yet), and returns the new token; otherwise throws `StateConflictError`.
   */
  save(state: EngineState, expected: StateToken | null): Promise<StateToken>;
}

/** Another pass committed (or is committing) since this one loaded: this pass must not overwrite it. */
export class StateConflictError extends Error {
  override name = 'StateConflictError';
  constructor(readonly where: string, detail: string) {
    super(`another pass committed state at ${where} first (${detail}); this pass committed nothing — its alerts carry the same ids and are deduplicated; rerun to continue from the new state`);
  }
}

/** A state written by another format version: refusing beats silently misreading baselines. */
export class StateVersionError extends Error {
  /** An input/state failure, not a usage error (issue 12: exit 3). */
  readonly exitCode = 3;
  constructor(readonly found: unknown, readonly where: string) {
    super(`state at ${where} has version ${JSON.stringify(found)}, this tierzero reads version ${STATE_VERSION}; move it aside to start fresh`);
    this.name = 'StateVersionError';
  }
}

export function emptyState(): EngineState {
  return { version: STATE_VERSION, checkpoint: null, watermark: null, directory: null, detectors: {}, delivered: {} };
}


/** Upgrades a state document from version N to N + 1, keyed by N. */
export type StateMigration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** One step per format change, keyed by the version it reads; a change adds its step here, never edits one. */
export const STATE_MIGRATIONS: Readonly<Record<number, StateMigration>> = { 1: migrateV1, 2: migrateV2, 3: migrateV3, 4: migrateV4 };

/**
 * Migrates a parsed state document to this version, then checks it against the schema before
 * the engine trusts any of it: a bad document is refused whole, never half-loaded.
 */
export function checkState(doc: unknown, where: string, migrations: Readonly<Record<number, StateMigration>> = STATE_MIGRATIONS): EngineState {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new StateInvalidError(where, '(document)', 'must be a JSON object');
  let current = doc as Record<string, unknown>;
  for (let steps = 0; current['version'] !== STATE_VERSION && steps < 100; steps++) {
    const step = typeof current['version'] === 'number' ? migrations[current['version']] : undefined;
    if (!step) break;
    current = step(current);
  }
  if (current['version'] !== STATE_VERSION) throw new StateVersionError(current['version'], where);
  const bad = stateProblem(current);
  if (bad) throw new StateInvalidError(where, bad.key, bad.problem);
  return current as unknown as EngineState;
}
