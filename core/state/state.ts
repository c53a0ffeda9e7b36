import type { DirectorySnapshot } from '../detectors/directory-model';
import type { IdentitySnapshot } from '../identity/identity-directory';
import type { ScoreBookSnapshot } from '../scoring/score-book';

export const STATE_VERSION = 1;

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
  constructor(readonly found: unknown, readonly where: string) {
    super(`state at ${where} has version ${JSON.stringify(found)}, this tierzero reads version ${STATE_VERSION}; move it aside to start fresh`);
    this.name = 'StateVersionError';
  }
}

export function emptyState(): EngineState {
  return { version: STATE_VERSION, checkpoint: null, watermark: null, directory: null, detectors: {}, delivered: {} };
}

/** Checks the shape of a parsed state document before the engine trusts it. */
export function checkState(doc: unknown, where: string): EngineState {
  if (doc === null || typeof doc !== 'object') throw new StateVersionError(undefined, where);
  const version = (doc as { version?: unknown }).version;
  if (version !== STATE_VERSION) throw new StateVersionError(version, where);
  return doc as EngineState;
}
