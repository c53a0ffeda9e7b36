/**
 * Failures a Splunk admin can act on, one type each (STYLE: errors). Messages never carry a
 * password, token or session key: they are built from status codes and Splunk's own
 * message text, which `redact` has already scrubbed.
 */

/** Login refused, session expired without a way to log in again, or a token Splunk does not accept. */
export class SourceAuthError extends Error {
  override name = 'SourceAuthError';
}

/** A management-port call failed for good (after retries): names the endpoint and Splunk's message. */
export class SplunkRequestError extends Error {
  override name = 'SplunkRequestError';
  constructor(readonly endpoint: string, readonly status: number | undefined, detail: string) {
    super(`Splunk ${endpoint}: ${status === undefined ? '' : `HTTP ${status}: `}${detail}`);
  }
}

/** The export stream ended before its last row, and resuming did not complete it either. */
export class SourceIncompleteError extends Error {
  override name = 'SourceIncompleteError';
}

/** The search itself failed (Splunk reported a FATAL/ERROR message in the export stream). */
export class SearchFailedError extends Error {
  override name = 'SearchFailedError';
}

/** HEC refused the alerts for a reason retrying cannot fix (bad token, unknown index, bad data). */
export class SinkRejectedError extends Error {
  override name = 'SinkRejectedError';
  constructor(readonly status: number, readonly hecCode: number | undefined, detail: string) {
    super(`Splunk HEC refused the alerts (HTTP ${status}${hecCode === undefined ? '' : `, code ${hecCode}`}): ${detail}`);
  }
}

/** HEC accepted the alerts but indexer acknowledgement did not confirm them in time. */
export class SinkAckTimeoutError extends Error {
  override name = 'SinkAckTimeoutError';
}

/** An interpolated value that cannot be written safely into SPL (backtick, control character). */
export class SplValueError extends Error {
  override name = 'SplValueError';
}
