import type { Alert } from '../../core/alerts/alert';
import type { Sink } from '../../core/engine/ports';
import type { IdentityScoreUpdate, ScoreUpdate } from '../../core/scoring/score-update';
import { alertRow } from './alert-row';
import type { IngestionClient } from './ingestion-client';
import { scoreRow } from './score-row';

/**
 * Alerts and score updates into Sentinel through the Logs Ingestion API (DESIGN §3.7, §7):
 * alerts as `TierzeroAlerts_CL` rows (alert-row.ts), scores as `TierzeroScores_CL` rows
 * (score-row.ts), each through its DCR stream. `write` resolves only once the service accepted
 * every row, so the engine commits state after, never before.
 *
 * Idempotency: the Logs Ingestion API cannot refuse a row it already holds, so a batch re-sent
 * (a pass redone after a crash between ingestion and the state commit) lands twice. Every query
 * that reads these tables — the incident rule, the workbook, the playbooks — takes
 * `arg_max(TimeGenerated, *) by AlertId` (scores: `by IdentityKey`), so the second copy changes
 * nothing anyone sees. What the engine's state says was delivered (core/engine/engine.ts
 * `delivered`) is not re-sent at all: the collector drops those alerts before they reach here.
 *
 * Alerts go first, then scores: an alert row carries its identity's score of this pass, so the
 * incident shows it even if the score rows fail and the pass is redone.
 */
export interface SentinelSinkOptions {
  readonly client: IngestionClient;
  readonly alertsStream: string;
  readonly scoresStream: string;
  readonly clock: () => number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export class SentinelSink implements Sink {
  readonly stats = { alerts: 0, scores: 0 };

  constructor(private readonly o: SentinelSinkOptions) {}

  async write(alerts: readonly Alert[], scores: readonly ScoreUpdate[]): Promise<void> {
    const writtenAt = new Date(this.o.clock()).toISOString();
    const byIdentity = new Map(scores.filter((u): u is IdentityScoreUpdate => u.kind === 'score').map((u) => [u.key, u]));
    if (alerts.length) {
      await this.o.client.upload(this.o.alertsStream, alerts.map((a) => alertRow(a, writtenAt, a.identity ? byIdentity.get(a.identity.id) : undefined)));
      this.stats.alerts += alerts.length;
    }
    if (scores.length) {
      await this.o.client.upload(this.o.scoresStream, scores.map(scoreRow));
      this.stats.scores += scores.length;
    }
    if (alerts.length || scores.length) this.o.log?.({ level: 'info', msg: 'rows accepted by the Logs Ingestion API', alerts: alerts.length, scores: scores.length, streams: [this.o.alertsStream, this.o.scoresStream] });
  }
}
