import { SEVERITY_RISK } from '../alerts/alert';
import type { DetectorId } from '../detectors/detector-id';
import { HIGH_BAND_FROM } from './bands';
import { SCORING_PROFILES, stageOrder, type Stage } from './profiles';

/**
 * The investigation priority score (DESIGN §6, research note §3b), as one pure function of an
 * identity's signals and the time. Every number that goes into it is in the returned table,
 * so the score can be recomputed by hand:
 *
 *   vᵢ  = rᵢ · cᵢ · pᵢ · qᵢ · sᵢ · 2^(−ageᵢ / halfLifeᵢ)          per signal
 *   G_d = min(Σₖ v₍ₖ₎ / k^1.5, 2 · max v)                          per detector, k by v descending
 *   A   = Σⱼ G₍ⱼ₎ / j^1.5,  Aₙ = max(F, min(100, A / ζ(1.5)))     across detectors, j by G descending
 *   A_b = min(99, Aₙ · B)                                          kill-chain bonus B
 *   S   = max(F, 100 · K·o / (1 + K·o)),  o = A_b / (100 − A_b)    criticality K in odds form
 *   F   = max over conclusive signals with r ≥ 70 of 70 · 2^(−max(0, ageᵢ − 24 h) / halfLifeᵢ) · sᵢ · lᵢ
 *
 * One deliberate change from the note: its per-detector cap of 3 · max v can never bind,
 * because Σ v₍ₖ₎/k^1.5 ≤ ζ(1.5) · max v ≈ 2.612 · max v. The cap here is 2 · max v, which
 * binds from a detector's 11th equal signal on; so one noisy detector is worth at most two of
 * its strongest alerts, and 100 medium alerts (2 × 40) never outweigh one critical (90).
 *
 * The floor F is a calibration (issue 9, item 7). The ζ normalisation is right for inferences
 * (many weak signals must add up before they mean much) but it divides one DCSync by 2.6 and
 * the org popularity and precision priors shrink it further: a lone DCSync by a normal user
 * scored 23.8, under the moderate band, beside a Kerberoasting cluster. A conclusive detector
 * (profiles.ts: secrets replicated by a non-DC, a rogue DC, a forged ticket, a decoy touched,
 * the DPAPI backup key read) at high severity is a fact an analyst acts on at once, so its
 * identity is held at least at the high band (70) for the 24 h a SOC's triage cycle takes,
 * then the floor fades at the signal's own half-life (a week-old DCSync floors at 39). It
 * scales with the identity's share sᵢ and with lᵢ (½ when the alert's own verdict leaned on a
 * baseline still learning, else 1), so such an alert, or one of n targets, is floored lower;
 * an identity's short history (q) does not lower it, since a fact needs no baseline. It
 * applies to Aₙ, so the kill-chain bonus and criticality still lift the score above it, and
 * to S, so down-weighted identities (disabled, test: K = 0.7) stay high too: a disabled
 * account replicating secrets is no less alarming. The floor only raises a score, so the
 * ranking properties hold: capped rules, tier 0 above normal, decay.
 */

export const ZETA_1_5 = 2.612;
export const RULE_CAP_MULTIPLE = 2;
export const DROP_AFTER_MS = 30 * 24 * 3_600_000;
export const KILL_CHAIN_WINDOW_MS = 72 * 3_600_000;
export const KILL_CHAIN_ORDER_WINDOW_MS = 24 * 3_600_000;
/** Signals below this value are too weak to show a tactic in the kill-chain count. */
export const KILL_CHAIN_MIN_VALUE = 5;
/** A conclusive signal floors the score from this risk on: the high severity's. */
export const CONCLUSIVE_MIN_RISK = SEVERITY_RISK.high;
/** How long a conclusive signal holds its full floor before the floor decays with the signal. */
export const CONCLUSIVE_HOLD_HOURS = 24;

export interface SignalInput {
  readonly alertId: string;
  readonly detector: DetectorId;
  readonly title: string;
  /** The alert's risk score r (severity: 5 / 15 / 40 / 70 / 90). */
  readonly risk: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** The identity's share of the alert: 1 for an actor, 1/√n for one of n targets. */
  readonly share: number;
  /** Baseline maturity q: 0.5 while the identity or the detector's baseline was still learning. */
  readonly maturity: number;
  /** The alert's own verdict leaned on a baseline still learning (`Alert.learning`). */
  readonly learning?: boolean;
}

