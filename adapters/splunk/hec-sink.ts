import { randomUUID } from 'node:crypto';
import type { Alert } from '../../core/alerts/alert';
import type { Sink } from '../../core/engine/ports';
import { hecEvent } from './alert-event';
import type { HecSettings } from './config';
import { SinkAckTimeoutError, SinkRejectedError } from './errors';
import { header, HttpClient, TransportError } from './http';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from '../http/retry';
import { scrubSecrets } from '../../core/config/secret';
import type { Secret } from '../secret';

/**
 * Alerts into Splunk through the HTTP Event Collector, batched, on one request channel. When
 * the token has indexer acknowledgement on, HEC answers each batch with an `ackId` and `write`
 * resolves only once `/services/collector/ack` reports every batch indexed (help.splunk.com
 * "About HTTP Event Collector Indexer Acknowledgment"). HEC cannot refuse duplicates, so before
 * sending, ids Splunk already holds (a pass redone after a crash between ack and commit) are
 * looked up and skipped; the app's searches also `dedup alert_id` for what slips through.
 * Alerts only: score updates go to the KV store (kv-score-sink.ts, joined in `splunkSink`).
 */
export interface HecSinkOptions {
  readonly settings: HecSettings;
  readonly token: Secret;
  readonly policy: RetryPolicy;
  readonly clock: () => number;
  readonly timeoutMs: number;
  /** Alert ids of `ids` already indexed; undefined when the lookup is off. */
  readonly alreadyIndexed?: (ids: readonly string[]) => Promise<ReadonlySet<string>>;
  readonly log?: (entry: Record<string, unknown>) => void;
}

/** HEC status codes (help.splunk.com "Troubleshoot HTTP Event Collector"), with what to do. */
const HEC_CODES: Readonly<Record<number, string>> = {
  1: 'token disabled: enable it in Settings > Data inputs > HTTP Event Collector',
  2: 'token is required: no Authorization header reached HEC (a proxy may strip it)',
  3: 'invalid authorization: the header must be "Splunk <token>"',
  4: 'invalid token: the HEC token is unknown to this Splunk; check hec.tokenEnv/tokenFile/tokenStoragePassword',
  5: 'no data',
  6: 'invalid data format: an alert event was not valid HEC JSON',
  7: 'incorrect index: add the index to the token\'s allowed indexes, or set hec.index to one of them',
  8: 'internal server error',
  9: 'server is busy',
  10: 'data channel is missing',
  11: 'invalid data channel',
  12: 'event field is required',
  13: 'event field cannot be blank',
  14: 'indexer acknowledgement is disabled for this token',
  15: 'error in handling indexed fields',
  16: 'query string authorization is not enabled',
  18: 'HEC is unhealthy: queues are full',
  19: 'HEC is unhealthy: acknowledgement is unavailable',
};

export class HecSink implements Sink {
  readonly channel = randomUUID();
  readonly stats = { sent: 0, skipped: 0, batches: 0 };
  private readonly http: HttpClient;

  constructor(private readonly o: HecSinkOptions) {
    this.http = HttpClient.for(o.settings.url, o.settings.tls);
  }

  async write(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const present = this.o.alreadyIndexed ? await this.o.alreadyIndexed(alerts.map((a) => a.id)) : new Set<string>();
    const fresh = alerts.filter((a) => !present.has(a.id));
    this.stats.skipped += alerts.length - fresh.length;
    if (present.size) this.o.log?.({ level: 'info', msg: 'alerts already in Splunk skipped', count: alerts.length - fresh.length });
    const acks: number[] = [];
    for (const batch of batches(fresh.map((a) => hecEvent(a, this.o.settings)), this.o.settings.batchBytes)) {
      const ackId = await this.send(batch.join('\n'));
      this.stats.batches++;
      this.stats.sent += batch.length;
      if (ackId !== undefined) acks.push(ackId);
    }
    if (acks.length) await this.awaitAcks(acks);
  }

