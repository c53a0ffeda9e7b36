import { planAttack, type AttackLabel, type AttackSpec, type PlannedAttack } from './attacks';
import { buildDomain, type Domain, type DomainShape } from './domain';
import { Prng } from './prng';
import { HOUR, MINUTE, Sim } from './sim';
import { Timeline } from './timeline';
import { InfrastructureTraffic } from './traffic-infrastructure';
import { LookalikeTraffic } from './traffic-lookalikes';
import { PeopleTraffic } from './traffic-people';
import type { GeneratedEvent } from './windows-events';

/**
 * The synthetic workload: a domain's activity as canonical WindowsEvents, in time order,
 * streamed (a generator; memory stays bounded whatever the size). Deterministic: the same
 * options give the same events, byte for byte, with no clock and no Math.random.
 */

export interface WorkloadOptions {
  readonly seed: string;
  /** ISO-8601 start of the period (UTC). */
  readonly start: string;
  readonly durationHours: number;
  readonly shape: DomainShape;
  /** How many events to aim for; the result lands within a fraction of a percent. */
  readonly events: number;
  readonly attacks?: readonly AttackSpec[];
  /** The benign week's look-alikes (traffic-lookalikes.ts): RC4-only devices, scanners, front-ends, help desk. */
  readonly lookalikes?: boolean;
  /**
   * Which day of a multi-day run this file is: the estate stays the same (it comes from the
   * seed), the traffic draws from its own stream so no two days are copies.
   */
  readonly day?: number;
}

export interface Workload {
  readonly domain: Domain;
  /** One per injected attack, in the order given. */
  readonly labels: readonly AttackLabel[];
  /** A fresh pass over the events each time it is called. */
  events(): Generator<GeneratedEvent>;
}

const SLICE_MS = MINUTE;
/** Share of the events that no detector reads (Sysmon, WFP, process creation, service state). */
const NOISE_SHARE = 0.2;

export function createWorkload(o: WorkloadOptions): Workload {
  const start = Date.parse(o.start);
  if (!Number.isFinite(start)) throw new RangeError(`start ${JSON.stringify(o.start)} is not an ISO-8601 time`);
  if (!(o.durationHours > 0)) throw new RangeError(`durationHours must be positive, got ${o.durationHours}`);
  if (!(o.events > 0)) throw new RangeError(`events must be positive, got ${o.events}`);
  const end = start + o.durationHours * HOUR;
  const domain = buildDomain(o.seed, o.shape);
  const taken = new Set<string>();
  const attacks = (o.attacks ?? []).map((spec, i) => planAttack(spec, i, domain, o.seed, taken));
  for (const a of attacks) {
    const at = Date.parse(a.label.time);
    if (a.earliest < start || at >= end) {
      throw new RangeError(`${a.label.detector} at ${a.label.time} must fall between ${new Date(start + 10 * MINUTE).toISOString()} and the end of the period, leaving room for its preparation`);
    }
  }
  return { domain, labels: attacks.map((a) => a.label), events: () => stream(o, domain, attacks, start, end) };
}

function* stream(o: WorkloadOptions, domain: Domain, attacks: readonly PlannedAttack[], start: number, end: number): Generator<GeneratedEvent> {
  const rng = new Prng(o.seed).fork(o.day === undefined ? 'traffic' : `traffic-day${o.day}`);
  const timeline = new Timeline(SLICE_MS, start, end);
  const sim = new Sim(domain, timeline, rng);
  const people = new PeopleTraffic(sim);
  const infrastructure = new InfrastructureTraffic(sim.withRng(rng.fork('infrastructure')), start, end);
  const lookalikes = o.lookalikes ? new LookalikeTraffic(sim.withRng(rng.fork('lookalikes')), o.seed, start, end) : undefined;
  const pending = [...attacks].sort((a, b) => a.earliest - b.earliest);
  const pacer = new Pacer(o.events, start, end);

  for (let sliceStart = start; sliceStart < end; sliceStart += SLICE_MS) {
    const sliceEnd = Math.min(end, sliceStart + SLICE_MS);
    const before = timeline.added;
    while (pending.length > 0 && (pending[0] as PlannedAttack).earliest < sliceEnd) (pending.shift() as PlannedAttack).inject(sim);
    infrastructure.runUntil(sliceEnd);
    lookalikes?.runUntil(sliceEnd);

    // Whatever the fixed schedules left of this slice's share goes to noise, people and computers.
    const { quota, noise } = pacer.quota(sliceStart, sliceEnd, timeline.added - before);
    const userQuota = (quota - noise) * (0.08 + 0.8 * workProfile(sliceStart));
    let used = 0;
    const at = (): number => sliceStart + rng.int(0, sliceEnd - sliceStart - 1);
    const run = (budget: number, burst: () => void): void => {
      const until = used + budget;
      while (used < until) {
        const n = timeline.added;
        burst();
        used += Math.max(1, timeline.added - n);
      }
    };
    run(noise, () => people.noiseBurst(at()));
    run(userQuota, () => {
      const t = at();
      const user = people.activeUser(t);
      if (user) people.userBurst(user, t);
      else people.machineBurst(rng.pick(rng.chance(0.8) ? domain.workstations : domain.servers), t);
    });
    run(quota - used, () => people.machineBurst(rng.pick(rng.chance(0.8) ? domain.workstations : domain.servers), at()));
    pacer.spent(timeline.added - before);
    yield* timeline.releaseBefore(sliceEnd);
  }
  yield* timeline.releaseAll();
}

/**
 * Spreads the event target over the period by a day-shaped weight (busy office hours, a
 * quieter night). The fixed schedules (replication, sync, backups) run at their own pace,
 * so what they are expected to add over the rest of the period is set aside first, from
 * their rate so far; the rest goes out by weight. Noise keeps its share of the total.
 */
class Pacer {
  private readonly totalWeight: number;
  private remainingWeight: number;
  private produced = 0;
  private fixedSoFar = 0;
  private elapsed = 0;

  constructor(private readonly target: number, start: number, private readonly end: number) {
    let total = 0;
    for (let t = start; t < end; t += SLICE_MS) total += weight(t) * (Math.min(end, t + SLICE_MS) - t);
    this.remainingWeight = total;
    this.totalWeight = total;
  }

  /** Events to add in this slice after `fixed` already added by schedules, and how many of them are noise. */
  quota(sliceStart: number, sliceEnd: number, fixed: number): { quota: number; noise: number } {
    const w = weight(sliceStart) * (sliceEnd - sliceStart);
    this.fixedSoFar += fixed;
    this.elapsed += sliceEnd - sliceStart;
    const left = this.end - sliceEnd;
    const fixedAhead = (this.fixedSoFar / this.elapsed) * left;
    const budget = this.target - this.produced - fixed - fixedAhead;
    const quota = Math.max(0, (budget * w) / this.remainingWeight);
    this.remainingWeight -= w;
    return { quota, noise: Math.min(quota, (NOISE_SHARE * this.target * w) / this.totalWeight) };
  }

  spent(n: number): void {
    this.produced += n;
  }
}

function weight(time: number): number {
  return 0.3 + workProfile(time);
}

/** 0 at night, 1 in office hours (08:00–17:00 UTC), ramps between. */
export function workProfile(time: number): number {
  const h = (time % (24 * HOUR)) / HOUR;
  if (h < 6 || h >= 19.5) return 0;
  if (h < 8) return (h - 6) / 2;
  if (h < 17) return 1;
  return (19.5 - h) / 2.5;
}
