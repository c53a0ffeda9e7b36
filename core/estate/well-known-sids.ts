/**
 * The DC's own LSA and services: SYSTEM, LOCAL SERVICE, NETWORK SERVICE ("Well-known SIDs",
 * learn.microsoft.com/windows/win32/secauthz/well-known-sids). Work they do on a DC is the DC
 * serving requests, never a principal acting on it.
 */
export const SYSTEM_SIDS: ReadonlySet<string> = new Set(['S-1-5-18', 'S-1-5-19', 'S-1-5-20']);

/** LOCAL SYSTEM alone: the machine's own account, which runs the LSA, the KDC and every service host. */
export const LOCAL_SYSTEM_SID = 'S-1-5-18';

/** ENTERPRISE DOMAIN CONTROLLERS: every DC of the forest ("Well-known SIDs"). */
export const ENTERPRISE_DOMAIN_CONTROLLERS_SID = 'S-1-5-9';

/** BUILTIN\Administrators ("Well-known SIDs", S-1-5-32-544). */
export const BUILTIN_ADMINISTRATORS_SID = 'S-1-5-32-544';

/** ANONYMOUS LOGON: an unauthenticated caller (a null session, an unauthenticated RPC such as Netlogon's). */
export const ANONYMOUS_SID = 'S-1-5-7';

/**
 * Domain-relative RIDs that make a SID privileged wherever it appears, including in
 * sIDHistory ("Well-known SIDs"): the domain's built-in Administrator account (-500). The
 * privileged groups (-512 Domain Admins, -518, -519, …) are tier 0 in `sensitive-groups.ts`.
 */
export const ADMINISTRATOR_RID = 500;

const DOMAIN_SID = /^(S-1-5-21-\d+-\d+-\d+)-(\d+)$/i;

/** `S-1-5-21-a-b-c-1104` → `S-1-5-21-a-b-c`: the domain an account SID belongs to. */
export function domainSidOf(sid: string | undefined): string | undefined {
  const m = sid ? DOMAIN_SID.exec(sid) : null;
  return m?.[1]?.toUpperCase();
}

/** The relative id of a domain account SID (`…-512` → 512). */
export function ridOf(sid: string | undefined): number | undefined {
  const m = sid ? DOMAIN_SID.exec(sid) : null;
  return m?.[2] === undefined ? undefined : Number(m[2]);
}
