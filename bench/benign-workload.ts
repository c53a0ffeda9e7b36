/**
 * The benign week's workload: N days of one estate's ordinary traffic with its look-alikes
 * (traffic-lookalikes.ts) and no attack, one file a day. Kept apart from how it is run
 * (benign-run.ts, benign-replay.ts) so the digest beside each file covers only what shapes it.
 */
import { MIN_SHAPE, type DomainShape } from './domain';
import type { WorkloadOptions } from './generate';

/** What identifies one generated day; a file is reused only when these match. */
export interface BenignDayParams {
  readonly seed: string;
  /** ISO-8601 start of day 1 (UTC midnight). */
  readonly start: string;
  /** 1-based. */
  readonly day: number;
  readonly events: number;
  readonly accounts: number;
  /** Digest of the generator's sources: a changed generator means new files. */
  readonly generator: string;
}

const DAY_MS = 86_400_000;

export function benignDayOptions(p: BenignDayParams): WorkloadOptions {
  if (!Number.isInteger(p.day) || p.day < 1) throw new RangeError(`day must be a positive integer, got ${p.day}`);
  return {
    seed: p.seed, start: new Date(Date.parse(p.start) + (p.day - 1) * DAY_MS).toISOString(), durationHours: 24,
    events: p.events, shape: benignShape(p.accounts), lookalikes: true, day: p.day,
  };
}

/**
 * The estate of issue 15's benign day, in proportion: 20 DCs and 5,000 hosts at 100,000
 * accounts (many accounts are shift workers, kiosks and shared desks, mailbox-only staff).
 * A tenth of the hosts are servers.
 */
export function benignShape(accounts: number): DomainShape {
  const hosts = Math.max(MIN_SHAPE.workstations + MIN_SHAPE.servers, Math.round(accounts / 20));
  const servers = Math.max(MIN_SHAPE.servers, Math.round(hosts / 10));
  return {
    users: accounts,
    workstations: Math.max(MIN_SHAPE.workstations, hosts - servers),
    servers,
    domainControllers: Math.max(2, Math.min(20, Math.round(accounts / 5000))),
    serviceAccounts: Math.max(MIN_SHAPE.serviceAccounts, Math.round(accounts / 400)),
  };
}
