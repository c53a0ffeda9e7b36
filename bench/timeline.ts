import type { GeneratedEvent } from './windows-events';

/**
 * Puts events from many overlapping activities back into time order with bounded memory:
 * events go into one bucket per slice of time, and a bucket is sorted and written out once
 * no activity can add to it any more. Each host's log numbers its own records, so
 * `EventRecordID` is given per host and channel as events leave, in time order.
 */
export class Timeline {
  private readonly buckets = new Map<number, Entry[]>();
  private nextBucket: number;
  private readonly recordIds = new Map<string, number>();
  /** Events accepted so far (written or waiting). */
  added = 0;

  constructor(private readonly sliceMs: number, start: number, private readonly end: number) {
    this.nextBucket = Math.floor(start / sliceMs);
  }

  /** The earliest time an event may still be added. */
  get openFrom(): number {
    return this.nextBucket * this.sliceMs;
  }

  add(time: number, event: GeneratedEvent): void {
    const t = Math.round(time);
    // Like an export cut at the end of the period: what happens later is not in the file.
    if (t >= this.end) return;
    const index = Math.floor(t / this.sliceMs);
    if (index < this.nextBucket) throw new RangeError(`event at ${new Date(t).toISOString()} is earlier than the timeline still open from ${new Date(this.openFrom).toISOString()}`);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = [];
      this.buckets.set(index, bucket);
    }
    bucket.push({ time: t, event });
    this.added++;
  }

  /** Writes out, in order, every event earlier than `time`; later additions must not precede it. */
  *releaseBefore(time: number): Generator<GeneratedEvent> {
    const until = Math.floor(time / this.sliceMs);
    for (; this.nextBucket < until; this.nextBucket++) {
      const bucket = this.buckets.get(this.nextBucket);
      if (!bucket) continue;
      this.buckets.delete(this.nextBucket);
      // Array#sort is stable, so events of one activity at the same millisecond keep their order.
      bucket.sort((a, b) => a.time - b.time);
      for (const { time: t, event } of bucket) {
        event.TimeCreated = new Date(t).toISOString();
        event.EventRecordID = this.nextRecordId(event.Computer, event.Channel);
        yield event;
      }
    }
  }

  *releaseAll(): Generator<GeneratedEvent> {
    const last = Math.max(this.nextBucket, ...this.buckets.keys());
    yield* this.releaseBefore((last + 1) * this.sliceMs);
  }

  private nextRecordId(computer: string, channel: string): number {
    const key = `${computer}|${channel}`;
    // Logs that have been running for a while: each starts at its own arbitrary record number.
    const id = (this.recordIds.get(key) ?? 1000 + (hash(key) % 5_000_000)) + 1;
    this.recordIds.set(key, id);
    return id;
  }
}

interface Entry {
  readonly time: number;
  readonly event: GeneratedEvent;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
