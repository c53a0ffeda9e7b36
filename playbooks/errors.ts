/**
 * One error type per failure an operator can act on (STYLE.md). Every message is built from
 * identifiers and platform messages only: never from a password, token or secret, and every
 * message is scrubbed of registered secrets on its way out (see secrets.ts).
 */
import { scrubSecrets } from '../core/config/secret';

export type ProviderName = 'activeDirectory' | 'entra';

export class ResponseError extends Error {
  constructor(message: string) {
    super(scrubSecrets(message));
    this.name = new.target.name;
  }
}

/** The target is one the responder must never touch (break-glass, built-ins, our own accounts). */
export class ProtectedAccountError extends ResponseError {
  constructor(readonly account: string, readonly rule: string) {
    super(`refused: ${account} is a protected account (${rule}); tierzero never changes it`);
  }
}

/** The service account or app lacks a right; names the right to grant and quotes the platform. */
export class MissingPermissionError extends ResponseError {
  constructor(
    readonly provider: ProviderName,
    readonly operation: string,
    readonly needed: string,
    readonly platformMessage: string,
  ) {
    super(`${provider}: missing permission for ${operation}: grant ${needed} (${platformMessage.trim()})`);
  }
}

export class UserNotFoundError extends ResponseError {
  constructor(readonly identifier: string, readonly where: string) {
    super(`no user matches '${identifier}' in ${where}`);
  }
}

export class AmbiguousUserError extends ResponseError {
  constructor(readonly identifier: string, readonly matches: readonly string[]) {
    super(`'${identifier}' matches more than one account (${matches.join('; ')}): name the user by SID or UPN`);
  }
}

export class InvalidIdentifierError extends ResponseError {
  constructor(readonly input: string, why: string) {
    super(`invalid user identifier: ${why}`);
  }
}

/** The circuit breaker is open: too many actions in the last hour, until an operator resets it. */
export class CircuitOpenError extends ResponseError {
  constructor(readonly trippedAt: string, readonly limit: number) {
    super(
      `refused: circuit breaker open since ${trippedAt} (more than ${limit} actions in one hour); ` +
        `an operator must review the audit log and run 'tierzero respond reset-breaker --reason …'`,
    );
  }
}

/** An LDAP failure other than a missing right, with the server's diagnostic message. */
export class DirectoryError extends ResponseError {
  constructor(readonly operation: string, readonly ldapCode: number | undefined, readonly ldapMessage: string) {
    super(`activeDirectory: ${operation} failed${ldapCode === undefined ? '' : ` (LDAP ${ldapCode})`}: ${ldapMessage.trim()}`);
  }
}

/** The service account's own bind was refused: wrong DN/password, or transport not encrypted. */
export class DirectoryBindError extends ResponseError {
  constructor(readonly bindDn: string, readonly ldapMessage: string) {
    super(`activeDirectory: bind as ${bindDn} failed: ${ldapMessage.trim()}`);
  }
}

/** The DC rejected a password for its policy (length, complexity, history). */
export class PasswordPolicyError extends ResponseError {
  constructor(readonly ldapMessage: string) {
    super(`activeDirectory: the domain password policy rejected the new password: ${ldapMessage.trim()}`);
  }
}

/** A Graph call failed after retries; carries Graph's error code and request id for support. */
export class GraphRequestError extends ResponseError {
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly code: string,
    readonly graphMessage: string,
    readonly requestId?: string,
  ) {
    super(
      `entra: ${operation} failed${status === undefined ? '' : ` (HTTP ${status})`}: ${code}: ${graphMessage.trim()}` +
        (requestId ? ` [request-id ${requestId}]` : ''),
    );
  }
}

/** The token endpoint refused the app's credentials (AADSTS code in the description). */
export class GraphAuthError extends ResponseError {
  constructor(readonly error: string, readonly description: string) {
    super(`entra: token request failed: ${error}: ${description.split(/\r?\n/)[0]?.trim() ?? ''}`);
  }
}

/** A change was accepted but reading the object back shows a different state. */
export class VerificationError extends ResponseError {
  constructor(readonly provider: ProviderName, readonly what: string, readonly expected: string, readonly actual: string) {
    super(`${provider}: read-back after ${what} shows ${actual}, expected ${expected}`);
  }
}

/** The action needs a provider the config does not set up. */
export class ProviderNotConfiguredError extends ResponseError {
  constructor(readonly provider: ProviderName, why: string) {
    super(`${provider} is not configured (response.${provider}): ${why}`);
  }
}

/** A short, stable description of any error for step results and the audit log. */
export function describeError(err: unknown): { readonly type: string; readonly message: string } {
  if (err instanceof Error) return { type: err.name, message: scrubSecrets(err.message) };
  return { type: 'Error', message: scrubSecrets(String(err)) };
}
