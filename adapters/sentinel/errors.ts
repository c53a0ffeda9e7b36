/**
 * What can go wrong reading Log Analytics, each as its own class so `tierzero run` tells a
 * failed pass (try again later) from a bug, and an admin knows what to fix. Messages carry the
 * service's own error code and text, never a credential (the SDK's errors carry no token).
 */

/** A value from config or data that KQL cannot carry safely (control characters in a literal, a bad name). */
export class KqlValueError extends Error {
  override name = 'KqlValueError';
}

/** The workspace answered with an error for the whole query (400 syntax / semantic error, 403, 404 workspace). */
export class LogAnalyticsQueryError extends Error {
  override name = 'LogAnalyticsQueryError';
  constructor(readonly code: string, message: string, readonly status?: number) {
    super(message);
  }
}

/**
 * A slice whose result stayed partial (the service's row or size limit, or a partial error)
 * even at the smallest slice tierzero will cut: the pass stops rather than skip events.
 */
export class PartialResultError extends Error {
  override name = 'PartialResultError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The saved checkpoint is not one this source wrote (another platform's state). */
export class SentinelCheckpointError extends Error {
  override name = 'SentinelCheckpointError';
}

/** Authentication failed: the token endpoint refused the credential, or the workspace refused the token. */
export class SentinelAuthError extends Error {
  override name = 'SentinelAuthError';
}
