import { hostKey } from '../events/fields';

/**
 * How long the Kerberos events of the domain controllers have been flowing without a break.
 * "No DC issued a TGT within the ticket lifetime" only means something once the stream has
 * covered a whole lifetime, from every DC: a TGT issued before the stream began, during an
 * outage of the collection, or by a DC whose log joined the stream later, is simply not in it.
 * Held once, by the Kerberos ledger (core/estate/kerberos-ledger.ts), for every detector that
 * joins 4768/4770 with 4769.
 */
export interface CoverageState {
  start?: number;
  last?: number;
  /** DC host key → when its Kerberos events were first and last seen. */
  dcs?: Record<string, { first: number; last: number }>;
}

const MAX_DCS = 256;

export class KerberosCoverage {
  constructor(private readonly state: CoverageState, private readonly maxGapMs: number) {}

  /** A Kerberos event from DC `host` at `time`; a silence of the whole stream longer than the gap restarts coverage. */
  observe(host: string, time: number): void {
    const { start, last } = this.state;
    if (start === undefined || last === undefined || time - last > this.maxGapMs) this.state.start = time;
    if (last === undefined || time > last) this.state.last = time;
    const dcs = (this.state.dcs ??= {});
    const key = hostKey(host);
    const dc = dcs[key];
    if (dc) {
      if (time > dc.last) dc.last = time;
    } else if (Object.keys(dcs).length < MAX_DCS) {
      dcs[key] = { first: time, last: time };
    }
  }

  /**
   * Whether the stream has run unbroken for `spanMs` before `time`, and every DC active in that
   * span was already in it at its start (a DC whose log was added later may hold unseen TGTs).
   */
  covers(time: number, spanMs: number): boolean {
    if (this.state.start === undefined || time - this.state.start < spanMs) return false;
    for (const dc of Object.values(this.state.dcs ?? {})) {
      if (dc.last >= time - spanMs && dc.first > time - spanMs) return false;
    }
    return true;
  }

  get start(): number | undefined {
    return this.state.start;
  }

  /** Forget DCs silent since `before` (decommissioned, or no longer collected). */
  evictIdle(before: number): void {
    const dcs = this.state.dcs ?? {};
    for (const [k, dc] of Object.entries(dcs)) if (dc.last < before) delete dcs[k];
  }
}

/**
 * Verdicts that wait out DC clock skew. DCs may disagree by up to the Kerberos clock tolerance
 * (5 min by default), and their logs are merged by time, so a TGT can be logged a little after
 * the first service ticket it explains. A verdict that depends on a TGT's absence is queued
 * until stream time passes the event plus the skew, then checked again.
 */
export interface Deferred<T> {
  readonly due: number;
  readonly item: T;
}

/** How many verdicts may wait at once; past it a ticket goes unjudged rather than unbounded (saved-tickets.ts reads no more back). */
export const MAX_DEFERRED = 10_000;

export class SkewQueue<T> {
  constructor(private readonly queue: Deferred<T>[]) {}

  push(due: number, item: T): void {
    if (this.queue.length < MAX_DEFERRED) this.queue.push({ due, item });
  }

  /** Hands every item due by `now` to `judge`, oldest first. Events arrive in time order, so this is amortised O(1). */
  release(now: number, judge: (item: T) => void): void {
    while (this.queue.length > 0 && (this.queue[0] as Deferred<T>).due <= now) judge((this.queue.shift() as Deferred<T>).item);
  }

  /** The input is finished: every waiting verdict is judged now, on the evidence there is. */
  releaseAll(judge: (item: T) => void): void {
    this.release(Infinity, judge);
  }
}
