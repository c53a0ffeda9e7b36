import { accountKey } from '../events/fields';
import type { KerberosTgtRequest } from '../events/identity-event';
import { DAY } from '../events/time';
import { addDay, type DayBits } from '../state/day-bits';
import { EMPTY_TABLE } from '../state/numeric-table';
import { SlotTable } from '../state/slot-table';
import { StateInvalidError } from '../state/state-errors';
import { isAesEtype, isCrackableEtype, isKeyPreAuth } from './kerberos-etypes';
import { compactEtypeTable, expandEtypeTable, type EtypeDaysSnapshot, type EtypeTableSource } from './kerberos-ledger-snapshot';
import { madeWhenRead } from '../state/made-when-read';

export type { EtypeDaysSnapshot } from './kerberos-ledger-snapshot';

/**
 * The Kerberos ledger's etype half (issue 13, item 1): on which days each account, and each
 * client address, received AES TGTs and RC4/DES TGTs after key pre-authentication (4768).
 * overpass_the_hash judges an RC4 TGT against these baselines and used to learn them itself;
 * the ledger learns them once per event, before any detector runs, so the reader asks for the
 * history as it stood before the event (`before`). Rows are SlotTable rows (firstSeen and two
 * day bitsets, keys in a byte arena: core/state/slot-table.ts) and last for the state TTL: the baseline's window (30-day learning period,
 * 31-day day sets).
 */
export interface EtypeHistory {
  readonly firstSeen: number;
  readonly aes: DayBits;
  readonly rc4: DayBits;
}

export interface EtypesBefore {
  /** The account's history; firstSeen is this event's time when the account is new. */
  readonly account: EtypeHistory;
  /** The client address's history; undefined when the DC logged no address. */
  readonly source: EtypeHistory | undefined;
}


const COLUMNS = ['firstSeen', 'aes', 'rc4'] as const;
type HistoryTable = SlotTable<(typeof COLUMNS)[number]>;

export class EtypeDays {
  private readonly accounts: HistoryTable;
  private readonly sources: HistoryTable;
  /** The event learned last, and the history as it stood before it (what its readers judge on). */
  private last: KerberosTgtRequest | undefined;
  private lastBefore: EtypesBefore | undefined;
  private sweptUpTo = -Infinity;

  constructor(saved: unknown, where: string) {
    const days = saved === undefined ? undefined : checkShape(saved, where);
    const table = (name: 'accounts' | 'sources'): HistoryTable => {
      const columns = days ? expandEtypeTable(days[name], where, `kerberos.etypes.${name}`) : EMPTY_TABLE;
      return new SlotTable(COLUMNS, columns, `${where}: kerberos.etypes.${name}`);
    };
    this.accounts = table('accounts');
    this.sources = table('sources');
  }

  /**
   * Learns one TGT issue. Every successful issue with a logged etype keeps its account's row
   * alive; AES adds an AES day to the account and the address, RC4/DES after key pre-auth an
   * RC4 day (RC4 without key pre-auth, or with PKINIT, says nothing about the client's keys).
   */
  observe(ev: KerberosTgtRequest): void {
    this.last = undefined;
    if (ev.status !== 0 || ev.encryptionType === undefined) return;
    const day = Math.floor(ev.time / DAY);
    const account = rowOf(this.accounts, accountKey(ev.account), ev.time);
    const aes = isAesEtype(ev.encryptionType);
    if (!aes && !(isCrackableEtype(ev.encryptionType) && isKeyPreAuth(ev.preAuthType))) return;
    const source = ev.ip ? rowOf(this.sources, ev.ip, ev.time) : -1;
    this.last = ev;
    this.lastBefore = { account: view(this.accounts, account), source: source < 0 ? undefined : view(this.sources, source) };
    const column = aes ? 'aes' : 'rc4';
    this.accounts.set(account, column, addDay(this.accounts.get(account, column), day));
    if (source >= 0) this.sources.set(source, column, addDay(this.sources.get(source, column), day));
  }

  /** The account's and the address's history before `ev` (the event just learned, or one not learned). */
  before(ev: KerberosTgtRequest): EtypesBefore {
    if (ev === this.last && this.lastBefore) return this.lastBefore;
    const at = (table: HistoryTable, key: string): EtypeHistory => {
      const row = table.row(key);
      return row < 0 ? { firstSeen: ev.time, aes: 0, rc4: 0 } : view(table, row);
    };
    return { account: at(this.accounts, accountKey(ev.account)), source: ev.ip ? at(this.sources, ev.ip) : undefined };
  }

  /** Rows last seen before `before` go: one sweep per day of event time, as the detector did. */
  evictIdle(before: number): void {
    if (before < this.sweptUpTo + DAY) return;
    this.sweptUpTo = before;
    this.accounts.evictBefore(before);
    this.sources.evictBefore(before);
  }

  get size(): number {
    return this.accounts.size + this.sources.size;
  }

  /** Each table, and each of its columns, made when read (core/state/made-when-read.ts). */
  snapshot(): EtypeDaysSnapshot {
    const source = (t: HistoryTable): EtypeTableSource => ({ keys: () => t.keysInOrder(), values: (column) => t.valuesInOrder(column) });
    return madeWhenRead<EtypeDaysSnapshot>({ accounts: () => compactEtypeTable(source(this.accounts)), sources: () => compactEtypeTable(source(this.sources)) });
  }
}

/** Both tables are there; each is then checked whole by its restore. */
function checkShape(saved: unknown, where: string): EtypeDaysSnapshot {
  const s = saved as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object' || Array.isArray(s) || s['accounts'] === undefined || s['sources'] === undefined) {
    throw new StateInvalidError(where, 'kerberos.etypes', 'must be {"accounts": table, "sources": table}');
  }
  return s as unknown as EtypeDaysSnapshot;
}

/** The row of `key`, added when new (first seen now), seen at `time`. */
function rowOf(table: HistoryTable, key: string, time: number): number {
  const fresh = !table.has(key);
  const row = table.touch(key, time);
  if (fresh) table.set(row, 'firstSeen', time);
  return row;
}

function view(table: HistoryTable, row: number): EtypeHistory {
  return { firstSeen: table.get(row, 'firstSeen'), aes: table.get(row, 'aes'), rc4: table.get(row, 'rc4') };
}
