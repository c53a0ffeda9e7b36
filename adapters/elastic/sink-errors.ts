/**
 * Failures of the Elastic sink, state store, templates and client an admin can act on, one type
 * each (STYLE: errors). Messages carry Elasticsearch's own `error.type`/`reason` and the index,
 * never a credential: the API key and password only travel in the Authorization header, which
 * Elasticsearch does not echo, and every text is scrubbed again before it is printed (`redact`).
 * The source's errors live in errors.ts.
 */

/** The cluster refused the credentials (401), or they lack a privilege this step needs (403). */
export class ElasticAuthError extends Error {
  override name = 'ElasticAuthError';
}

/** A request failed for good (after retries where retrying made sense): names the call, the status and the reason. */
export class ElasticRequestError extends Error {
  override name = 'ElasticRequestError';
  constructor(readonly endpoint: string, readonly status: number | undefined, detail: string) {
    super(`Elasticsearch ${endpoint}: ${status === undefined ? '' : `HTTP ${status}: `}${detail}`);
  }
}

/**
 * Bulk items Elasticsearch refused for a reason retrying cannot fix (a mapping conflict, a
 * missing template, a closed index): the pass fails before its state commit, so the next pass
 * sends the same documents again once the cause is fixed.
 */
export class SinkRejectedError extends Error {
  override name = 'SinkRejectedError';
  constructor(readonly index: string, readonly failed: number, readonly first: { readonly id: string; readonly status: number; readonly type: string; readonly reason: string }) {
    super(`Elasticsearch refused ${failed} document(s) written to ${index}; the first, _id ${first.id}: HTTP ${first.status} ${first.type}: ${first.reason}`);
  }
}
