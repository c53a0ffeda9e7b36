/**
 * The replica rights DCShadow needs, read from a security descriptor in SDDL as 5136 logs it
 * (`nTSecurityDescriptor` value): object ACEs `(OA;flags;CR;<right>;<inherited type>;<trustee>)`.
 * Domain controllers and administrators hold these rights by default; anyone else holding them
 * can register a rogue DC.
 */

// Control access rights (MS docs "Control Access Rights", rightsGuid).
export const REPLICA_RIGHTS: Record<string, string> = {
  '9923a32a-3607-11d2-b9be-0000f87a36b2': 'DS-Install-Replica',
  '1131f6ac-9c07-11d1-f79f-00c04fc2dcd2': 'DS-Replication-Manage-Topology',
  '1131f6ab-9c07-11d1-f79f-00c04fc2dcd2': 'DS-Replication-Synchronize',
};

export interface AceGrant {
  readonly right: string;
  readonly trustee: string;
  /** `right|trustee`, what the detector diffs old and new descriptors on. */
  readonly key: string;
}

/**
 * Holders by default (SDDL aliases and RIDs): SYSTEM, BUILTIN\Administrators, Enterprise DCs,
 * Domain Controllers, Domain/Enterprise Admins, (Enterprise) Read-only DCs.
 */
const DEFAULT_HOLDER_ALIASES = new Set(['SY', 'BA', 'ED', 'DD', 'DA', 'EA', 'RO']);
const DEFAULT_HOLDER_SIDS = new Set(['S-1-5-18', 'S-1-5-9', 'S-1-5-32-544']);
const DEFAULT_HOLDER_RIDS = new Set(['498', '512', '516', '519', '521']);

const ACE = /\((O?A);[^;]*;([^;]*);([0-9a-fA-F-]{36});[^;]*;([^)]+)\)/g;

/** Replica-right grants to principals that do not hold them by default. */
export function aceGrants(sddl: string): AceGrant[] {
  const out: AceGrant[] = [];
  for (const m of sddl.matchAll(ACE)) {
    const [, type, rights, objectGuid, trusteeRaw] = m;
    if (type !== 'OA' || !rights?.includes('CR') || !objectGuid || !trusteeRaw) continue;
    const right = objectGuid.toLowerCase();
    if (!(right in REPLICA_RIGHTS)) continue;
    const trustee = trusteeRaw.trim().toUpperCase();
    if (holdsByDefault(trustee)) continue;
    const key = `${right}|${trustee}`;
    if (!out.some((g) => g.key === key)) out.push({ right, trustee, key });
  }
  return out;
}

function holdsByDefault(trustee: string): boolean {
  if (DEFAULT_HOLDER_ALIASES.has(trustee) || DEFAULT_HOLDER_SIDS.has(trustee)) return true;
  const rid = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(trustee)?.[1];
  return rid !== undefined && DEFAULT_HOLDER_RIDS.has(rid);
}
