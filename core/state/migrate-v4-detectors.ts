import { isJsonRecord, type JsonRecord } from './json-record';
import { migrateAccountEnumeration } from './migrate-v4/account-enumeration';
import { migrateAdfsDkmKeyRead } from './migrate-v4/adfs-dkm-key-read';
import { migrateAsrepRoasting } from './migrate-v4/asrep-roasting';
import { migrateAuthenticationCoercion } from './migrate-v4/authentication-coercion';
import { migrateBruteForce } from './migrate-v4/brute-force';
import { migrateCloudPasswordSpray } from './migrate-v4/cloud-password-spray';
import { migrateContainmentReverted } from './migrate-v4/containment-reverted';
import { migrateDcshadow } from './migrate-v4/dcshadow';
import { migrateDcsync } from './migrate-v4/dcsync';
import { migrateDpapiBackupKey } from './migrate-v4/dpapi-backup-key';
import { migrateDsrmPasswordChange } from './migrate-v4/dsrm-password-change';
import { migrateImpossibleTravel } from './migrate-v4/impossible-travel';
import { migrateLdapRecon } from './migrate-v4/ldap-recon';
import { migrateMfaFatigue } from './migrate-v4/mfa-fatigue';
import { migratePassTheHash } from './migrate-v4/pass-the-hash';
import { migratePassTheTicket } from './migrate-v4/pass-the-ticket';
import { migratePasswordSpray } from './migrate-v4/password-spray';
import { migrateRbcdModification } from './migrate-v4/rbcd-modification';
import { migrateRemoteCodeExecution } from './migrate-v4/remote-code-execution';
import { migrateReplicationRightsGranted } from './migrate-v4/replication-rights-granted';
import { migrateSamaccountnameSpoofing } from './migrate-v4/samaccountname-spoofing';
import { migrateSamrRecon } from './migrate-v4/samr-recon';
import { migrateSecurityLogCleared } from './migrate-v4/security-log-cleared';
import { migrateSensitiveGroupChange } from './migrate-v4/sensitive-group-change';
import { migrateSmbSessionEnumeration } from './migrate-v4/smb-session-enumeration';
import { migrateUnfamiliarSignin } from './migrate-v4/unfamiliar-signin';
import { migrateZerologon } from './migrate-v4/zerologon';

/**
 * Version 4 → 5 of the detector sections converted to keyed tables (core/state/keyed-table.ts):
 * the index of the migrations, one module per detector under core/state/migrate-v4/; the v4 → v5
 * step (core/state/migrate-v4.ts) calls the one of each section present.
 * Each maps the hand-written v4 snapshot onto the detector's tables, row for row, so every
 * learned baseline (profiles, usual users) carries over. A section of the wrong shape is
 * returned as it is: the detector's validated restore then refuses it naming the bad path;
 * nothing is guessed.
 */
export const migrateV4Detectors: Readonly<Record<string, (section: unknown) => unknown>> = {
  password_spray: migratePasswordSpray,
  account_enumeration: migrateAccountEnumeration,
  brute_force: migrateBruteForce,
  dpapi_backup_key: migrateDpapiBackupKey,
  remote_code_execution: migrateRemoteCodeExecution,
  pass_the_hash: migratePassTheHash,
  samr_recon: migrateSamrRecon,
  smb_session_enumeration: migrateSmbSessionEnumeration,
  ldap_recon: migrateLdapRecon,
  replication_rights_granted: migrateReplicationRightsGranted,
  mfa_fatigue: migrateMfaFatigue,
  authentication_coercion: migrateAuthenticationCoercion,
  dcsync: migrateDcsync,
  asrep_roasting: migrateAsrepRoasting,
  adfs_dkm_key_read: migrateAdfsDkmKeyRead,
  dsrm_password_change: migrateDsrmPasswordChange,
  security_log_cleared: migrateSecurityLogCleared,
  samaccountname_spoofing: migrateSamaccountnameSpoofing,
  zerologon: migrateZerologon,
  containment_reverted: migrateContainmentReverted,
  rbcd_modification: migrateRbcdModification,
  cloud_password_spray: migrateCloudPasswordSpray,
  impossible_travel: migrateImpossibleTravel,
  unfamiliar_signin: migrateUnfamiliarSignin,
  sensitive_group_change: migrateSensitiveGroupChange,
  dcshadow: migrateDcshadow,
  pass_the_ticket: migratePassTheTicket,
};

