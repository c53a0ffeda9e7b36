import type { IncomingMessage } from 'node:http';
import type { Source, SourceRecord } from '../../core/engine/ports';
import type { SearchSettings } from './config';
import { SearchFailedError, SourceIncompleteError, SplunkRequestError } from './errors';
import { readExport, type ExportMessage } from './export-stream';
import { toCanonical, type SplunkResult } from './field-map';
import { header, TransportError } from './http';
import { backoffMs, isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from '../http/retry';
import type { SplunkSession } from './sdk';
import { messages } from './sdk';
import { scrubSecrets } from '../../core/config/secret';

/**
 * Pulls what was indexed since the checkpoint through `search/v2/jobs/export` (DESIGN §3.1).
 * The window is on index time, not event time, because forwarders deliver late: it runs from
 * the checkpoint (less a small overlap) to now less a settle lag, so events still being indexed
 * are left for the next pass. Events in the overlap that the last pass already read are
 * recognised by `_bkt` + `_cd` (bucket, and address within it) and skipped.
 */
export interface SplunkCheckpoint {
  readonly version: 1;
  /** Epoch seconds: everything indexed before this was read. */
  readonly indexTime: number;
  /** Events read with index time in the overlap before `indexTime`: [key, index time]. */
  readonly boundary: readonly (readonly [string, number])[];
}

export interface SourceStats {
  pulled: number;
  duplicates: number;
  resumed: number;
  window?: { readonly from: number; readonly to: number };
}

export interface SplunkSourceOptions {
  readonly session: SplunkSession;
  readonly search: string;
  readonly settings: SearchSettings;
  readonly policy: RetryPolicy;
  readonly clock: () => number;
  readonly timeoutMs: number;
  readonly pageSize?: number;
  readonly maxLineBytes?: number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export class SplunkSource implements Source {
  readonly stats: SourceStats = { pulled: 0, duplicates: 0, resumed: 0 };
  private next: SplunkCheckpoint | undefined;

  constructor(private readonly o: SplunkSourceOptions) {}

  async *pull(checkpoint: unknown): AsyncIterable<readonly SourceRecord[]> {
    const prior = asCheckpoint(checkpoint);
    const s = this.o.settings;
    const now = Math.floor(this.o.clock() / 1000);
    const start = prior ? prior.indexTime : now - s.settleSeconds - s.initialLookbackMinutes * 60;
    const end = Math.min(now - s.settleSeconds, start + s.maxWindowMinutes * 60);
    if (end <= start) {
      this.next = prior ?? { version: 1, indexTime: start, boundary: [] };
      return;
    }
    const from = start - (prior ? s.overlapSeconds : 0);
    this.stats.window = { from, to: end };
    const seen = new Set((prior?.boundary ?? []).map(([k]) => k));
    const keepAfter = end - s.overlapSeconds;
    const boundary = new Map<string, number>((prior?.boundary ?? []).filter(([, t]) => t >= keepAfter));
    const params = {
      search: this.o.search,
      output_mode: 'json',
      index_earliest: String(from),
      index_latest: String(end),
      // Event-time bounds: late arrivals up to the lookback; clocks a day fast still found.
      earliest_time: String(from - s.eventLookbackHours * 3600),
      latest_time: String(now + 86_400),
    };
    let page: SourceRecord[] = [];
    for await (const result of this.resumable(params)) {
      const key = eventKey(result);
      if (seen.has(key)) {
        this.stats.duplicates++;
        continue;
      }
      const indexTime = Number(first(result['tz_indextime']) ?? first(result['_indextime']));
      if (Number.isFinite(indexTime) && indexTime >= keepAfter) boundary.set(key, indexTime);
      this.stats.pulled++;
      page.push(record(result, key));
      if (page.length >= (this.o.pageSize ?? 1000)) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
    this.next = { version: 1, indexTime: end, boundary: [...boundary] };
  }

  checkpointAfterPull(): unknown {
    if (!this.next) throw new Error('checkpointAfterPull() called before pull() finished');
    return this.next;
  }

  /**
   * One export, resumed after a broken stream from the last event time read (rows are in time
   * order), skipping rows of that same second already handed on. A 401 logs in again.
   */
  private async *resumable(params: Record<string, string>): AsyncGenerator<SplunkResult> {
    let lastTime: string | undefined;
    let atLastTime = new Set<string>();
    const url = this.o.session.url(this.o.session.exportPath);
    for (let attempt = 1; ; attempt++) {
      const query = lastTime === undefined ? params : { ...params, earliest_time: String(Date.parse(lastTime) / 1000) };
      const body = await this.open(url, query);
      try {
        for await (const result of readExport(body, this.o.maxLineBytes ?? 64 * 1024 * 1024, (m) => this.message(m))) {
          const t = first(result['_time']);
          const key = eventKey(result);
          if (lastTime !== undefined && t !== undefined && t === lastTime && atLastTime.has(key)) continue;
          if (t !== lastTime) {
            lastTime = t;
            atLastTime = new Set();
          }
          atLastTime.add(key);
          yield result;
        }
        return;
      } catch (e) {
        body.destroy();
        if (!(e instanceof TransportError) || attempt >= this.o.policy.maxAttempts) {
          if (e instanceof TransportError) throw new SourceIncompleteError(`Splunk export did not complete after ${attempt} attempts: ${e.message}`);
          throw e;
        }
        this.stats.resumed++;
        const wait = backoffMs(this.o.policy, attempt);
        this.o.log?.({ level: 'warn', msg: 'export stream broke off; resuming', error: scrubSecrets(e.message), after: lastTime ?? null, waitMs: Math.round(wait) });
        await this.o.policy.sleep(wait);
      }
    }
  }

  /** POSTs the export (form-encoded, as Splunk's REST API takes it), retrying 429/5xx and re-logging in on 401. */
  private async open(url: URL, query: Record<string, string>): Promise<IncomingMessage> {
    let relogged = false;
    return withRetry<IncomingMessage>(this.o.policy, async () => {
      let res: IncomingMessage;
      try {
        res = await this.o.session.http.open({
          method: 'POST', url, timeoutMs: this.o.timeoutMs, body: new URLSearchParams(query).toString(),
          headers: { authorization: this.o.session.authorization(), 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'tierzero' },
        });
      } catch (e) {
        if (e instanceof TransportError) return { retry: e };
        throw e;
      }
      const status = res.statusCode ?? 0;
      if (status === 200) return { done: res };
      const text = await drain(res);
      const detail = messages(parseJson(text)) || `HTTP ${status}`;
      if (status === 401 && !relogged) {
        relogged = true;
        await this.o.session.relogin();
        this.o.log?.({ level: 'info', msg: 'Splunk session expired; logged in again' });
        return { retry: new SplunkRequestError('search export', status, detail), retryAfterMs: 0 };
      }
      if (isRetryableStatus(status)) {
        const after = retryAfterMs(header(res, 'retry-after'), this.o.clock());
        return { retry: new SplunkRequestError('search export', status, detail), ...(after === undefined ? {} : { retryAfterMs: after }) };
      }
      if (status === 400) throw new SearchFailedError(`Splunk rejected the pull search: ${detail}`);
      throw new SplunkRequestError('search export', status, detail);
    }, (e, waitMs, n) => this.o.log?.({ level: 'warn', msg: 'Splunk export retry', attempt: n, waitMs: Math.round(waitMs), error: scrubSecrets(e.message) }));
  }

  private message(m: ExportMessage): void {
    this.o.log?.({ level: m.type === 'WARN' ? 'warn' : 'info', msg: 'Splunk search message', type: m.type, text: m.text });
  }
}

/** `_bkt` + `_cd` name one event in one index; without them, what identifies it in the source. */
export function eventKey(r: SplunkResult): string {
  const bkt = first(r['_bkt']);
  const cd = first(r['_cd']);
  if (bkt !== undefined && cd !== undefined) return `${bkt}|${cd}`;
  return ['', first(r['host']), first(r['source']), first(r['EventRecordID']) ?? first(r['RecordNumber']), first(r['_time'])].join('|');
}

function record(result: SplunkResult, key: string): SourceRecord {
  const origin = `splunk:${key}`;
  const mapped = toCanonical(result);
  if (mapped.ok) return { kind: 'record', value: mapped.value, origin };
  return { kind: 'malformed', reason: mapped.reason, origin, text: JSON.stringify(result) };
}

function asCheckpoint(v: unknown): SplunkCheckpoint | undefined {
  if (v === null || v === undefined) return undefined;
  const c = v as Partial<SplunkCheckpoint>;
  if (c.version !== 1 || typeof c.indexTime !== 'number' || !Array.isArray(c.boundary)) {
    throw new SourceIncompleteError(`the saved checkpoint ${JSON.stringify(v).slice(0, 200)} is not a Splunk checkpoint: this state belongs to another platform`);
  }
  return c as SplunkCheckpoint;
}

function first(v: SplunkResult[string]): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

async function drain(res: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of res) chunks.push(c as Buffer);
  } catch {
    // A broken error body still leaves the status to report.
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
