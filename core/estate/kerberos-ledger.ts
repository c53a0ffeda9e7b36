import { KerberosCoverage, type CoverageState } from './kerberos-coverage';
import { EtypeDays, type EtypeDaysSnapshot, type EtypesBefore } from './kerberos-etype-days';
import { accountKey, hostKey, isLoopback } from '../events/fields';
import type { IdentityEvent, KerberosTgtRequest } from '../events/identity-event';
import { StateInvalidError } from '../state/state-errors';

/**
 * One Kerberos ledger (issue 13, item 1): the TGTs the domain controllers issued (4768) and
 * renewed (4770) per account, and how long their Kerberos stream has been unbroken. Learned
 * once per event by the engine before any detector runs; golden_ticket ("no DC issued a TGT")
 * and pass_the_ticket ("the TGT went to another address") read it and keep only their verdicts.
 * Before it, each kept its own TGT table and its own identical coverage tracker.
 *
 * Compact: per account one flat array of numbers, STRIDE slots per TGT address (address and DC
 * as interned ids, time, etype, pre-auth type, renewed flag), at most MAX_ADDRESSES addresses.
 * Its horizon is the ticket lifetime (plus the clock skew a waiting verdict looks back over),
 * not the 30-day state TTL: a TGT past it explains nothing.
 *
 * Two halves, each learned only while a detector that reads it is enabled (so disabling the
 * detectors frees the memory): the TGTs and coverage (golden_ticket, pass_the_ticket) and the
 * etype days per account and per address (overpass_the_hash, core/estate/kerberos-etype-days.ts).
 * A half not learned is neither restored nor dropped: its saved part is written back as it was.
 */
export interface KerberosLedgerOptions {
  /** The TGT half; absent when no reader of it is enabled. */
  readonly tickets?: TicketOptions;
  /** Whether the etype half is learned. */
  readonly etypes: boolean;
}

export interface TicketOptions {
  /** How long a TGT entry is kept after it was issued or renewed (lifetime + 2 × skew). */
  readonly horizonMs: number;
  /** A silence of the whole stream longer than this restarts coverage. */
  readonly coverageGapMs: number;
}

/** One TGT issue or renewal as the readers see it. */
export interface TgtEntry {
  /** The client address the TGT went to; undefined when the DC logged none (or loopback). */
  readonly ip: string | undefined;
  readonly time: number;
  /** The DC host key that issued or renewed it. */
  readonly dc: string;
  /** TicketEncryptionType; 0 when not logged. */
  readonly etype: number;
  /** PreAuthType (4768 only; 0 when none or not logged). */
  readonly preAuthType: number;
  /** A renewal (4770 for krbtgt) rather than an issue. */
  readonly renewed: boolean;
}

/** The TGT half's fields are all present or all absent (no TGT reader ever ran); so is `etypes`. */
export interface KerberosLedgerSnapshot extends Partial<TicketsSnapshot> {
  readonly etypes?: EtypeDaysSnapshot;
}

export interface TicketsSnapshot {
  /** Interned addresses and DC names: id n is `strings[n - 1]`; 0 is "none". */
  readonly strings: readonly string[];
  readonly keys: readonly string[];
  /** Per key, STRIDE numbers per TGT address: [ip id, time, dc id, etype, pre-auth, renewed]. */
  readonly tgts: readonly (readonly number[])[];
  readonly coverage: CoverageState;
}

const TICKET_FIELDS = ['strings', 'keys', 'tgts', 'coverage'] as const;