/** How each converted detector's v4 section is told from its v5 one: by the field v5 writes as a table. */
const isV4: Readonly<Record<string, (section: JsonRecord) => boolean>> = {
  password_spray: (s) => Array.isArray(s['sources']),
  account_enumeration: (s) => Array.isArray(s['sources']),
  brute_force: (s) => s['streaks'] === undefined && s['sources'] !== undefined,
  dpapi_backup_key: (s) => isJsonRecord(s['pipes']) && !Array.isArray(s['pipes']['keys']),
  remote_code_execution: (s) => s['baseline'] !== undefined,
  pass_the_hash: (s) => isJsonRecord(s['habits']) && !Array.isArray(s['habits']['keys']),
  samr_recon: (s) => Array.isArray(s['actors']),
  smb_session_enumeration: (s) => Array.isArray(s['sources']),
  ldap_recon: (s) => Array.isArray(s['actors']),
  replication_rights_granted: (s) => isJsonRecord(s['descriptors']) && !Array.isArray(s['descriptors']['keys']),
  mfa_fatigue: (s) => isJsonRecord(s['users']) && !Array.isArray(s['users']['keys']),
  authentication_coercion: (s) => isJsonRecord(s['sources']) && !Array.isArray(s['sources']['keys']),
  dcsync: (s) => isJsonRecord(s['principals']) && !Array.isArray(s['principals']['keys']),
  asrep_roasting: (s) => isJsonRecord(s['oldUac']) && !Array.isArray(s['oldUac']['keys']),
  adfs_dkm_key_read: (s) => isJsonRecord(s['readers']) && !Array.isArray(s['readers']['keys']),
  dsrm_password_change: (s) => isJsonRecord(s['changes']) && !Array.isArray(s['changes']['keys']),
  security_log_cleared: (s) => isJsonRecord(s['stories']) && !Array.isArray(s['stories']['keys']),
  samaccountname_spoofing: (s) => isJsonRecord(s['runs']) && !Array.isArray(s['runs']['keys']),
  zerologon: (s) => isJsonRecord(s['preludes']) && !Array.isArray(s['preludes']['keys']),
  containment_reverted: (s) => isJsonRecord(s['disabled']) && !Array.isArray(s['disabled']['keys']),
  rbcd_modification: (s) => isJsonRecord(s['computers']) && !Array.isArray(s['computers']['keys']),
  cloud_password_spray: (s) => isJsonRecord(s['sources']) && !Array.isArray(s['sources']['keys']),
  impossible_travel: (s) => isJsonRecord(s['users']) && !Array.isArray(s['users']['keys']),
  unfamiliar_signin: (s) => isJsonRecord(s['users']) && !Array.isArray(s['users']['keys']),
  sensitive_group_change: (s) => s['groups'] !== undefined,
  dcshadow: (s) => isJsonRecord(s['registrations']) && !Array.isArray(s['registrations']['keys']),
  pass_the_ticket: (s) => isJsonRecord(s['accounts']) && !Array.isArray(s['accounts']['keys']),
};

/**
 * A detector's section migrated by the v4 → v5 step (core/state/migrate-v4.ts). A converted
 * detector's section is migrated only in its version 4 shape (recognised by the field v5 writes
 * as a table): builds between the tables and the version bump wrote v5 sections into version 4
 * documents, and those pass as they are. Sections of detectors not converted pass untouched.
 */
export function migrateV4Section(id: string, section: unknown): unknown {
  const migrate = migrateV4Detectors[id];
  if (!migrate || !isJsonRecord(section)) return section;
  return isV4[id]?.(section) === true ? migrate(section) : section;
}
