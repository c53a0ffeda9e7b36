/**
 * The DC's own LSA and services: SYSTEM, LOCAL SERVICE, NETWORK SERVICE ("Well-known SIDs",
 * learn.microsoft.com/windows/win32/secauthz/well-known-sids). Work they do on a DC is the DC
 * serving requests, never a principal acting on it.
 */
export const SYSTEM_SIDS: ReadonlySet<string> = new Set(['S-1-5-18', 'S-1-5-19', 'S-1-5-20']);

/** ANONYMOUS LOGON: a null session, no credentials at all. */
export const ANONYMOUS_LOGON_SID = 'S-1-5-7';
