import { BUILTIN_ADMINISTRATORS_SID, ENTERPRISE_DOMAIN_CONTROLLERS_SID, LOCAL_SYSTEM_SID } from './well-known-sids';
/**
 * Directory rights and schema identifiers as the DC's audit events write them (4662 `Properties`,
 * `ObjectType`, `AccessMask`; 5136 `nTSecurityDescriptor` values in SDDL). One home for each GUID:
 * detectors import them, none retypes them.
 */

/** Control access rights (MS docs "Control Access Rights", rightsGuid). */
export const DS_REPLICATION_GET_CHANGES = '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2';
/** Returns secrets (password hashes, krbtgt's included): what DCSync needs. */
export const DS_REPLICATION_GET_CHANGES_ALL = '1131f6ad-9c07-11d1-f79f-00c04fc2dcd2';
export const DS_REPLICATION_GET_CHANGES_FILTERED = '89e95b76-444d-4c62-991a-0facbeda640c';

/** The rights that let a principal pull the directory (and its secrets) by DRSUAPI GetNCChanges. */
export const REPLICATION_RIGHTS: Readonly<Record<string, string>> = {
  [DS_REPLICATION_GET_CHANGES]: 'DS-Replication-Get-Changes',
  [DS_REPLICATION_GET_CHANGES_ALL]: 'DS-Replication-Get-Changes-All',
  [DS_REPLICATION_GET_CHANGES_FILTERED]: 'DS-Replication-Get-Changes-In-Filtered-Set',
};

/** The rights a rogue DC registration needs (DCShadow). */
export const REPLICA_RIGHTS: Readonly<Record<string, string>> = {
  '9923a32a-3607-11d2-b9be-0000f87a36b2': 'DS-Install-Replica',
  '1131f6ac-9c07-11d1-f79f-00c04fc2dcd2': 'DS-Replication-Manage-Topology',
  '1131f6ab-9c07-11d1-f79f-00c04fc2dcd2': 'DS-Replication-Synchronize',
};

/** schemaIDGUIDs of classes and attributes (MS docs, Active Directory schema). */
export const SCHEMA = {
  /** The domain naming context head (`DC=corp,DC=example`). */
  domainDNS: '19195a5b-6da0-11d0-afd3-00c04fd930c9',
  /** AD FS keeps its DKM master key in a contact object under CN=ADFS,CN=Microsoft,CN=Program Data. */
  contact: '5cb41ed0-0e4c-11d0-a286-00aa003049e2',
  /** The attribute the AD FS DKM key is stored in, on that contact object. */
  thumbnailPhoto: '8d3bca50-1d7e-11d0-a081-00aa006c33ed',
} as const;

/** Directory access mask bits (MS-ADTS 5.1.3.2, winnt.h), as 4662 `AccessMask` and SDDL hex rights carry them. */
export const DS_ACCESS = {
  readProperty: 0x10,
  controlAccess: 0x100,
  writeDac: 0x40000,
  writeOwner: 0x80000,
  genericAll: 0x10000000,
} as const;

/**
 * Principals that hold the replication rights on a domain by default (SDDL aliases, SIDs and
 * domain RIDs): SYSTEM, BUILTIN\Administrators, Enterprise DCs, Domain Controllers, Domain and
 * Enterprise Admins, (Enterprise) Read-only DCs.
 */
const DEFAULT_HOLDER_ALIASES = new Set(['SY', 'BA', 'ED', 'DD', 'DA', 'EA', 'RO']);
const DEFAULT_HOLDER_SIDS = new Set([LOCAL_SYSTEM_SID, ENTERPRISE_DOMAIN_CONTROLLERS_SID, BUILTIN_ADMINISTRATORS_SID]);
const DEFAULT_HOLDER_RIDS = new Set(['498', '512', '516', '519', '521']);

/** Whether an SDDL trustee (alias or SID) holds the replication rights on a domain by default. */
export function holdsReplicationRightsByDefault(trustee: string): boolean {
  const t = trustee.trim().toUpperCase();
  if (DEFAULT_HOLDER_ALIASES.has(t) || DEFAULT_HOLDER_SIDS.has(t)) return true;
  const rid = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(t)?.[1];
  return rid !== undefined && DEFAULT_HOLDER_RIDS.has(rid);
}
