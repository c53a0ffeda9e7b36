/**
 * How long the Kerberos events of the domain controllers have been flowing without a break.
 * "No DC issued a TGT within the ticket lifetime" only means something once the stream has
 * covered a whole lifetime: a TGT issued before the stream began, or during an outage of the
 * collection, is simply not in it. Shared by the detectors that join 4768/4770 with 4769.
 */
export interface CoverageState {
  start?: number;
  last?: number;
}

export class KerberosCoverage {
  constructor(private readonly state: CoverageState, private readonly maxGapMs: number) {}

  /** A Kerberos event from any DC at `time`; a silence longer than the gap restarts coverage. */
  observe(time: number): void {
    const { start, last } = this.state;
    if (start === undefined || last === undefined || time - last > this.maxGapMs) this.state.start = time;
    if (last === undefined || time > last) this.state.last = time;
  }

  /** Whether the stream has run unbroken for at least `spanMs` before `time`. */
  covers(time: number, spanMs: number): boolean {
    return this.state.start !== undefined && time - this.state.start >= spanMs;
  }

  get start(): number | undefined {
    return this.state.start;
  }
}
