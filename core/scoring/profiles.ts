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
  /**
   * One high-severity alert is enough to act on: the score of its identity is floored in the
   * high band (model.ts, `conclusiveFloor`). The five of issue 9: replication of secrets by a
   * non-DC (dcsync), a rogue DC registered (dcshadow), a ticket no KDC issued (golden_ticket),
   * a decoy touched (honeytoken_activity), the domain's DPAPI backup key read
   * (dpapi_backup_key). golden_ticket is conclusive but not deterministic: analyst verdicts
   * still lower its precision prior c, not its floor.
   */
  readonly conclusive: boolean;
}

const t = HALF_LIFE_HOURS.technique;

export const SCORING_PROFILES: Readonly<Record<DetectorId, ScoringProfile>> = {
  dcsync: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0, conclusive: true },
  dcshadow: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0, conclusive: true },
  golden_ticket: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 14, conclusive: true },
  dpapi_backup_key: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0, conclusive: true },
  sensitive_group_change: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 28, conclusive: false },
  overpass_the_hash: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 14, conclusive: false },
  pass_the_hash: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  pass_the_ticket: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  remote_code_execution: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  ntlm_relay: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  kerberoasting: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 14, conclusive: false },
  asrep_roasting: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 14, conclusive: false },
  brute_force: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  password_spray: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  cloud_password_spray: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  mfa_fatigue: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  account_enumeration: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  smb_session_enumeration: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 28, conclusive: false },
  samr_recon: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 28, conclusive: false },
  ldap_recon: { stage: 'reconnaissance', halfLifeHours: t, deterministic: false, maturityDays: 28, conclusive: false },
  honeytoken_activity: { stage: 'reconnaissance', halfLifeHours: t, deterministic: true, maturityDays: 0, conclusive: true },
  impossible_travel: { stage: 'initial-access', halfLifeHours: HALF_LIFE_HOURS.anomaly, deterministic: false, maturityDays: 7, conclusive: false },
  unfamiliar_signin: { stage: 'initial-access', halfLifeHours: HALF_LIFE_HOURS.anomaly, deterministic: false, maturityDays: 7, conclusive: false },
  containment_reverted: { stage: 'containment', halfLifeHours: t, deterministic: true, maturityDays: 0, conclusive: false },
  // Defender for Identity's newer alerts (issue 14): CVE exploitation and ACL backdoors are domain dominance.
  zerologon: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0, conclusive: true },
  samaccountname_spoofing: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0, conclusive: true },
  sid_history_injection: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 0, conclusive: false },
  replication_rights_granted: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 0, conclusive: false },
  dsrm_password_change: { stage: 'domain-dominance', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: false, maturityDays: 0, conclusive: false },
  // Golden SAML preparation: the key that signs every federated token, so it fades as slowly as dominance.
  adfs_dkm_key_read: { stage: 'credential-access', halfLifeHours: HALF_LIFE_HOURS.dominance, deterministic: true, maturityDays: 0, conclusive: true },
  authentication_coercion: { stage: 'credential-access', halfLifeHours: t, deterministic: false, maturityDays: 7, conclusive: false },
  rbcd_modification: { stage: 'lateral-movement', halfLifeHours: t, deterministic: false, maturityDays: 0, conclusive: false },
  security_log_cleared: { stage: 'defense-evasion', halfLifeHours: t, deterministic: false, maturityDays: 0, conclusive: false },
};

/** The detectors whose one high alert floors a score in the high band, in declaration order. */
export const CONCLUSIVE_DETECTORS: readonly DetectorId[] = (Object.keys(SCORING_PROFILES) as DetectorId[]).filter((d) => SCORING_PROFILES[d].conclusive);

export function stageOrder(stage: Stage): number | undefined {
  const i = (STAGES as readonly string[]).indexOf(stage);
  return i < 0 ? undefined : i;
}
