import { accountEnumeration } from './account_enumeration';
import { asrepRoasting } from './asrep_roasting';
import { bruteForce } from './brute_force';
import { dcsync } from './dcsync';
import type { DetectorDeclaration, DetectorModule } from './detector';
import { dcshadow } from './dcshadow';
import { sensitiveGroupChange } from './sensitive_group_change';
import { dpapiBackupKey } from './dpapi_backup_key';
import { honeytokenActivity } from './honeytoken_activity';
import { goldenTicket } from './golden_ticket';
import { kerberoasting } from './kerberoasting';
import { ldapRecon } from './ldap_recon';
import { ntlmRelay } from './ntlm_relay';
import { overpassTheHash } from './overpass_the_hash';
import { passTheHash } from './pass_the_hash';
import { passTheTicket } from './pass_the_ticket';
import { passwordSpray } from './password_spray';
import { remoteCodeExecution } from './remote_code_execution';
import { samrRecon } from './samr_recon';
import { smbSessionEnumeration } from './smb_session_enumeration';
import { impossibleTravel } from './impossible_travel';
import { unfamiliarSignin } from './unfamiliar_signin';
import { cloudPasswordSpray } from './cloud_password_spray';
import { mfaFatigue } from './mfa_fatigue';
import { containmentReverted } from './containment_reverted';
import { zerologon } from './zerologon';
import { samaccountnameSpoofing } from './samaccountname_spoofing';
import { sidHistoryInjection } from './sid_history_injection';
import { dsrmPasswordChange } from './dsrm_password_change';
import { securityLogCleared } from './security_log_cleared';

import { replicationRightsGranted } from './replication_rights_granted';
import { adfsDkmKeyRead } from './adfs_dkm_key_read';
import { authenticationCoercion } from './authentication_coercion';
import { rbcdModification } from './rbcd_modification';

/** Every implemented detector. The README table, config schema and `doctor` walk this list. */
export const DETECTOR_MODULES: readonly DetectorModule[] = [dcsync, kerberoasting, asrepRoasting, bruteForce, passwordSpray, accountEnumeration, samrRecon, smbSessionEnumeration, ldapRecon, remoteCodeExecution, overpassTheHash, passTheHash, passTheTicket, goldenTicket, ntlmRelay, honeytokenActivity, dpapiBackupKey, sensitiveGroupChange, dcshadow,
  zerologon, samaccountnameSpoofing, sidHistoryInjection, dsrmPasswordChange, securityLogCleared,
  replicationRightsGranted, adfsDkmKeyRead, authenticationCoercion, rbcdModification,
  impossibleTravel, unfamiliarSignin, cloudPasswordSpray, mfaFatigue, containmentReverted];

export const DECLARATIONS: readonly DetectorDeclaration[] = DETECTOR_MODULES.map((m) => m.declaration);
