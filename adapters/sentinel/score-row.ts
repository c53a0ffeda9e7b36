import type { ScoreUpdate } from '../../core/scoring/score-update';

/**
 * A score update as one row of `TierzeroScores_CL`. The table is append-only, so the latest row
 * per identity is the truth: every query reads it with `arg_max(TimeGenerated, *) by
 * IdentityKey` and drops the identities whose latest row says `Removed` (merged into another, or
 * forgotten 30 days after its last signal), which is what a KV store delete did on Splunk.
 * `TimeGenerated` is the pass's scoring time (`at`), so a re-sent row ties, never overtakes.
 */
export interface ScoreRow {
  readonly TimeGenerated: string;
  readonly IdentityKey: string;
  readonly IdentityName: string | null;
  readonly AccountSid: string | null;
  readonly AccountUpn: string | null;
  readonly AccountName: string | null;
  readonly AadUserId: string | null;
  readonly Score: number;
  readonly Band: string | null;
  readonly Percentile: number | null;
  readonly Change24h: number | null;
  readonly Tier: string | null;
  readonly TopContributions: string | null;
  readonly Contributions: readonly unknown[] | null;
  /** The rest of the worked-out score (A, floor, Aₙ, kill-chain bonus, odds): the workbook's user page. */
  readonly Formula: Readonly<Record<string, unknown>> | null;
  readonly Removed: boolean;
  readonly MergedInto: string | null;
}

export function scoreRow(u: ScoreUpdate): ScoreRow {
  if (u.kind === 'retired') {
    return {
      TimeGenerated: u.at, IdentityKey: u.key, IdentityName: null, AccountSid: null, AccountUpn: null, AccountName: null, AadUserId: null,
      Score: 0, Band: null, Percentile: null, Change24h: null, Tier: null, TopContributions: null, Contributions: null, Formula: null,
      Removed: true, MergedInto: u.mergedInto ?? null,
    };
  }
  const i = u.identity;
  return {
    TimeGenerated: u.at,
    IdentityKey: u.key,
    IdentityName: i.name,
    AccountSid: i.sid ?? null,
    AccountUpn: i.upn ?? null,
    AccountName: i.sam ?? i.name,
    AadUserId: i.objectId ?? null,
    Score: u.score,
    Band: u.band,
    Percentile: u.percentile,
    Change24h: u.change24h,
    Tier: u.criticality.tier,
    TopContributions: u.topContributions,
    Contributions: u.contributions,
    Formula: { ...u.formula, riskJump: u.riskJump, criticalityMultiplier: u.criticality.multiplier, criticalityReasons: u.criticality.reasons },
    Removed: false,
    MergedInto: null,
  };
}
