import type { AlertIdentity } from '../alerts/alert';
import type { DetectorId } from '../detectors/detector-id';
import { band, type Band } from './bands';
import type { Criticality, ScoreBreakdown } from './model';
import { sentFingerprint, type RankedScore, type ScoreChanges } from './score-book';

/**
 * What a sink receives about scores after a pass (DESIGN §3 step 7): one record per identity
 * whose score a consumer must learn, and a retirement per identity that left the score book.
 *
 * Scores decay with event time, so every non-zero score changes every pass. A consumer that
 * keeps the latest record per identity (`key`) sees the ranking `tierzero users` prints only if
 * every non-zero score is re-sent each pass: that is what `scoreUpdates` does, bounded by the
 * number of scored identities (the book forgets an identity 30 days after its last signal).
 * A score at 0 that was already 0, with no new signal, no 24 h change and no new identity
 * facts, is not re-sent: the record the consumer holds still reads true. The dashboard ranks
 * by `score` descending, then `sortName`, exactly as `ScoreBook.ranked` does.
 */
export interface ContributionUpdate {
  readonly detector: DetectorId;
  /** Signals (alerts) of this detector behind the score, and their ids, strongest first. */
  readonly signals: number;
  readonly alertIds: readonly string[];
  /** G = min(Σ v/k^1.5, cap), its rank j among detectors, and G / j^1.5: what it adds to A. */
  readonly value: number;
  readonly capped: boolean;
  readonly rank: number;
  readonly contribution: number;
}

export interface IdentityScoreUpdate {
  readonly kind: 'score';
  /** The stable identity key (`oid:…`, `sid:…`, `upn:…`, `sam:…`): one record per key. */
  readonly key: string;
  readonly identity: {
    readonly name: string;
    readonly sid?: string;
    readonly upn?: string;
    readonly objectId?: string;
    readonly sam?: string;
  };
  /** Lower-cased name: the ranking's tie-break, sortable by code point on any platform. */
  readonly sortName: string;
  readonly at: string;
  readonly score: number;
  readonly band: Band;
  readonly percentile: number;
  readonly change24h: number;
  readonly riskJump: boolean;
  readonly criticality: Criticality;
  /** Every detector's contribution, strongest first (at most one per detector). */
  readonly contributions: readonly ContributionUpdate[];
  /** `dcsync 61.9, password_spray 0.4`: the three strongest, as `tierzero users` shows them. */
  readonly topContributions: string;
  /** The rest of the worked-out score (model.ts): A, the floor, Aₙ, kill-chain bonus, A_b, odds. */
  readonly formula: {
    readonly total: number;
    readonly floor: number;
    readonly floorAlertId?: string;
    readonly normalised: number;
    readonly stages: readonly string[];
    readonly inOrder: boolean;
    readonly bonus: number;
    readonly boosted: number;
    readonly odds: number;
    readonly clearedByReset: number;
  };
}

/** An identity the book no longer holds: merged into another, or forgotten 30 days after its last signal. */
export interface RetiredScoreUpdate {
  readonly kind: 'retired';
  readonly key: string;
  readonly at: string;
  readonly reason: 'merged' | 'expired';
  readonly mergedInto?: string;
}

export type ScoreUpdate = IdentityScoreUpdate | RetiredScoreUpdate;

/** The pass's score updates, from the ranking at the pass's time and what changed since the prior pass. */
export function scoreUpdates(ranked: readonly RankedScore[], changes: ScoreChanges, at: number): ScoreUpdate[] {
  const iso = new Date(at).toISOString();
  const out: ScoreUpdate[] = [];
  for (const r of ranked) {
    // `sent` is what the sink last acknowledged (saved with the state, so only after it did):
    // an analyst reset in `tierzero users` changes the score without a pass, and is sent here.
    const sent = r.entry.sent;
    const unchanged = sent !== undefined && sent.score === 0 && r.breakdown.score === 0 && r.change24h === 0
      && !changes.touched.has(r.entry.id) && sent.fingerprint === sentFingerprint(r.entry);
    if (!unchanged) out.push(identityUpdate(r, iso));
  }
  for (const [key, mergedInto] of changes.retired) {
    out.push({ kind: 'retired', key, at: iso, reason: mergedInto === undefined ? 'expired' : 'merged', ...(mergedInto === undefined ? {} : { mergedInto }) });
  }
  return out;
}

export function identityUpdate(r: RankedScore, at: string): IdentityScoreUpdate {
  const b = r.breakdown;
  const i = r.entry.identity;
  return {
    kind: 'score',
    key: r.entry.id,
    identity: identityFields(i),
    sortName: i.name.toLowerCase(),
    at,
    score: b.score,
    band: band(b.score),
    percentile: r.percentile,
    change24h: r.change24h,
    riskJump: r.riskJump,
    criticality: r.entry.criticality,
    contributions: b.rules.map((rule) => ({
      detector: rule.detector,
      signals: rule.signals,
      alertIds: b.rows.filter((row) => row.detector === rule.detector).sort((x, y) => x.rank - y.rank).map((row) => row.alertId),
      value: rule.value,
      capped: rule.capped,
      rank: rule.rank,
      contribution: rule.contribution,
    })),
    topContributions: topContributions(b),
    formula: {
      total: b.total, floor: b.floor, ...(b.floorAlertId === undefined ? {} : { floorAlertId: b.floorAlertId }), normalised: b.normalised,
      stages: b.stages, inOrder: b.inOrder, bonus: b.bonus, boosted: b.boosted, odds: b.odds, clearedByReset: b.clearedByReset,
    },
  };
}

/** `dcsync 63.6, kerberoasting 7.9`: what a score is made of, strongest first. */
export function topContributions(b: ScoreBreakdown, n = 3): string {
  return b.rules.slice(0, n).map((r) => `${r.detector} ${r.contribution.toFixed(1)}`).join(', ');
}

function identityFields(i: AlertIdentity): IdentityScoreUpdate['identity'] {
  return {
    name: i.name,
    ...(i.sid ? { sid: i.sid } : {}),
    ...(i.upn ? { upn: i.upn } : {}),
    ...(i.objectId ? { objectId: i.objectId } : {}),
    ...(i.sam ? { sam: i.sam } : {}),
  };
}