/** Slots per TGT address: ip id, time, dc id, etype, pre-auth type, renewed (0/1). */
const STRIDE = 6;
const IP = 0;
const TIME = 1;
const DC = 2;
const ETYPE = 3;
const PREAUTH = 4;
const RENEWED = 5;
/** A client takes its TGTs at a handful of addresses; a ninth evicts the oldest (as pass_the_ticket did). */
export const MAX_ADDRESSES = 8;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export class KerberosLedger {
  private readonly tgts = new Map<string, number[]>();
  private readonly ids = new Map<string, number>();
  private strings: string[] = [];
  private readonly coverageState: CoverageState;
  private readonly tracker: KerberosCoverage;
  private tgtsSweptUpTo = -Infinity;
  private coverageSweptUpTo = -Infinity;
  private readonly tickets: TicketOptions | undefined;
  private readonly etypes: EtypeDays | undefined;
  /** The saved parts of the halves not learned this pass, written back as they were. */
  private readonly carried: Partial<KerberosLedgerSnapshot>;

  constructor(options: KerberosLedgerOptions, saved?: unknown, where = 'the Kerberos ledger') {
    this.tickets = options.tickets;
    const raw = saved === undefined || saved === null ? undefined : checkLedgerShape(saved, where);
    const carried: Record<string, unknown> = {};
    if (raw && !options.tickets) for (const f of TICKET_FIELDS) if (raw[f] !== undefined) carried[f] = raw[f];
    if (raw && !options.etypes && raw['etypes'] !== undefined) carried['etypes'] = raw['etypes'];
    this.carried = carried;
    const restored = raw && options.tickets && hasTickets(raw) ? checkLedgerSnapshot(raw, where) : undefined;
    this.etypes = options.etypes ? new EtypeDays(raw?.['etypes'] as EtypeDaysSnapshot | undefined, where) : undefined;
    this.coverageState = restored ? structuredClone(restored.coverage) as CoverageState : {};
    this.tracker = new KerberosCoverage(this.coverageState, options.tickets?.coverageGapMs ?? Infinity);
    if (restored) {
      this.strings = [...restored.strings];
      this.strings.forEach((s, i) => this.ids.set(s, i + 1));
      restored.keys.forEach((k, i) => this.tgts.set(k, [...(restored.tgts[i] as number[])]));
    }
  }

  /** Learns from one event; every event goes through here once, before the detectors see it. */
  observe(ev: IdentityEvent): void {
    if (this.etypes && ev.kind === 'kerberos_tgt_request') this.etypes.observe(ev);
    if (!this.tickets) return;
    switch (ev.kind) {
      case 'kerberos_tgt_request':
        this.tracker.observe(ev.host, ev.time);
        if (ev.status === 0) this.record(accountKey(ev.account), ev.ip, ev.time, ev.host, ev.encryptionType ?? 0, ev.preAuthType ?? 0, false);
        return;
      case 'kerberos_ticket_renewal':
        this.tracker.observe(ev.host, ev.time);
        // Renewing a service ticket says nothing about the TGT; renewing krbtgt extends it.
        if (ev.serviceName.toLowerCase().startsWith('krbtgt')) this.record(accountKey(ev.account), ev.ip, ev.time, ev.host, ev.encryptionType ?? 0, 0, true);
        return;
      case 'kerberos_service_ticket':
        this.tracker.observe(ev.host, ev.time);
        return;
      default:
        return;
    }
  }

  /**
   * The account's and the client address's etype days as they stood before `ev` (the ledger
   * has already learned `ev` when a detector sees it). Empty while the etype half is not learned.
   */
  etypesBefore(ev: KerberosTgtRequest): EtypesBefore {
    if (!this.etypes) return { account: { firstSeen: ev.time, aes: 0, rc4: 0 }, source: ev.ip ? { firstSeen: ev.time, aes: 0, rc4: 0 } : undefined };
    return this.etypes.before(ev);
  }

  /** The stream's coverage: whether "no TGT" can mean anything yet. */
  get coverage(): Pick<KerberosCoverage, 'covers' | 'start'> {
    return this.tracker;
  }

  /** Whether any DC issued or renewed a TGT for `key` from `from` to `to` (inclusive), at any address. */
  hasTgtBetween(key: string, from: number, to: number): boolean {
    const a = this.tgts.get(key);
    if (!a) return false;
    for (let i = 0; i < a.length; i += STRIDE) {
      const t = a[i + TIME] as number;
      if (t >= from && t <= to) return true;
    }
    return false;
  }

  /** Whether the ledger holds any TGT address for `key`. */
  knows(key: string): boolean {
    return this.tgts.has(key);
  }

  /** The TGT addresses of `key`, latest issue or renewal per address. */
  tgtsOf(key: string): TgtEntry[] {
    const a = this.tgts.get(key);
    if (!a) return [];
    const out: TgtEntry[] = [];
    for (let i = 0; i < a.length; i += STRIDE) {
      out.push({
        ip: this.stringOf(a[i + IP] as number),
        time: a[i + TIME] as number,
        dc: this.stringOf(a[i + DC] as number) ?? '',
        etype: a[i + ETYPE] as number,
        preAuthType: a[i + PREAUTH] as number,
        renewed: a[i + RENEWED] === 1,
      });
    }
    return out;
  }

  get size(): number {
    return this.tgts.size;
  }

  /**
   * TGTs older than the horizon before `watermark` go (one sweep per hour of event time), DCs
   * silent since `before` leave the coverage tracker (one sweep per day).
   */
  evictIdle(before: number, watermark: number): void {
    this.etypes?.evictIdle(before);
    if (!this.tickets) return;
    const horizon = watermark - this.tickets.horizonMs;
    if (horizon >= this.tgtsSweptUpTo + HOUR) {
      this.tgtsSweptUpTo = horizon;
      for (const [k, a] of this.tgts) {
        const kept = dropBefore(a, horizon);
        if (kept === undefined) continue;
        if (kept.length === 0) this.tgts.delete(k);
        else this.tgts.set(k, kept);
      }
      // Addresses of evicted TGTs stay interned until the table is mostly garbage, then it is rebuilt.
      if (this.strings.length > 1024 && this.strings.length > 4 * this.tgts.size) this.compact();
    }
    if (before >= this.coverageSweptUpTo + DAY) {
      this.coverageSweptUpTo = before;
      this.tracker.evictIdle(before);
    }
  }

  /** Only the strings still referenced are written, renumbered. */
  snapshot(): KerberosLedgerSnapshot {
    const etypes = this.etypes ? { etypes: this.etypes.snapshot() } : {};
    if (!this.tickets) return { ...this.carried, ...etypes };
    this.compact();
    const keys = [...this.tgts.keys()];
    return { ...this.carried, strings: [...this.strings], keys, tgts: keys.map((k) => [...(this.tgts.get(k) as number[])]), coverage: structuredClone(this.coverageState), ...etypes };
  }

  private record(key: string, rawIp: string | undefined, time: number, dc: string, etype: number, preAuth: number, renewed: boolean): void {
    const ip = rawIp && !isLoopback(rawIp) ? this.intern(rawIp) : 0;
    const dcId = this.intern(hostKey(dc));
    const a = this.tgts.get(key);
    if (!a) {
      this.tgts.set(key, [ip, time, dcId, etype, preAuth, renewed ? 1 : 0]);
      return;
    }
    for (let i = 0; i < a.length; i += STRIDE) {
      if (a[i + IP] !== ip) continue;
      if (time >= (a[i + TIME] as number)) {
        a[i + TIME] = time;
        a[i + DC] = dcId;
        // A renewal keeps the etype and pre-auth of the issue it extends when it logs none.
        if (!renewed || etype !== 0) a[i + ETYPE] = etype;
        if (!renewed) a[i + PREAUTH] = preAuth;
        a[i + RENEWED] = renewed ? 1 : 0;
      }
      return;
    }
    if (a.length >= MAX_ADDRESSES * STRIDE) {
      let oldest = 0;
      for (let i = STRIDE; i < a.length; i += STRIDE) if ((a[i + TIME] as number) < (a[oldest + TIME] as number)) oldest = i;
      if ((a[oldest + TIME] as number) > time) return;
      a.splice(oldest, STRIDE);
    }
    // Copied, not pushed: a pushed array reserves spare slots, and most accounts keep one address.
    this.tgts.set(key, [...a, ip, time, dcId, etype, preAuth, renewed ? 1 : 0]);
  }

  private intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      this.strings.push(s);
      id = this.strings.length;
      this.ids.set(s, id);
    }
    return id;
  }

  private stringOf(id: number): string | undefined {
    return id === 0 ? undefined : this.strings[id - 1];
  }

  /** Renumbers the interned strings to those still referenced. */
  private compact(): void {
    const next: string[] = [];
    const renumber = new Map<number, number>();
    const map = (id: number): number => {
      if (id === 0) return 0;
      let n = renumber.get(id);
      if (n === undefined) {
        next.push(this.strings[id - 1] as string);
        n = next.length;
        renumber.set(id, n);
      }
      return n;
    };
    for (const a of this.tgts.values()) {
      for (let i = 0; i < a.length; i += STRIDE) {
        a[i + IP] = map(a[i + IP] as number);
        a[i + DC] = map(a[i + DC] as number);
      }
    }
    this.strings = next;
    this.ids.clear();
    next.forEach((s, i) => this.ids.set(s, i + 1));
  }
}

