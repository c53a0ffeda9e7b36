import { isLoopback } from '../events/fields';
import { DAY } from '../detectors/detector';
import type { SavedReader } from '../state/saved-value';

/**
 * What a source normally does, for detectors whose alert is "this source touched far more
 * than it usually does" (password spray, account enumeration, SMB/SAMR/LDAP reconnaissance).
 * Two pieces, both bounded:
 * - `DistinctWindow`: the distinct things (accounts, objects, hosts) a source touched within a
 *   sliding window — its current breadth;
 * - `SourceProfile`: per day, the widest breadth it reached, and the notable things it touched
 *   (a sensitive group, a domain controller), so an inventory tool that sweeps every night is
 *   learned while the same sweep from a workstation that never did it stands out.
 */

/**
 * Distinct keys touched within a sliding window. The map is kept in touch order (a key is
 * re-inserted when touched again), so expiry only ever looks at the front: O(1) amortised.
 */
export class DistinctWindow {
  private readonly keys: Map<string, number>;

  constructor(saved?: readonly (readonly [string, number])[]) {
    this.keys = new Map(saved ?? []);
  }

  /** Touches `key` at `time`, expires keys older than `spanMs`, keeps at most `cap`; returns the breadth. */
  touch(key: string, time: number, spanMs: number, cap: number): number {
    this.keys.delete(key);
    this.keys.set(key, time);
    this.expire(time - spanMs);
    while (this.keys.size > cap) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
    return this.keys.size;
  }

  /** Drops keys last touched before `from`. */
  expire(from: number): void {
    for (const [k, t] of this.keys) {
      if (t >= from) break;
      this.keys.delete(k);
    }
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** The most recently touched keys first, at most `max`. */
  recent(max: number): string[] {
    const all = [...this.keys.keys()];
    return all.slice(Math.max(0, all.length - max)).reverse();
  }

  /** The earliest touch still in the window. */
  get since(): number | undefined {
    return this.keys.values().next().value;
  }

  toJSON(): [string, number][] {
    return [...this.keys];
  }

  /** Compact: `[key, time, key, time, …]` in touch order. */
  encode(): (string | number)[] {
    const out: (string | number)[] = [];
    for (const [k, t] of this.keys) out.push(k, t);
    return out;
  }

  /** A saved window, checked: keys are strings, times in touch order, at most `cap`. */
  static decode(v: unknown, read: SavedReader, path: string, cap: number): DistinctWindow {
    const flat = read.list(v, path, 2 * cap, (x) => x);
    if (flat.length % 2 !== 0) read.fail(path, 'must alternate keys and times');
    const pairs: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const t = read.number(flat[i + 1], `${path}.${i + 1}`);
      if (pairs.length > 0 && t < (pairs[pairs.length - 1] as [string, number])[1]) read.fail(`${path}.${i + 1}`, 'must not be before the time ahead of it');
      pairs.push([read.string(flat[i], `${path}.${i}`), t]);
    }
    return new DistinctWindow(pairs);
  }
}

export interface ProfileSnapshot {
  /** Epoch days on which the source was active, oldest first, with the widest breadth reached that day. */
  readonly days: readonly (readonly [number, number])[];
  /** Notable things the source touched, with the epoch day it first did. */
  readonly known: readonly (readonly [string, number])[];
}

const MAX_DAYS = 35;
const MAX_KNOWN = 32;

/** A profile saved compactly: `[[day, widest, day, widest, …], [thing, day, thing, day, …]]`. */
export type SavedProfile = readonly [readonly number[], readonly (string | number)[]];

/**
 * One source's learned habits. Days are epoch days of event time, held flat (`[day, widest,
 * day, widest, …]`): one array of small integers instead of 35 two-element arrays per source.
 */
export class SourceProfile {
  private readonly days: number[];
  private readonly known: Map<string, number>;

  constructor(saved?: ProfileSnapshot) {
    this.days = (saved?.days ?? []).flatMap(([d, w]) => [d, w]);
    this.known = new Map(saved?.known ?? []);
  }

  /** Records that the source reached `breadth` at `time`. */
  observe(time: number, breadth: number): void {
    const day = Math.floor(time / DAY);
    const n = this.days.length;
    const last = n > 0 ? this.days[n - 2] as number : undefined;
    if (last === day) this.days[n - 1] = Math.max(this.days[n - 1] as number, breadth);
    else if (last === undefined || last < day) this.days.push(day, breadth);
    if (this.days.length > 2 * MAX_DAYS) this.days.splice(0, 2);
  }

