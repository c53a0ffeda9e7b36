/**
 * Failures of what a pass writes into Azure — alerts and scores through the Logs Ingestion API,
 * state into Blob Storage — one type each, so `tierzero run` reports them as "the pass failed,
 * nothing committed" (exit 3). Messages carry status codes and the service's error code, never
 * a token or key. (The source's failures are in errors.ts.)
 */

/** The Logs Ingestion API refused rows for a reason retrying cannot fix, or kept failing. */
export class IngestionFailedError extends Error {
  override name = 'IngestionFailedError';
  constructor(readonly stream: string, readonly rows: number, detail: string) {
    super(`Logs Ingestion API, stream ${stream}: ${rows} row(s) not accepted: ${detail}; the pass is not committed and will be redone`);
  }
}

/** Reading or writing the state blob failed (other than a lost compare-and-set, which is StateConflictError). */
export class StateStorageError extends Error {
  override name = 'StateStorageError';
  constructor(readonly where: string, readonly op: 'read' | 'write', detail: string) {
    super(`state blob ${where}: ${op} failed: ${detail}`);
  }
}
