/**
 * Entra ID sign-in result codes (`ResultType`, Microsoft Learn "Microsoft Entra authentication
 * and authorization error codes"), grouped by what they say about the password.
 */

/** The password was wrong, or the attempt never got as far as checking it for a real user. */
export const PASSWORD_GUESS_FAILED: ReadonlySet<number> = new Set([
  50126, // InvalidUserNameOrPassword
  50053, // IdsLocked: smart lockout after repeated failures, or sign-in from a known-malicious IP
  50034, // UserAccountNotFound: spray lists carry names that do not exist
  50056, // Invalid or null password
  50057, // UserDisabled
]);

/**
 * Codes Entra returns only once the first factor (the password) was accepted: success, an
 * expired but correct password, or a second-factor / Conditional Access step that follows the
 * password. After a spray, any of these from the spraying source means a password was guessed.
 */
export const PASSWORD_ACCEPTED: ReadonlySet<number> = new Set([
  0,
  50055, // InvalidPasswordExpiredPassword: the old password was right
  50072, // user must enrol for MFA
  50074, // strong authentication required
  50076, // MFA required (location or policy)
  50079, // user must register for MFA
  50097, // device authentication required
  50158, // external security challenge not satisfied
  500121, // strong authentication (MFA) failed
  53000, // device not compliant (Conditional Access)
  53001, // device not domain joined (Conditional Access)
  53003, // blocked by Conditional Access
]);

export function isSuccess(resultType: number): boolean {
  return resultType === 0;
}
