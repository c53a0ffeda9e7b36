/**
 * Result codes the DC's authentication events write, each held once: Kerberos in 4768/4771
 * `Status` (RFC 4120 §7.5.9, MS-KILE §2.2; "Event 4771" on learn.microsoft.com lists them),
 * NTSTATUS in 4776 `Status` and 4625 `Status`/`SubStatus` (MS-ERREF §2.3.1).
 */

// Kerberos KDC errors.
/** The client name is not in the directory: the user does not exist. */
export const KDC_ERR_C_PRINCIPAL_UNKNOWN = 0x6;
/** The account is disabled, locked out or expired: it exists. */
export const KDC_ERR_CLIENT_REVOKED = 0x12;
/** The password has expired: the account exists. */
export const KDC_ERR_KEY_EXPIRED = 0x17;
/** Pre-authentication failed: the password was wrong. */
export const KDC_ERR_PREAUTH_FAILED = 0x18;

// NTSTATUS.
export const STATUS_NO_SUCH_USER = 0xc0000064;
export const STATUS_WRONG_PASSWORD = 0xc000006a;
export const STATUS_ACCOUNT_LOCKED_OUT = 0xc0000234;

/**
 * NTSTATUS failures that only an existing account can produce: the name was right, something
 * else about the account refused the logon.
 */
export const STATUS_ACCOUNT_EXISTS: ReadonlySet<number> = new Set([
  STATUS_ACCOUNT_LOCKED_OUT,
  0xc0000072, // ACCOUNT_DISABLED
  0xc0000193, // ACCOUNT_EXPIRED
  0xc0000071, // PASSWORD_EXPIRED
  0xc0000224, // PASSWORD_MUST_CHANGE
  0xc000006f, // INVALID_LOGON_HOURS
  0xc0000070, // INVALID_WORKSTATION
  0xc000015b, // LOGON_TYPE_NOT_GRANTED
]);
