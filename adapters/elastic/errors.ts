/**
 * Failures of the Elastic pull side (source, query compilation, probe), one type each (STYLE:
 * errors). Messages carry Elasticsearch's own error type and reason, never a credential: the
 * client's errors also hold the request (headers included), so only `meta.statusCode` and the
 * body's `error.type` / `error.reason` are copied out (see `describeEsError`).
 * The sink's errors live in sink-errors.ts.
 */

/** A tree node the query DSL cannot say exactly (in `exact` mode): a native rule must not silently widen. */
export class DslInexactError extends Error {
  override name = 'DslInexactError';
}

/** A value that cannot go into a query at all (a non-integer EventID, a bad CIDR or bit mask). */
export class DslValueError extends Error {
  override name = 'DslValueError';
}

/** A search, PIT or count request failed for good (after retries): names the call and Elasticsearch's answer. */
export class ElasticRequestError extends Error {
  override name = 'ElasticRequestError';
  constructor(readonly call: string, readonly status: number | undefined, detail: string) {
    super(`Elasticsearch ${call}: ${status === undefined ? '' : `HTTP ${status}: `}${detail}`);
  }
}

/** The pull could not be completed (PIT lost too often, retries exhausted): the pass must not commit. */
export class SourceIncompleteError extends Error {
  override name = 'SourceIncompleteError';
}

/** The saved checkpoint is not an Elastic checkpoint (state from another platform or version). */
export class CheckpointMismatchError extends Error {
  override name = 'CheckpointMismatchError';
}

/** The status and Elasticsearch's own error type and reason, from a client error; nothing else (no headers). */
export function describeEsError(e: unknown): { status: number | undefined; detail: string; type: string | undefined } {
  const meta = (e as { meta?: { statusCode?: number; body?: unknown } } | undefined)?.meta;
  const status = typeof meta?.statusCode === 'number' ? meta.statusCode : undefined;
  const body = meta?.body as { error?: { type?: unknown; reason?: unknown; root_cause?: { type?: unknown; reason?: unknown }[] } | string } | undefined;
  const err = body && typeof body === 'object' ? body.error : undefined;
  if (err && typeof err === 'object') {
    const cause = Array.isArray(err.root_cause) ? err.root_cause[0] : undefined;
    const type = typeof err.type === 'string' ? err.type : undefined;
    const reason = typeof err.reason === 'string' ? err.reason : typeof cause?.reason === 'string' ? cause.reason : '';
    const causeType = typeof cause?.type === 'string' && cause.type !== type ? ` (${cause.type}${typeof cause.reason === 'string' && cause.reason !== reason ? `: ${cause.reason}` : ''})` : '';
    return { status, type, detail: `${type ?? 'error'}: ${reason}${causeType}`.slice(0, 2000) };
  }
  const name = e instanceof Error ? e.name : 'Error';
  // A ConnectionError / TimeoutError message names the host and the reason, not headers.
  const message = e instanceof Error ? e.message : String(e);
  return { status, type: name, detail: `${name}: ${message}`.slice(0, 2000) };
}
