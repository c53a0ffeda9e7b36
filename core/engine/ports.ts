import type { Alert } from '../alerts/alert';

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
  /** Resolves only once the platform durably acknowledged every alert; must be idempotent by `id`. */
  write(alerts: readonly Alert[]): Promise<void>;
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
