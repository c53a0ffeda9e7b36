import { REPLICATION_RIGHTS } from '../estate/directory-rights';
import { SYSTEM_SIDS } from '../estate/well-known-sids';

/**
 * What makes an identity tier 0 or tier 1 (research note §3b step 5): membership of the
 * sensitive AD groups, privileges on a domain controller, replication rights on the domain,
 * and the privileged Entra roles.
 */

/**
 * Entra roles that control the tenant or its identities (Microsoft Learn "Microsoft Entra
 * built-in roles", the roles marked privileged): holders are tier 0.
 */
const TIER0_ROLES = [
  'Global Administrator', 'Privileged Role Administrator', 'Privileged Authentication Administrator',
  'Hybrid Identity Administrator', 'Security Administrator', 'Application Administrator',
  'Cloud Application Administrator', 'Conditional Access Administrator', 'Domain Name Administrator',
  'Partner Tier2 Support', 'Directory Synchronization Accounts', 'On Premises Directory Sync Account',
];

/** Roles that administer users or workloads but not the tenant itself: tier 1. */
const TIER1_ROLES = [
  'User Administrator', 'Authentication Administrator', 'Helpdesk Administrator', 'Password Administrator',
  'Exchange Administrator', 'SharePoint Administrator', 'Intune Administrator', 'Groups Administrator',
];

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));
const TIER0_ROLE_SET = lower(TIER0_ROLES);
const TIER1_ROLE_SET = lower(TIER1_ROLES);

export function roleTier(role: string): 'tier0' | 'tier1' | undefined {
  const r = role.trim().toLowerCase();
  return TIER0_ROLE_SET.has(r) ? 'tier0' : TIER1_ROLE_SET.has(r) ? 'tier1' : undefined;
}

/**
 * Privileges that only administrators of a machine hold (MS docs 4672 "sensitive privileges"):
 * an account granted one at logon on a domain controller administers the domain.
 */
const SENSITIVE_PRIVILEGES = [
  'SeTcbPrivilege', 'SeBackupPrivilege', 'SeRestorePrivilege', 'SeDebugPrivilege', 'SeTakeOwnershipPrivilege',
  'SeSecurityPrivilege', 'SeLoadDriverPrivilege', 'SeEnableDelegationPrivilege', 'SeCreateTokenPrivilege',
  'SeAssignPrimaryTokenPrivilege', 'SeSystemEnvironmentPrivilege',
];

export function sensitivePrivileges(list: string): string[] {
  return SENSITIVE_PRIVILEGES.filter((p) => list.includes(p));
}

/** Well-known service principals (SYSTEM, LOCAL SERVICE, NETWORK SERVICE): not people to score. */
export function isWellKnownServiceSid(sid: string | undefined): boolean {
  return sid !== undefined && SYSTEM_SIDS.has(sid);
}

/**
 * Trustees granted the replication control access rights in an SDDL written by 5136 to a
 * domain object's nTSecurityDescriptor: `(OA;;CR;1131f6aa-…;;S-1-5-21-…)`. Holding them is
 * being able to DCSync.
 */

export function replicationTrustees(sddl: string): string[] {
  const out: string[] = [];
  for (const m of sddl.matchAll(/\(OA;[^;()]*;[^;()]*CR[^;()]*;([0-9a-fA-F-]{36});[^;()]*;(S-1-[\d-]+)\)/g)) {
    if ((m[1] ?? '').toLowerCase() in REPLICATION_RIGHTS && m[2]) out.push(m[2].toUpperCase());
  }
  return [...new Set(out)];
}