  /** Remembers a notable thing (first day only); the oldest is forgotten past the bound. */
  remember(thing: string, time: number): void {
    if (this.known.has(thing)) return;
    this.known.set(thing, Math.floor(time / DAY));
    if (this.known.size > MAX_KNOWN) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  /** Whether the source touched `thing` on a day before `time`'s. */
  knewBefore(thing: string, time: number): boolean {
    const day = this.known.get(thing);
    return day !== undefined && day < Math.floor(time / DAY);
  }

  /** Days before `time`'s on which the source was active. */
  priorDays(time: number): number {
    const today = Math.floor(time / DAY);
    let n = 0;
    for (let i = 0; i < this.days.length; i += 2) if ((this.days[i] as number) < today) n++;
    return n;
  }

  /** The widest breadth the source reached on any day before `time`'s (0 when none). */
  priorWidest(time: number): number {
    const today = Math.floor(time / DAY);
    let max = 0;
    for (let i = 0; i < this.days.length; i += 2) {
      const w = this.days[i + 1] as number;
      if ((this.days[i] as number) < today && w > max) max = w;
    }
    return max;
  }

  toJSON(): ProfileSnapshot {
    const days: [number, number][] = [];
    for (let i = 0; i < this.days.length; i += 2) days.push([this.days[i] as number, this.days[i + 1] as number]);
    return { days, known: [...this.known] };
  }

  encode(): SavedProfile {
    const known: (string | number)[] = [];
    for (const [k, d] of this.known) known.push(k, d);
    return [this.days, known];
  }

  /** A saved profile, checked: days ascending with counts, things with their first day, each within its bound. */
  static decode(v: unknown, read: SavedReader, path: string): SourceProfile {
    const [days, known] = read.tuple(v, path, 2);
    const d = read.list(days, `${path}.0`, 2 * MAX_DAYS, (x, p) => read.count(x, p));
    if (d.length % 2 !== 0) read.fail(`${path}.0`, 'must alternate days and breadths');
    for (let i = 2; i < d.length; i += 2) if ((d[i] as number) <= (d[i - 2] as number)) read.fail(`${path}.0.${i}`, 'days must ascend');
    const k = read.list(known, `${path}.1`, 2 * MAX_KNOWN, (x) => x);
    if (k.length % 2 !== 0) read.fail(`${path}.1`, 'must alternate things and days');
    const pairs: [string, number][] = [];
    for (let i = 0; i < k.length; i += 2) pairs.push([read.string(k[i], `${path}.1.${i}`), read.count(k[i + 1], `${path}.1.${i + 1}`)]);
    const days2: [number, number][] = [];
    for (let i = 0; i < d.length; i += 2) days2.push([d[i] as number, d[i + 1] as number]);
    return new SourceProfile({ days: days2, known: pairs });
  }
}

export interface BreadthJudgement {
  /** The breadth is beyond what the source is known to reach. */
  readonly abnormal: boolean;
  /** The source is a regular one (active on enough earlier days) whose habits were compared. */
  readonly regular: boolean;
  readonly usual: number;
}

/**
 * Whether `breadth` is abnormal for a source: at least `minimum` always, and for a regular
 * source (active on `regularDays` earlier days) more than `growth` times the widest it reached
 * before. A source without history is judged on `minimum` alone — the mechanics' own bar.
 */
export function judgeBreadth(profile: SourceProfile, breadth: number, time: number, minimum: number, regularDays: number, growth: number): BreadthJudgement {
  const regular = profile.priorDays(time) >= regularDays;
  const usual = profile.priorWidest(time);
  if (breadth < minimum) return { abnormal: false, regular, usual };
  return { abnormal: !regular || breadth > usual * growth, regular, usual };
}

/** Logon ids of the machine's own services (SYSTEM, NETWORK SERVICE, LOCAL SERVICE): never a remote client. */
const SERVICE_LOGON_IDS = new Set(['0x3e7', '0x3e4', '0x3e5']);
const INTERACTIVE_LOGON_TYPES = new Set([2, 7, 10, 11]);

export interface QueryOrigin {
  /** true: the query came over the network; false: from a process on the logging host; undefined: unknown. */
  readonly remote: boolean | undefined;
  readonly ip?: string;
  readonly workstation?: string;
}

/**
 * Where a directory or SAM query (4661/4662, which name only the caller's logon session)
 * came from: the session's 4624 gives the client address; the machine's own service sessions
 * and interactive sessions are local; without either, the origin is unknown.
 */
export function queryOrigin(directory: { logonSession(host: string, logonId: string): { ip?: string; workstation?: string; logonType?: number } | undefined }, host: string, logonId: string | undefined): QueryOrigin {
  if (!logonId) return { remote: undefined };
  if (SERVICE_LOGON_IDS.has(logonId)) return { remote: false };
  const session = directory.logonSession(host, logonId);
  if (!session) return { remote: undefined };
  const ip = session.ip && !isLoopback(session.ip) ? session.ip : undefined;
  if (ip) return { remote: true, ip, ...(session.workstation ? { workstation: session.workstation } : {}) };
  if (session.ip || (session.logonType !== undefined && INTERACTIVE_LOGON_TYPES.has(session.logonType))) return { remote: false };
  return { remote: undefined, ...(session.workstation ? { workstation: session.workstation } : {}) };
}

/** `\\*\IPC$` + `samr` (or `\samr`): a named pipe opened over SMB. */
export function isIpcPipe(shareName: string, relativeTarget: string | undefined, pipe: string): boolean {
  if (!relativeTarget || !shareName.toUpperCase().endsWith('IPC$')) return false;
  return relativeTarget.replace(/^\\+/, '').toLowerCase() === pipe;
}
