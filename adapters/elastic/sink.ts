import type { Client } from '@elastic/elasticsearch';
import type { BulkOperationContainer, BulkResponseItem } from '@elastic/elasticsearch/lib/api/types';
import type { Alert } from '../../core/alerts/alert';
import { scrubSecrets } from '../../core/config/secret';
import type { Sink } from '../../core/engine/ports';
import type { ScoreUpdate } from '../../core/scoring/score-update';
import { isRetryableStatus, withRetry } from '../http/retry';
import { alertDocument } from './alert-doc';
import { callElastic, type CallContext } from './client';
import { riskDocument } from './risk-doc';
import { ElasticRequestError } from './errors';
import { SinkRejectedError } from './sink-errors';

/**
 * Alerts and score updates into Elasticsearch with the bulk API.
 *
 * Alerts: `create` with `_id` = alert id into the data stream (a data stream takes only
 * `create`). A 409 `version_conflict_engine_exception` means the document is already there — a
 * pass redone after a crash between the bulk acknowledgement and the state commit, or an
 * overlapping pass — and counts as written. A 409 is only raised within one backing index,
 * though: after a rollover the same `_id` would be created again in the new write index. So
 * before writing, the ids already in any backing index of the data stream are looked up
 * (`ids` query) and skipped, as the Splunk sink does.
 *
 * Scores: `index` with `_id` = identity key into the risk index (the latest record per identity
 * wins); an identity that left the score book (merged, or forgotten 30 days after its last
 * signal) is deleted, so no view shows a score tierzero no longer holds (a 404 means already gone).
 *
 * Per item: 429 (and 502–504) are retried, only those items, under the shared policy; any other
 * refused item fails the pass before the state commit (`SinkRejectedError` naming its reason).
 */
export interface ElasticSinkOptions {
  readonly client: Client;
  readonly ctx: CallContext;
  readonly alertDataStream: string;
  readonly namespace: string;
  readonly riskIndex: string;
  readonly maxDocs: number;
  readonly maxBytes: number;
  readonly clock: () => number;
}

type Operation =
  | { readonly kind: 'create' | 'index'; readonly index: string; readonly id: string; readonly doc: Record<string, unknown>; readonly bytes: number }
  | { readonly kind: 'delete'; readonly index: string; readonly id: string; readonly bytes: number };

export class ElasticSink implements Sink {
  readonly stats = { created: 0, alreadyPresent: 0, conflicts: 0, throttledItems: 0, bulkRequests: 0, scores: 0, retired: 0 };

  constructor(private readonly o: ElasticSinkOptions) {}

  async write(alerts: readonly Alert[], scores: readonly ScoreUpdate[]): Promise<void> {
    const ingested = new Date(this.o.clock()).toISOString();
    const present = await this.alreadyIndexed(alerts.map((a) => a.id));
    this.stats.alreadyPresent += present.size;
    const creates: Operation[] = alerts.filter((a) => !present.has(a.id)).map((a) => withBytes({ kind: 'create', index: this.o.alertDataStream, id: a.id, doc: alertDocument(a, { namespace: this.o.namespace, ingested }) }));
    for (const batch of batches(creates, this.o.maxDocs, this.o.maxBytes)) await this.bulk(batch);
    const scoreOps: Operation[] = scores.map((u) => u.kind === 'score'
      ? withBytes({ kind: 'index', index: this.o.riskIndex, id: u.key, doc: riskDocument(u, this.o.alertDataStream, ingested) })
      : { kind: 'delete', index: this.o.riskIndex, id: u.key, bytes: 100 });
    for (const batch of batches(scoreOps, this.o.maxDocs, this.o.maxBytes)) await this.bulk(batch);
    this.stats.scores += scores.filter((u) => u.kind === 'score').length;
    this.stats.retired += scores.filter((u) => u.kind === 'retired').length;
  }

  /** Alert ids already in any backing index of the data stream (a missing data stream holds none). */
  private async alreadyIndexed(ids: readonly string[]): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await callElastic(this.o.ctx, `POST ${this.o.alertDataStream}/_search (alert ids)`, () => this.o.client.search({
        index: this.o.alertDataStream, ignore_unavailable: true, allow_no_indices: true,
        query: { ids: { values: chunk } }, _source: false, size: chunk.length, track_total_hits: false,
      }));
      for (const h of res.hits.hits) if (h._id !== undefined) found.add(h._id);
    }
    return found;
  }

  /** One bulk request; throttled items are sent again (only they), other refusals fail the pass. */
  private async bulk(ops: readonly Operation[]): Promise<void> {
    let pending = ops;
    await withRetry<void>(this.o.ctx.policy, async () => {
      this.stats.bulkRequests++;
      const res = await callElastic(this.o.ctx, `POST _bulk (${pending.length} to ${pending[0]?.index ?? ''})`, () => this.o.client.bulk({ operations: pending.flatMap(body) }));
      if (res.items.length !== pending.length) throw new ElasticRequestError('POST _bulk', undefined, `answered ${res.items.length} items for ${pending.length} operations`);
      const again: Operation[] = [];
      const refused: { op: Operation; item: BulkResponseItem }[] = [];
      res.items.forEach((entry, i) => {
        const op = pending[i] as Operation;
        const item = entry[op.kind] as BulkResponseItem;
        const status = item.status;
        if (status >= 200 && status < 300) {
          if (op.kind === 'create') this.stats.created++;
        } else if (status === 409 && op.kind === 'create') {
          this.stats.conflicts++;
        } else if (status === 404 && op.kind === 'delete') {
          // Already gone: what a delete wants.
        } else if (isRetryableStatus(status)) {
          again.push(op);
        } else {
          refused.push({ op, item });
        }
      });
      const first = refused[0];
      if (first) {
        throw new SinkRejectedError(first.op.index, refused.length, {
          id: first.op.id, status: first.item.status,
          type: scrubSecrets(String(first.item.error?.type ?? 'error')), reason: scrubSecrets(String(first.item.error?.reason ?? 'no reason given')).slice(0, 1000),
        });
      }
      if (!again.length) return { done: undefined };
      this.stats.throttledItems += again.length;
      pending = again;
      return { retry: new ElasticRequestError('POST _bulk', 429, `${again.length} item(s) still throttled (es_rejected_execution_exception) after the last try`) };
    }, (e, waitMs, n) => this.o.ctx.log?.({ level: 'warn', msg: 'Elasticsearch bulk items throttled; sending them again', attempt: n, items: pending.length, waitMs: Math.round(waitMs), error: e.message }));
  }
}

function withBytes(op: Omit<Extract<Operation, { doc: unknown }>, 'bytes'>): Operation {
  return { ...op, bytes: Buffer.byteLength(JSON.stringify(op.doc)) + 100 };
}

function body(op: Operation): (BulkOperationContainer | Record<string, unknown>)[] {
  const meta = { _index: op.index, _id: op.id };
  if (op.kind === 'delete') return [{ delete: meta }];
  return [op.kind === 'create' ? { create: meta } : { index: meta }, op.doc];
}

/** Groups operations so each request holds at most `maxDocs` and stays under `maxBytes` (one oversized document goes alone). */
export function* batches(ops: readonly Operation[], maxDocs: number, maxBytes: number): Generator<Operation[]> {
  let batch: Operation[] = [];
  let size = 0;
  for (const op of ops) {
    if (batch.length && (batch.length >= maxDocs || size + op.bytes > maxBytes)) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(op);
    size += op.bytes;
  }
  if (batch.length) yield batch;
}
