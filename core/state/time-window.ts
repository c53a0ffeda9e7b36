/**
 * Event times within a sliding window, bounded in length so one noisy entity cannot grow
 * without limit. Times are event times (epoch ms), pushed roughly in order.
 */
export class TimeWindow {
  constructor(private readonly times: number[] = []) {}

  /** Adds `t`, drops times older than `t - spanMs`, keeps at most `cap`; returns the count. */
  push(t: number, spanMs: number, cap: number): number {
    this.times.push(t);
    const from = t - spanMs;
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] as number) < from) drop++;
    if (this.times.length - drop > cap) drop = this.times.length - cap;
    if (drop > 0) this.times.splice(0, drop);
    return this.times.length;
  }

  get last(): number {
    return this.times[this.times.length - 1] ?? -Infinity;
  }

  toJSON(): number[] {
    return this.times;
  }
}
