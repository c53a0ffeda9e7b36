import { KerberosCoverage, type CoverageState } from './kerberos-coverage';
import { EtypeDays, type EtypesBefore } from './kerberos-etype-days';
import { checkLedgerShape, checkLedgerSnapshot, hasTickets, TICKET_FIELDS, type KerberosLedgerSnapshot } from './kerberos-ledger-snapshot';
import { DC, ETYPE, IP, PREAUTH, RENEWED, STRIDE, TgtLists, TIME } from './tgt-lists';
import { accountKey, hostKey, isLoopback } from '../events/fields';
import type { IdentityEvent, KerberosTgtRequest } from '../events/identity-event';
import { DAY, HOUR } from '../events/time';
import { madeWhenRead } from '../state/made-when-read';

export { checkLedgerSnapshot, type KerberosLedgerSnapshot, type TicketsSnapshot } from './kerberos-ledger-snapshot';
export { MAX_ADDRESSES } from './tgt-lists';

/**
 * One Kerberos ledger (issue 13, item 1): the TGTs the domain controllers issued (4768) and
 * renewed (4770) per account, and how long their Kerberos stream has been unbroken. Learned
 * once per event by the engine before any detector runs; golden_ticket ("no DC issued a TGT")
 * and pass_the_ticket ("the TGT went to another address") read it and keep only their verdicts.
 * Before it, each kept its own TGT table and its own identical coverage tracker.
 *
 * Compact: accounts, addresses and DC names in byte arenas, each TGT address one row of typed
 * arrays (core/estate/tgt-lists.ts), at most MAX_ADDRESSES addresses per account.
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

export class KerberosLedger {
  private readonly tgts = new TgtLists();
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
    this.etypes = options.etypes ? new EtypeDays(raw?.['etypes'] ?? undefined, where) : undefined;
    this.coverageState = restored ? structuredClone(restored.coverage) as CoverageState : {};
    this.tracker = new KerberosCoverage(this.coverageState, options.tickets?.coverageGapMs ?? Infinity);
    if (restored) {
      const str = (id: number): string | undefined => (id === 0 ? undefined : restored.strings[id - 1]);
      const a = restored.tgts;
      let j = 0;
      restored.keys.forEach((k, i) => {
        for (const end = j + (restored.tgtCounts[i] as number) * STRIDE; j < end; j += STRIDE) {
          this.tgts.record(k, str(a[j + IP] as number), a[j + TIME] as number, str(a[j + DC] as number) ?? '', a[j + ETYPE] as number, a[j + PREAUTH] as number, a[j + RENEWED] === 1);
        }
      });
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
    return this.tgts.hasRowBetween(key, from, to);
  }

  /** Whether a DC issued or renewed a TGT for `key` to address `ip` from `from` to `to` (inclusive). */
  hasTgtAt(key: string, ip: string, from: number, to: number): boolean {
    return this.tgts.hasRowBetween(key, from, to, ip);
  }

  /** Whether a TGT of `key` went to an address within [from, to] (one that passes `test`, when given). */
  hasAddressBetween(key: string, from: number, to: number, test?: (ip: string) => boolean): boolean {
    return this.tgts.hasAddressBetween(key, from, to, test);
  }

  /**
   * The addresses `key`'s TGTs went to from `from` to `to` (inclusive), with the latest issue or
   * renewal to each, oldest address first; issues the DC logged no address for cannot be compared.
   */
  addressesBetween(key: string, from: number, to: number): { readonly ip: string; readonly time: number }[] {
    const out: { ip: string; time: number }[] = [];
    this.tgts.some(key, (r) => {
      if (r.ip !== 0 && r.time >= from && r.time <= to) out.push({ ip: this.tgts.stringOf(r.ip) as string, time: r.time });
      return false;
    });
    return out;
  }

  /** Whether the ledger holds any TGT address for `key`. */
  knows(key: string): boolean {
    return this.tgts.has(key);
  }

  /** The TGT addresses of `key`, latest issue or renewal per address, oldest address first. */
  tgtsOf(key: string): TgtEntry[] {
    const out: TgtEntry[] = [];
    this.tgts.some(key, (r) => {
      out.push({ ip: this.tgts.stringOf(r.ip), time: r.time, dc: this.tgts.stringOf(r.dc) ?? '', etype: r.etype, preAuthType: r.preAuthType, renewed: r.renewed });
      return false;
    });
    return out;
  }

  get size(): number {
    return this.tgts.size;
  }

  /**
   * TGTs older than the horizon before `watermark` go (one sweep per hour of event time), DCs
   * silent since `before` leave the coverage tracker (one sweep per day); the etype days go
   * past the state TTL (one sweep per day).
   */
  evictIdle(before: number, watermark: number): void {
    this.etypes?.evictIdle(before);
    if (!this.tickets) return;
    const horizon = watermark - this.tickets.horizonMs;
    if (horizon >= this.tgtsSweptUpTo + HOUR) {
      this.tgtsSweptUpTo = horizon;
      this.tgts.dropBefore(horizon);
    }
    if (before >= this.coverageSweptUpTo + DAY) {
      this.coverageSweptUpTo = before;
      this.tracker.evictIdle(before);
    }
  }

  /**
   * Each column made when read (core/state/made-when-read.ts), in the order of the saved
   * halves it replaces. Only the strings still referenced are written, numbered in order of
   * first use.
   */
  snapshot(): KerberosLedgerSnapshot {
    const makers: Record<string, () => unknown> = {};
    for (const [k, v] of Object.entries(this.carried)) makers[k] = () => v;
    if (this.tickets) {
      Object.assign(makers, {
        strings: () => this.renumberedTgts(),
        keys: () => Array.from(this.tgts.entries(), ([k]) => k),
        tgtCounts: () => Array.from(this.tgts.entries(), ([, rows]) => rows.length),
        tgts: () => {
          const tgts: number[] = [];
          this.renumberedTgts(tgts);
          return tgts;
        },
        coverage: () => structuredClone(this.coverageState),
      });
    }
    const etypes = this.etypes;
    if (etypes) makers['etypes'] = () => etypes.snapshot();
    return madeWhenRead(makers) as KerberosLedgerSnapshot;
  }

  /** The strings the TGT rows name, numbered in order of first use; the rows, so numbered, pushed to `tgts` when given. */
  private renumberedTgts(tgts?: number[]): string[] {
    const strings: string[] = [];
    const renumber = new Map<number, number>();
    const id = (old: number): number => {
      if (old === 0) return 0;
      let n = renumber.get(old);
      if (n === undefined) {
        strings.push(this.tgts.stringOf(old) as string);
        n = strings.length;
        renumber.set(old, n);
      }
      return n;
    };
    for (const [, rows] of this.tgts.entries()) {
      for (const r of rows) {
        const ip = id(r.ip);
        const dc = id(r.dc);
        tgts?.push(ip, r.time, dc, r.etype, r.preAuthType, r.renewed ? 1 : 0);
      }
    }
    return strings;
  }

  private record(key: string, rawIp: string | undefined, time: number, dc: string, etype: number, preAuth: number, renewed: boolean): void {
    this.tgts.record(key, rawIp && !isLoopback(rawIp) ? rawIp : undefined, time, hostKey(dc), etype, preAuth, renewed);
  }
}

/** What a detector may read of the ledger: the engine alone feeds it. */
export type KerberosLedgerView = Pick<KerberosLedger, 'coverage' | 'hasTgtBetween' | 'hasTgtAt' | 'hasAddressBetween' | 'addressesBetween' | 'knows' | 'tgtsOf' | 'etypesBefore'>;