/** `a` without the addresses issued before `horizon`, or undefined when none is. */
function dropBefore(a: number[], horizon: number): number[] | undefined {
  let stale = false;
  for (let i = 0; i < a.length; i += STRIDE) if ((a[i + TIME] as number) < horizon) stale = true;
  if (!stale) return undefined;
  const out: number[] = [];
  for (let i = 0; i < a.length; i += STRIDE) if ((a[i + TIME] as number) >= horizon) out.push(...a.slice(i, i + STRIDE));
  return out;
}

function checkLedgerShape(saved: unknown, where: string): Record<string, unknown> {
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw new StateInvalidError(where, 'kerberos', 'must be an object');
  return saved as Record<string, unknown>;
}

/** Whether a saved ledger holds the TGT half (a ledger only overpass_the_hash fed holds none). */
function hasTickets(s: Record<string, unknown>): boolean {
  return TICKET_FIELDS.some((f) => s[f] !== undefined);
}

/** A saved TGT half is checked whole before any of it is used: a bad one is an error naming its key, never a cast. */
export function checkLedgerSnapshot(saved: unknown, where: string): TicketsSnapshot {
  const bad = (key: string, problem: string): never => {
    throw new StateInvalidError(where, key, problem);
  };
  const s = checkLedgerShape(saved, where);
  const { strings, keys, tgts, coverage } = s;
  if (!Array.isArray(strings) || !strings.every((x) => typeof x === 'string') || new Set(strings).size !== strings.length) bad('kerberos.strings', 'must be distinct strings');
  if (!Array.isArray(keys) || !keys.every((x) => typeof x === 'string') || new Set(keys).size !== keys.length) bad('kerberos.keys', 'must be distinct strings');
  const nStrings = (strings as string[]).length;
  if (!Array.isArray(tgts) || tgts.length !== (keys as string[]).length) bad('kerberos.tgts', `must be ${(keys as string[]).length} lists, one per key`);
  (tgts as unknown[]).forEach((a, i) => {
    const key = `kerberos.tgts[${i}]`;
    if (!Array.isArray(a) || a.length === 0 || a.length % STRIDE !== 0 || a.length > MAX_ADDRESSES * STRIDE || !a.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      bad(key, `must be 1 to ${MAX_ADDRESSES} groups of ${STRIDE} finite numbers`);
    }
    const list = a as number[];
    for (let j = 0; j < list.length; j += STRIDE) {
      for (const slot of [IP, DC]) {
        const id = list[j + slot] as number;
        if (!Number.isInteger(id) || id < 0 || id > nStrings) bad(key, `refers to string ${id}, the ledger has ${nStrings}`);
      }
      if (list[j + RENEWED] !== 0 && list[j + RENEWED] !== 1) bad(key, 'has a renewed flag that is not 0 or 1');
    }
  });
  checkCoverage(coverage, bad);
  return saved as TicketsSnapshot;
}

function checkCoverage(c: unknown, bad: (key: string, problem: string) => never): void {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) bad('kerberos.coverage', 'must be an object');
  const { start, last, dcs } = c as Record<string, unknown>;
  for (const [name, v] of [['start', start], ['last', last]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) bad(`kerberos.coverage.${name}`, 'must be a time');
  }
  if (dcs === undefined) return;
  if (dcs === null || typeof dcs !== 'object' || Array.isArray(dcs)) bad('kerberos.coverage.dcs', 'must be an object');
  for (const [k, dc] of Object.entries(dcs as Record<string, unknown>)) {
    const d = dc as Record<string, unknown> | null;
    if (d === null || typeof d !== 'object' || typeof d['first'] !== 'number' || typeof d['last'] !== 'number') bad(`kerberos.coverage.dcs.${k}`, 'must be {"first": time, "last": time}');
  }
}

/** What a detector may read of the ledger: the engine alone feeds it. */
export type KerberosLedgerView = Pick<KerberosLedger, 'coverage' | 'hasTgtBetween' | 'knows' | 'tgtsOf' | 'etypesBefore'>;