  close(): void {
    this.http.close();
  }

  private headers(): Record<string, string> {
    return { authorization: `Splunk ${this.o.token.reveal()}`, 'x-splunk-request-channel': this.channel, 'content-type': 'application/json' };
  }

  /** Relative to the configured URL, so a HEC behind a path-prefixing proxy keeps its prefix. */
  private url(path: string, query = ''): URL {
    const base = this.o.settings.url.href.endsWith('/') ? this.o.settings.url.href : `${this.o.settings.url.href}/`;
    return new URL(`${path.replace(/^\//, '')}${query}`, base);
  }

  private async send(body: string): Promise<number | undefined> {
    const reply = await this.post('/services/collector/event', '', body);
    const ackId = (reply as { ackId?: unknown }).ackId;
    if (typeof ackId === 'number') return ackId;
    if (this.o.settings.requireAck) throw new SinkRejectedError(200, undefined, 'the HEC token has indexer acknowledgement off, and hec.requireAck is set: enable "Indexer acknowledgement" on the token');
    return undefined;
  }

  /** Polls until HEC reports every batch indexed; fails the pass (nothing committed) on timeout. */
  private async awaitAcks(ids: readonly number[]): Promise<void> {
    const deadline = this.o.clock() + this.o.settings.ackTimeoutSeconds * 1000;
    let pending = [...ids];
    for (let round = 0; pending.length; round++) {
      const reply = await this.post('/services/collector/ack', `?channel=${encodeURIComponent(this.channel)}`, JSON.stringify({ acks: pending }));
      const status = (reply as { acks?: Record<string, boolean> }).acks ?? {};
      pending = pending.filter((id) => status[String(id)] !== true);
      if (!pending.length) return;
      if (this.o.clock() >= deadline) {
        throw new SinkAckTimeoutError(`Splunk did not acknowledge ${pending.length} alert batch(es) within ${this.o.settings.ackTimeoutSeconds}s (channel ${this.channel}, ackIds ${pending.join(', ')}); the pass is not committed and will be redone`);
      }
      await this.o.policy.sleep(Math.min(10_000, 250 * 2 ** round));
    }
  }

  private post(path: string, query: string, body: string): Promise<unknown> {
    return withRetry(this.o.policy, async () => {
      let res;
      try {
        res = await this.http.send({ method: 'POST', url: this.url(path, query), headers: this.headers(), body, timeoutMs: this.o.timeoutMs });
      } catch (e) {
        if (e instanceof TransportError) return { retry: e };
        throw e;
      }
      const reply = parse(res.body);
      const code = typeof (reply as { code?: unknown })?.code === 'number' ? (reply as { code: number }).code : undefined;
      if (res.status === 200 && (code === undefined || code === 0)) return { done: reply ?? {} };
      const meaning = (code !== undefined ? HEC_CODES[code] : undefined) ?? scrubSecrets(String((reply as { text?: unknown })?.text ?? `HTTP ${res.status}`));
      if (isRetryableStatus(res.status) || code === 9 || code === 18 || code === 19) {
        const after = retryAfterMs(header(res, 'retry-after'), this.o.clock());
        return { retry: new SinkRejectedError(res.status, code, meaning), ...(after === undefined ? {} : { retryAfterMs: after }) };
      }
      throw new SinkRejectedError(res.status, code, meaning);
    }, (e, waitMs, n) => this.o.log?.({ level: 'warn', msg: 'HEC retry', attempt: n, waitMs: Math.round(waitMs), error: scrubSecrets(e.message) }));
  }
}

/** Groups events so each request body stays under `maxBytes` (one oversized event goes alone). */
export function* batches(events: readonly string[], maxBytes: number): Generator<string[]> {
  let batch: string[] = [];
  let size = 0;
  for (const e of events) {
    const n = Buffer.byteLength(e) + 1;
    if (batch.length && size + n > maxBytes) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(e);
    size += n;
  }
  if (batch.length) yield batch;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

