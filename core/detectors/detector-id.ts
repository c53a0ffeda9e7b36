/** Every detector id of DESIGN §5. Ids are stable: they are the `detector` field of alerts. */
export const DETECTOR_IDS = [
  'dcsync', 'dcshadow', 'overpass_the_hash', 'pass_the_hash', 'pass_the_ticket', 'golden_ticket',
  'kerberoasting', 'asrep_roasting', 'brute_force', 'password_spray', 'account_enumeration',
  'remote_code_execution', 'smb_session_enumeration', 'samr_recon', 'ldap_recon', 'honeytoken_activity',
  'sensitive_group_change', 'ntlm_relay', 'dpapi_backup_key',
  'zerologon', 'samaccountname_spoofing', 'sid_history_injection', 'replication_rights_granted', 'dsrm_password_change',
  'adfs_dkm_key_read', 'authentication_coercion', 'rbcd_modification', 'security_log_cleared',
  'impossible_travel', 'unfamiliar_signin', 'cloud_password_spray', 'mfa_fatigue', 'containment_reverted',
] as const;

export type DetectorId = (typeof DETECTOR_IDS)[number];

export function isDetectorId(s: string): s is DetectorId {
  return (DETECTOR_IDS as readonly string[]).includes(s);
}