export type CriticalityTier = 'honeytoken' | 'tier0' | 'tier1' | 'normal' | 'disabled' | 'test';

export interface Criticality {
  readonly tier: CriticalityTier;
  /** K: the odds multiplier (3 honeytoken, 2 tier 0, 1.5 tier 1, 1 normal, 0.7 disabled or test). */
  readonly multiplier: number;
  readonly reasons: readonly string[];
}

export const CRITICALITY_MULTIPLIER: Readonly<Record<CriticalityTier, number>> = {
  honeytoken: 3, tier0: 2, tier1: 1.5, normal: 1, disabled: 0.7, test: 0.7,
};

export interface ScoreInputs {
  readonly at: number;
  /** Precision prior c per detector. */
  readonly precision: (d: DetectorId) => number;
  /** 1 − org popularity p per detector, floored at 0.3. */
  readonly popularity: (d: DetectorId) => number;
  readonly criticality: Criticality;
  /** Signals last seen at or before a reset watermark no longer count. */
  readonly resetAt?: number;
}

export interface ContributionRow {
  readonly alertId: string;
  readonly detector: DetectorId;
  readonly title: string;
  readonly stage: Stage;
  readonly risk: number;
  readonly precision: number;
  readonly popularity: number;
  readonly maturity: number;
  readonly share: number;
  readonly learning: boolean;
  readonly ageHours: number;
  readonly halfLifeHours: number;
  readonly decay: number;
  /** v = r · c · p · q · s · decay. */
  readonly value: number;
  /** Rank by value within its detector (1 = strongest) and its weight 1/k^1.5. */
  readonly rank: number;
  readonly rankWeight: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface RuleContribution {
  readonly detector: DetectorId;
  readonly signals: number;
  /** Σ v₍ₖ₎ / k^1.5. */
  readonly sum: number;
  readonly cap: number;
  readonly capped: boolean;
  /** G = min(sum, cap). */
  readonly value: number;
  readonly rank: number;
  readonly rankWeight: number;
  /** G / j^1.5: what this detector adds to A. */
  readonly contribution: number;
}

export interface ScoreBreakdown {
  readonly at: number;
  readonly rows: readonly ContributionRow[];
  readonly rules: readonly RuleContribution[];
  readonly total: number;
  /** F: the floor from the strongest conclusive high signal (0 without one), and that alert. */
  readonly floor: number;
  readonly floorAlertId?: string;
  /** max(F, min(100, A / ζ(1.5))). */
  readonly normalised: number;
  readonly stages: readonly Stage[];
  readonly inOrder: boolean;
  readonly bonus: number;
  readonly boosted: number;
  readonly criticality: Criticality;
  readonly odds: number;
  readonly score: number;
  /** Signals left out by the reset watermark. */
  readonly clearedByReset: number;
}

export function computeScore(signals: readonly SignalInput[], inputs: ScoreInputs): ScoreBreakdown {
  const { at } = inputs;
  let cleared = 0;
  const values: Omit<ContributionRow, 'rank' | 'rankWeight'>[] = [];
  for (const s of signals) {
    if (s.firstSeen > at || at - s.lastSeen > DROP_AFTER_MS) continue;
    if (inputs.resetAt !== undefined && s.lastSeen <= inputs.resetAt) {
      cleared++;
      continue;
    }
    const profile = SCORING_PROFILES[s.detector];
    const ageHours = Math.max(0, at - s.lastSeen) / 3_600_000;
    const decay = 2 ** (-ageHours / profile.halfLifeHours);
    const precision = inputs.precision(s.detector);
    const popularity = inputs.popularity(s.detector);
    const value = s.risk * precision * popularity * s.maturity * s.share * decay;
    values.push({
      alertId: s.alertId, detector: s.detector, title: s.title, stage: profile.stage, risk: s.risk, precision, popularity,
      maturity: s.maturity, share: s.share, learning: s.learning === true, ageHours, halfLifeHours: profile.halfLifeHours, decay, value, firstSeen: s.firstSeen, lastSeen: s.lastSeen,
    });
  }

  const byRule = new Map<DetectorId, typeof values>();
  for (const v of values) byRule.set(v.detector, [...(byRule.get(v.detector) ?? []), v]);
  const rows: ContributionRow[] = [];
  const ruleValues: Omit<RuleContribution, 'rank' | 'rankWeight' | 'contribution'>[] = [];
  for (const [detector, list] of byRule) {
    list.sort((a, b) => b.value - a.value || a.alertId.localeCompare(b.alertId));
    let sum = 0;
    list.forEach((v, i) => {
      const rankWeight = 1 / (i + 1) ** 1.5;
      sum += v.value * rankWeight;
      rows.push({ ...v, rank: i + 1, rankWeight });
    });
    const cap = RULE_CAP_MULTIPLE * (list[0]?.value ?? 0);
    ruleValues.push({ detector, signals: list.length, sum, cap, capped: sum > cap, value: Math.min(sum, cap) });
  }
  ruleValues.sort((a, b) => b.value - a.value || a.detector.localeCompare(b.detector));
  const rules: RuleContribution[] = ruleValues.map((r, j) => {
    const rankWeight = 1 / (j + 1) ** 1.5;
    return { ...r, rank: j + 1, rankWeight, contribution: r.value * rankWeight };
  });
  const total = rules.reduce((a, r) => a + r.contribution, 0);
  const { floor, floorAlertId } = conclusiveFloor(values);
  const normalised = Math.max(floor, Math.min(100, total / ZETA_1_5));

  const { stages, inOrder, bonus } = killChain(rows, at);
  const boosted = Math.min(99, normalised * bonus);
  const odds = boosted / (100 - boosted);
  const k = inputs.criticality.multiplier;
  const score = Math.max(floor, (100 * k * odds) / (1 + k * odds));
  rows.sort((a, b) => b.value - a.value || a.alertId.localeCompare(b.alertId));
  return { at, rows, rules, total, floor, ...(floorAlertId === undefined ? {} : { floorAlertId }), normalised, stages, inOrder, bonus, boosted, criticality: inputs.criticality, odds, score, clearedByReset: cleared };
}

/** F (see the header): the strongest conclusive high signal holds the score in the high band for a day, then fades. */
function conclusiveFloor(values: readonly Pick<ContributionRow, 'alertId' | 'detector' | 'risk' | 'ageHours' | 'halfLifeHours' | 'share' | 'learning'>[]): { floor: number; floorAlertId?: string } {
  let floor = 0;
  let floorAlertId: string | undefined;
  for (const v of values) {
    if (!SCORING_PROFILES[v.detector].conclusive || v.risk < CONCLUSIVE_MIN_RISK) continue;
    const f = HIGH_BAND_FROM * 2 ** (-Math.max(0, v.ageHours - CONCLUSIVE_HOLD_HOURS) / v.halfLifeHours) * v.share * (v.learning ? 0.5 : 1);
    if (f > floor || (f === floor && floorAlertId !== undefined && v.alertId < floorAlertId)) {
      floor = f;
      floorAlertId = v.alertId;
    }
  }
  return floorAlertId === undefined ? { floor } : { floor, floorAlertId };
}

/**
 * B = min(1.6, 1 + 0.15 (T − 1)) for T distinct stages among signals worth ≥ 5 in the last
 * 72 h, × 1.2 when they appeared in kill-chain order (initial access → recon → credential
 * access → lateral movement → domain dominance) within 24 h.
 */
function killChain(rows: readonly ContributionRow[], at: number): { stages: Stage[]; inOrder: boolean; bonus: number } {
  const strong = rows.filter((r) => r.value >= KILL_CHAIN_MIN_VALUE && r.lastSeen >= at - KILL_CHAIN_WINDOW_MS);
  const stages = [...new Set(strong.map((r) => r.stage))].sort((a, b) => (stageOrder(a) ?? 99) - (stageOrder(b) ?? 99));
  const t = stages.length;
  let bonus = t > 1 ? Math.min(1.6, 1 + 0.15 * (t - 1)) : 1;
  const firstByStage = new Map<number, number>();
  for (const r of strong) {
    const order = stageOrder(r.stage);
    if (order === undefined || r.lastSeen < at - KILL_CHAIN_ORDER_WINDOW_MS) continue;
    firstByStage.set(order, Math.min(firstByStage.get(order) ?? Infinity, r.firstSeen));
  }
  const sequence = [...firstByStage.entries()].sort((a, b) => a[1] - b[1]).map(([order]) => order);
  const inOrder = sequence.length > 1 && sequence.every((o, i) => i === 0 || o > (sequence[i - 1] as number));
  if (inOrder) bonus *= 1.2;
  return { stages, inOrder, bonus };
}
