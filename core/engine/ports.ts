import type { Alert } from '../alerts/alert';
import type { ScoreUpdate } from '../scoring/score-update';

/**
 * The three interfaces every platform implements (DESIGN §2): where events come from,
 * where alerts go, where state lives (`StateStore`, in core/state).
 */

export type SourceRecord =
  | { readonly kind: 'record'; readonly value: unknown; readonly origin: string }
  /** The source could not even parse it (bad JSON, oversize line, non-object array item). */
  | { readonly kind: 'malformed'; readonly reason: string; readonly origin: string; readonly text: string };

export interface Source {
  /** Pages of records newer than `checkpoint`, streamed with bounded memory. */
  pull(checkpoint: unknown): AsyncIterable<readonly SourceRecord[]>;
  /** The checkpoint to commit once everything pulled has been processed and acknowledged. */
  checkpointAfterPull(): unknown;
}

export interface Sink {
  /**
   * Resolves only once the platform durably acknowledged every alert and score update; must be
   * idempotent by alert `id` and by score `key` (the latest record per identity wins). The
   * score updates are the pass's (core/scoring/score-update.ts): every non-zero score, re-sent
   * each pass because scores decay, and the identities that left the book.
   */
  write(alerts: readonly Alert[], scores: readonly ScoreUpdate[]): Promise<void>;
}

export interface QuarantinedRecord {
  readonly reason: string;
  readonly origin: string;
  readonly text: string;
}

export interface Quarantine {
  put(record: QuarantinedRecord): void;
  close(): Promise<void>;
}
