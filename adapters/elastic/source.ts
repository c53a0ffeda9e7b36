import type { Client, estypes } from '@elastic/elasticsearch';
import type { Source, SourceRecord } from '../../core/engine/ports';
import type { PullPlan } from '../../core/rules/pull-plan';
import { scrubSecrets } from '../../core/config/secret';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from '../http/retry';
import { CheckpointMismatchError, describeEsError, ElasticRequestError, SourceIncompleteError } from './errors';
import { toCanonical } from './field-map';
import { pullRequest, type ElasticSearchSettings, type IngestWindow } from './pull-query';

/**
 * Pulls what was ingested since the checkpoint (DESIGN §3.1) with a point in time and
 * `search_after`, one page in memory at a time.
 *
 * **Window.** On `event.ingested`, not event time: a forwarder that delivers late still lands
 * in the next window. A pass reads [checkpoint, now − settle lag); the settle lag is the time a
 * document may take to become searchable after its ingest pipeline stamped it (refresh
 * interval, ingest-node clocks), so nothing can still appear behind the window's end. The
 * next pass starts exactly where this one ended (`gte` the same string that was this pass's
 * `lt`), so a window boundary neither duplicates nor skips, whatever lies on it.
 *
 * **Equal timestamps.** Many documents share one `event.ingested` (a bulk request is stamped
 * in one millisecond). Within a PIT the `_shard_doc` tiebreak orders them; across PITs it means
 * nothing, so a resume never relies on it: the source remembers the documents it handed on
 * at the latest `event.ingested` (`_index` + `_id`), restarts at that instant inclusive and
 * skips exactly those. A pass capped by `maxEventsPerPass` stops only where the instant
 * changes, and its checkpoint is "after that instant".
 *
 * **Failures.** A PIT that expired or was closed mid-pull (404 `search_context_missing_exception`)
 * is reopened and the pull resumes as above; 429 and 502/503/504 and dropped connections go
 * through the shared retry policy (adapters/http/retry.ts), with the client's own retries off
 * per request so there is one policy. Anything else fails the pass before the commit.
 */
export interface ElasticCheckpoint {
  readonly version: 1;
  /** `event.ingested` as Elasticsearch formats it (ms or ns precision): where the next pass starts. */
  readonly ingested: string;
  /** The next pass starts at `ingested` inclusive (a whole window was read) or after it (a capped pass). */
  readonly inclusive: boolean;
}

export interface ElasticSourceStats {
  pulled: number;
  pages: number;
  malformed: number;
  pitReopened: number;
  skippedAfterResume: number;
  window?: { readonly from: string; readonly to: string };
  capped: boolean;
}

export interface ElasticSourceOptions {
  readonly client: Client;
  readonly plan: PullPlan;
  readonly settings: ElasticSearchSettings;
  readonly policy: RetryPolicy;
  readonly clock: () => number;
  /** The first pass (no checkpoint) reads this far back in ingest time. */
  readonly initialLookbackMinutes: number;
  /** PIT keep-alive between pages (`2m`): long enough for the engine to process one page. */
  readonly keepAlive?: string;
  /** Stop a pass after about this many events (at the next change of `event.ingested`); the rest is the next pass's. */
  readonly maxEventsPerPass?: number;
  /** How many times one pass may reopen a lost PIT before it gives up. */
  readonly maxPitReopens?: number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

/** A PIT the node no longer knows (expired, closed, node restarted). */
class PitLost extends Error {}

export class ElasticSource implements Source {
  readonly stats: ElasticSourceStats = { pulled: 0, pages: 0, malformed: 0, pitReopened: 0, skippedAfterResume: 0, capped: false };
  private next: ElasticCheckpoint | undefined;

  constructor(private readonly o: ElasticSourceOptions) {}

  async *pull(checkpoint: unknown): AsyncIterable<readonly SourceRecord[]> {
    const prior = asCheckpoint(checkpoint);
    const s = this.o.settings;
    const now = this.o.clock();
    const to = new Date(now - s.settleSeconds * 1000).toISOString();
    const start = prior ?? { version: 1 as const, ingested: new Date(now - s.settleSeconds * 1000 - this.o.initialLookbackMinutes * 60_000).toISOString(), inclusive: true };
    if (!(Date.parse(start.ingested) < Date.parse(to))) {
      this.next = start;
      return;
    }
    this.stats.window = { from: start.ingested, to };
    const keepAlive = this.o.keepAlive ?? '2m';
    const cap = this.o.maxEventsPerPass;
    let window: IngestWindow = { from: { value: start.ingested, inclusive: start.inclusive }, to };
    let request = pullRequest(this.o.plan, s, window);
    let pit = await this.openPit(request.index, keepAlive);
    let searchAfter: estypes.SortResults | undefined;
    /** The latest `event.ingested` handed on, and which documents at it. */
    let last: string | undefined;
    let atLast = new Set<string>();
    let resumed = false;
    let count = 0;
    let capped = false;
    try {
      pages: for (;;) {
        let res: estypes.SearchResponse<Record<string, unknown>>;
        try {
          res = await this.search({ ...request.body, pit: { id: pit, keep_alive: keepAlive }, ...(searchAfter ? { search_after: searchAfter } : {}) });
        } catch (e) {
          if (!(e instanceof PitLost)) throw e;
          if (this.stats.pitReopened >= (this.o.maxPitReopens ?? 5)) throw new SourceIncompleteError(`the point in time was lost ${this.stats.pitReopened + 1} times in one pass; giving up before the commit`);
          this.stats.pitReopened++;
          this.o.log?.({ level: 'warn', msg: 'Elasticsearch point in time lost mid-pull; reopening and resuming', after: last ?? start.ingested });
          // Resume at the last instant handed on, inclusive: the documents of it already handed on are skipped.
          if (last !== undefined) window = { from: { value: last, inclusive: true }, to };
          request = pullRequest(this.o.plan, s, window);
          pit = await this.openPit(request.index, keepAlive);
          searchAfter = undefined;
          resumed = last !== undefined;
          continue;
        }
        if (res.pit_id) pit = res.pit_id;
        const hits = res.hits.hits;
        if (hits.length === 0) break;
        const page: SourceRecord[] = [];
        for (const hit of hits) {
          const ingested = String(hit.sort?.[0] ?? '');
          const key = `${hit._index}/${hit._id ?? ''}`;
          if (resumed && ingested === last && atLast.has(key)) {
            this.stats.skippedAfterResume++;
            continue;
          }
          if (cap !== undefined && count >= cap && ingested !== last) {
            capped = true;
            if (page.length) yield this.emit(page);
            break pages;
          }
          if (ingested !== last) {
            last = ingested;
            atLast = new Set();
          }
          atLast.add(key);
          page.push(record(hit, key));
          count++;
        }
        searchAfter = hits[hits.length - 1]?.sort;
        if (page.length) yield this.emit(page);
        if (hits.length < request.body.size!) break;
      }
    } finally {
      await this.closePit(pit);
    }
    this.stats.capped = capped;
    this.next = capped && last !== undefined ? { version: 1, ingested: last, inclusive: false } : { version: 1, ingested: to, inclusive: true };
  }

