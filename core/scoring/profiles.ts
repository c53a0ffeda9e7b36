import type { DetectorId } from '../detectors/detector-id';

/**
 * How each detector's alerts weigh in the investigation priority score (research note §3b):
 * how fast they fade, which kill-chain stage they show, and whether they are deterministic
 * (a fact, not an inference: precision 1 whatever the verdict history).
 */

/**
 * Kill-chain stages in attack order; `containment` (evasion of a response) and
 * `defense-evasion` (destroying the record, e.g. clearing logs) have no place in it.
 */
export const STAGES = ['initial-access', 'reconnaissance', 'credential-access', 'lateral-movement', 'domain-dominance'] as const;
export type Stage = (typeof STAGES)[number] | 'containment' | 'defense-evasion';

/** Half-lives (hours): anomalies fade in half a day, attack techniques in 3 days, domain dominance in a week. */
export const HALF_LIFE_HOURS = { anomaly: 12, technique: 72, dominance: 168 } as const;

export interface ScoringProfile {
  readonly stage: Stage;
  readonly halfLifeHours: number;
  /** A fact rather than an inference (a decoy touched, secrets replicated by a non-DC): precision 1. */
  readonly deterministic: boolean;
  /**
   * Days of history an identity needs before this detector's verdicts about it count fully
   * (7 for authentication, 14 for Kerberos encryption types, 28 for SAMR and group baselines);
   * 0 when the verdict does not depend on a baseline.
   */
  readonly maturityDays: number;
}

const t = HALF_LIFE_HOURS.technique;

export const SCORING_PROFILES: Readonly<Record<DetectorId, ScoringProfile>> = {
  dcsync: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0 },
  dcshadow: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0 },
  golden_ticket: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 14 },
  dpapi_backup_key: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0 },
  sensitive_group_change: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 28 },
  overpass_the_hash: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 14 },
  pass_the_hash: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  pass_the_ticket: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  remote_code_execution: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  ntlm_relay: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  kerberoasting: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 14 },
  asrep_roasting: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 14 },
  brute_force: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  password_spray: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  cloud_password_spray: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  mfa_fatigue: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  account_enumeration: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  smb_session_enumeration: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 28 },
  samr_recon: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 28 },
  ldap_recon: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 28 },
  honeytoken_activity: { stage: 'reconnaissance', halfLifeHours: t, deterministic: true, maturityDays: 0 },
  impossible_travel: { stage: 'initial-access', halfLifeHours: HALF_LIFE_HOURS.anomaly, deterministic: false, maturityDays: 7 },
  unfamiliar_signin: { stage: 'initial-access', halfLifeHours: HALF_LIFE_HOURS.anomaly, deterministic: false, maturityDays: 7 },
  containment_reverted: { stage: 'containment', halfLifeHours: t, deterministic: true, maturityDays: 0 },
  // Defender for Identity's newer alerts (issue 14): CVE exploitation and ACL backdoors are domain dominance.
  zerologon: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0 },
  samaccountname_spoofing: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0 },
  sid_history_injection: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 0 },
  replication_rights_granted: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 0 },
  dsrm_password_change: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 0 },
  // Golden SAML preparation: the key that signs every federated token, so it fades as slowly as dominance.
  adfs_dkm_key_read: { stage: 'credential-access', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0 },
  authentication_coercion: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7 },
  rbcd_modification: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 0 },
  security_log_cleared: { stage: 'defense-evasion', halfLifeHours: t, deterministic: false, maturityDays: 0 },
};

export function stageOrder(stage: Stage): number | undefined {
  const i = (STAGES as readonly string[]).indexOf(stage);
  return i < 0 ? undefined : i;
}
