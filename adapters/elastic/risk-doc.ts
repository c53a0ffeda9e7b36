import type { IdentityScoreUpdate } from '../../core/scoring/score-update';
import type { Band } from '../../core/scoring/bands';

/**
 * One identity's tierzero score as a document shaped like a record of Elastic's entity risk
 * scoring, so a Kibana view (or Entity Analytics itself, when `elastic.riskIndex` is Kibana's
 * `risk-score.risk-score-latest-<space>`) reads it with the fields it knows. Field names from
 * elastic/kibana:
 * - x-pack/solutions/security/plugins/security_solution/server/lib/entity_analytics/risk_score/
 *   configurations.ts (`riskScoreFieldMap`: `user.name`, `user.risk.{id_field, id_value,
 *   calculated_level, calculated_score, calculated_score_norm, category_1_score,
 *   category_1_count, inputs.{id, index, category, description, risk_score, timestamp}, notes}`);
 * - …/risk_score/risk_engine_data_writer.test.ts (a written record: `criticality_level`,
 *   `criticality_modifier`, `inputs`, `notes`, `@timestamp`);
 * - common/entity_analytics/risk_engine/types.ts (`RiskLevels`: Unknown, Low, Moderate, High, Critical).
 *
 * How tierzero's score (core/scoring) lands there:
 * - `calculated_score_norm` is the score shown (0–100); `calculated_score` the raw weighted sum
 *   A before normalisation (model.ts), as Kibana's is its sum before normalising;
 * - `calculated_level` is tierzero's band (core/scoring/bands.ts) in Kibana's words; tierzero
 *   has no "Unknown" (every score it shows was computed), so under 40 is "Low";
 * - everything tierzero scores is alerts, Kibana's category 1: `category_1_score` = A,
 *   `category_1_count` = the alerts behind it;
 * - `inputs` holds the strongest alerts (at most 10, as Kibana keeps), each with its detector's
 *   contribution; the whole breakdown is under `tierzero.*`;
 * - `criticality_level` only where tierzero knows the identity is tier 0 or a honeytoken
 *   (`extreme_impact`) or tier 1 (`high_impact`); the multiplier it applied is always there.
 * The document `_id` is the identity key, written with `index`: the latest record per identity wins.
 */
export const MAX_INPUTS = 10;

const LEVEL: Readonly<Record<Band, string>> = { low: 'Low', moderate: 'Moderate', high: 'High', critical: 'Critical' };
const CRITICALITY_LEVEL: Readonly<Record<string, string>> = { honeytoken: 'extreme_impact', tier0: 'extreme_impact', tier1: 'high_impact' };

export function riskDocument(u: IdentityScoreUpdate, alertIndex: string, ingested: string): Record<string, unknown> {
  const i = u.identity;
  const f = u.formula;
  const alerts = new Set(u.contributions.flatMap((c) => c.alertIds));
  const criticality = CRITICALITY_LEVEL[u.criticality.tier];
  return {
    '@timestamp': u.at,
    event: { ingested, kind: 'metric', dataset: 'tierzero.risk_score' },
    user: {
      name: i.name,
      ...(i.objectId ? { id: i.objectId } : i.sid ? { id: i.sid } : {}),
      ...(i.upn ? { email: i.upn } : {}),
      risk: {
        id_field: 'user.name',
        id_value: i.name,
        calculated_level: LEVEL[u.band],
        calculated_score: f.total,
        calculated_score_norm: u.score,
        category_1_score: f.total,
        category_1_count: alerts.size,
        ...(criticality ? { criticality_level: criticality } : {}),
        criticality_modifier: u.criticality.multiplier,
        inputs: inputs(u, alertIndex),
        notes: u.topContributions ? [u.topContributions] : [],
      },
    },
    tierzero: {
      identity: {
        key: u.key, name: i.name, sort_name: u.sortName,
        ...(i.upn ? { upn: i.upn } : {}), ...(i.sam ? { sam: i.sam } : {}), ...(i.sid ? { sid: i.sid } : {}), ...(i.objectId ? { object_id: i.objectId } : {}),
      },
      score: u.score, band: u.band, percentile: u.percentile, change_24h: u.change24h, risk_jump: u.riskJump,
      criticality: { tier: u.criticality.tier, multiplier: u.criticality.multiplier, reasons: u.criticality.reasons },
      top_contributions: u.topContributions,
      contributions: u.contributions.map((c) => ({
        detector: c.detector, signals: c.signals, alert_ids: c.alertIds, value: c.value, capped: c.capped, rank: c.rank, contribution: c.contribution,
      })),
      formula: {
        total: f.total, floor: f.floor, ...(f.floorAlertId ? { floor_alert_id: f.floorAlertId } : {}), normalised: f.normalised,
        stages: f.stages, in_order: f.inOrder, bonus: f.bonus, boosted: f.boosted, odds: f.odds, cleared_by_reset: f.clearedByReset,
      },
    },
  };
}

/** The strongest alerts, round-robin over detectors by rank, so one noisy detector cannot fill all ten. */
function inputs(u: IdentityScoreUpdate, alertIndex: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const queues = [...u.contributions].sort((a, b) => a.rank - b.rank).map((c) => ({ c, ids: [...c.alertIds] }));
  while (out.length < MAX_INPUTS && queues.some((q) => q.ids.length)) {
    for (const q of queues) {
      const id = q.ids.shift();
      if (id === undefined || out.length >= MAX_INPUTS) continue;
      out.push({
        id, index: alertIndex, category: 'category_1',
        description: `Alert from tierzero detector ${q.c.detector}`,
        risk_score: q.c.value, contribution_score: q.c.contribution, timestamp: u.at,
      });
    }
  }
  return out;
}