  checkpointAfterPull(): unknown {
    if (!this.next) throw new Error('checkpointAfterPull() called before pull() finished');
    return this.next;
  }

  private emit(page: SourceRecord[]): SourceRecord[] {
    this.stats.pages++;
    this.stats.pulled += page.length;
    for (const r of page) if (r.kind === 'malformed') this.stats.malformed++;
    return page;
  }

  private async openPit(index: string[], keepAlive: string): Promise<string> {
    const r = await this.call('open point in time', () => this.o.client.openPointInTime({ index, keep_alive: keepAlive, ignore_unavailable: true }, { maxRetries: 0 }));
    return r.id;
  }

  private async closePit(id: string): Promise<void> {
    try {
      await this.o.client.closePointInTime({ id }, { maxRetries: 0, ignore: [404] });
    } catch (e) {
      // The node frees an abandoned PIT at its keep-alive anyway; a failed close never fails the pass.
      this.o.log?.({ level: 'warn', msg: 'could not close the point in time', error: scrubSecrets(describeEsError(e).detail) });
    }
  }

  private search(body: estypes.SearchRequest): Promise<estypes.SearchResponse<Record<string, unknown>>> {
    return this.call('search', () => this.o.client.search<Record<string, unknown>>(body, { maxRetries: 0 }));
  }

  /** One request under the shared retry policy; a lost PIT surfaces as PitLost. */
  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return withRetry<T>(this.o.policy, async () => {
      try {
        return { done: await send() };
      } catch (e) {
        const d = describeEsError(e);
        if (d.status === 404 && /search_context_missing_exception|No search context found/i.test(JSON.stringify((e as { meta?: { body?: unknown } }).meta?.body ?? d.detail))) throw new PitLost(d.detail);
        const err = new ElasticRequestError(what, d.status, scrubSecrets(d.detail));
        if (d.status !== undefined && isRetryableStatus(d.status)) {
          const after = retryAfterMs(header(e, 'retry-after'), this.o.clock());
          return { retry: err, ...(after === undefined ? {} : { retryAfterMs: after }) };
        }
        if (d.status === undefined && (d.type === 'ConnectionError' || d.type === 'TimeoutError')) return { retry: err };
        throw err;
      }
    }, (e, waitMs, n) => this.o.log?.({ level: 'warn', msg: 'Elasticsearch retry', call: what, attempt: n, waitMs: Math.round(waitMs), error: e.message }));
  }
}

function header(e: unknown, name: string): unknown {
  const headers = (e as { meta?: { headers?: Record<string, unknown> } } | undefined)?.meta?.headers;
  return headers?.[name];
}

function record(hit: estypes.SearchHit<Record<string, unknown>>, key: string): SourceRecord {
  const origin = `elastic:${key}`;
  if (!hit._source) return { kind: 'malformed', reason: 'hit without _source (the index has _source disabled?)', origin, text: JSON.stringify({ _index: hit._index, _id: hit._id }) };
  const mapped = toCanonical(hit._source);
  if (mapped.ok) return { kind: 'record', value: mapped.value, origin };
  return { kind: 'malformed', reason: mapped.reason, origin, text: JSON.stringify(hit._source) };
}

function asCheckpoint(v: unknown): ElasticCheckpoint | undefined {
  if (v === null || v === undefined) return undefined;
  const c = v as Partial<ElasticCheckpoint>;
  if (c.version !== 1 || typeof c.ingested !== 'string' || !Number.isFinite(Date.parse(c.ingested)) || typeof c.inclusive !== 'boolean') {
    throw new CheckpointMismatchError(`the saved checkpoint ${JSON.stringify(v).slice(0, 200)} is not an Elastic checkpoint: this state belongs to another platform`);
  }
  return c as ElasticCheckpoint;
}
