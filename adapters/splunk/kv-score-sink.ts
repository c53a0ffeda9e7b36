import type { Alert } from '../../core/alerts/alert';
import type { Sink } from '../../core/engine/ports';
import type { IdentityScoreUpdate, ScoreUpdate } from '../../core/scoring/score-update';
import { SplunkRequestError } from './errors';
import type { SplunkSession } from './sdk';

/**
 * tierzero's scores in two KV store collections the app declares (collections.conf) and reads
 * through lookups (transforms.conf), so the dashboards show the score tierzero computed:
 * - `tierzero_scores`: one record per identity, `_key` = its identity key, upserted with
 *   `batch_save` (docs.splunk.com RESTREF "KV store endpoints": upsert by `_key`);
 * - `tierzero_score_contributions`: one record per identity and detector, the worked-out
 *   score, replaced whole for each identity sent (delete by query, then `batch_save`).
 * A retired identity (merged into another, or forgotten) is deleted from both. Where the KV
 * store is off or the app's collections are missing (a heavy forwarder), scores stay in engine
 * state (`tierzero users` reads them), alerts still go out, and the log says so once.
 */
export const SCORES_COLLECTION = 'tierzero_scores';
export const CONTRIBUTIONS_COLLECTION = 'tierzero_score_contributions';

/** limits.conf [kvstore] max_documents_per_batch_save defaults to 1000: stay well under it. */
const BATCH = 500;
/** Identities per delete-by-query: keeps the query string short. */
const DELETE_BATCH = 50;

export interface KvScoreSinkOptions {
  readonly session: SplunkSession;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export class KvScoreSink {
  readonly stats = { scores: 0, retired: 0, skipped: false };
  private usable: boolean | undefined;

  constructor(private readonly o: KvScoreSinkOptions) {}

  async write(updates: readonly ScoreUpdate[]): Promise<void> {
    if (updates.length === 0 || !(await this.collectionsUsable())) return;
    const scored = updates.filter((u): u is IdentityScoreUpdate => u.kind === 'score');
    const gone = updates.filter((u) => u.kind === 'retired').map((u) => u.key);
    const contributions = scored.flatMap(contributionRecords);
    await this.deleteContributions([...scored.map((u) => u.key), ...gone]);
    for (let i = 0; i < scored.length; i += BATCH) await this.batchSave(SCORES_COLLECTION, scored.slice(i, i + BATCH).map(scoreRecord));
    for (let i = 0; i < contributions.length; i += BATCH) await this.batchSave(CONTRIBUTIONS_COLLECTION, contributions.slice(i, i + BATCH));
    for (const key of gone) await this.o.session.call({ method: 'DELETE', path: `${dataPath(SCORES_COLLECTION)}/${encodeURIComponent(key)}` });
    this.stats.scores += scored.length;
    this.stats.retired += gone.length;
  }

  private async batchSave(collection: string, records: readonly object[]): Promise<void> {
    await this.o.session.call({ method: 'POST', path: `${dataPath(collection)}/batch_save`, json: records });
  }

  private async deleteContributions(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const query = { $or: keys.slice(i, i + DELETE_BATCH).map((k) => ({ identity_key: k })) };
      await this.o.session.call({ method: 'DELETE', path: dataPath(CONTRIBUTIONS_COLLECTION), query: { query: JSON.stringify(query) } });
    }
  }

  private async collectionsUsable(): Promise<boolean> {
    if (this.usable !== undefined) return this.usable;
    for (const c of [SCORES_COLLECTION, CONTRIBUTIONS_COLLECTION]) {
      let status: number;
      try {
        status = (await this.o.session.call({ method: 'GET', path: `storage/collections/config/${c}` })).status;
      } catch (e) {
        if (!(e instanceof SplunkRequestError && e.status === 503 && /disabled/i.test(e.message))) throw e;
        return this.skip('the KV store is disabled on this Splunk instance');
      }
      if (status === 404) return this.skip(`KV store collection ${c} does not exist (is the tierzero app installed?)`);
    }
    return (this.usable = true);
  }

  private skip(why: string): false {
    this.usable = false;
    this.stats.skipped = true;
    this.o.log?.({ level: 'warn', msg: `scores not written to Splunk: ${why}; they stay in engine state for tierzero users`, collection: SCORES_COLLECTION });
    return false;
  }
}

/** HEC for alerts, then the KV store for scores: acknowledged once both are. */
export function splunkSink(alerts: Sink, scores: KvScoreSink): Sink {
  return {
    async write(a: readonly Alert[], s: readonly ScoreUpdate[]): Promise<void> {
      await alerts.write(a, s);
      await scores.write(s);
    },
  };
}

/** One identity's record: flat fields for the lookup (KV store arrays become multivalue fields). */
export function scoreRecord(u: IdentityScoreUpdate): Record<string, unknown> {
  const i = u.identity;
  const f = u.formula;
  return {
    _key: u.key, identity_key: u.key, identity: i.name, sort_name: u.sortName,
    ...(i.sid ? { sid: i.sid } : {}), ...(i.upn ? { upn: i.upn } : {}), ...(i.objectId ? { object_id: i.objectId } : {}), ...(i.sam ? { sam: i.sam } : {}),
    score: u.score, band: u.band, percentile: u.percentile, change_24h: u.change24h, risk_jump: u.riskJump ? 1 : 0,
    tier: u.criticality.tier, criticality_multiplier: u.criticality.multiplier, criticality_reasons: u.criticality.reasons,
    top_contributions: u.topContributions, detectors: u.contributions.map((c) => c.detector),
    alert_ids: [...new Set(u.contributions.flatMap((c) => c.alertIds))],
    total: f.total, floor: f.floor, ...(f.floorAlertId ? { floor_alert_id: f.floorAlertId } : {}), normalised: f.normalised,
    stages: f.stages, in_order: f.inOrder ? 1 : 0, bonus: f.bonus, boosted: f.boosted, odds: f.odds, cleared_by_reset: f.clearedByReset,
    updated: u.at, updated_epoch: Date.parse(u.at) / 1000,
  };
}

export function contributionRecords(u: IdentityScoreUpdate): Record<string, unknown>[] {
  return u.contributions.map((c) => ({
    _key: `${u.key}|${c.detector}`, identity_key: u.key, detector: c.detector, signals: c.signals, value: c.value,
    capped: c.capped ? 1 : 0, rank: c.rank, contribution: c.contribution, alert_ids: c.alertIds, updated: u.at,
  }));
}

function dataPath(collection: string): string {
  return `storage/collections/data/${encodeURIComponent(collection)}`;
}
