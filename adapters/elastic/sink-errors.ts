/**
 * Failures of the Elastic sink, state store, templates and client an admin can act on, one type
 * each (STYLE: errors). Messages carry Elasticsearch's own `error.type`/`reason` and the index,
 * never a credential: the API key and password only travel in the Authorization header, which
 * Elasticsearch does not echo, and every text is scrubbed again before it is printed (`redact`).
 * A request that failed for good is errors.ts's `ElasticRequestError`, shared with the source.
 */

/** The cluster refused the credentials (401), or they lack a privilege this step needs (403). */
export class ElasticAuthError extends Error {
  override name = 'ElasticAuthError';
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
