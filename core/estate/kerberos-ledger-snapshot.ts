import type { CoverageState } from './kerberos-coverage';
import { isDayBits, NO_DAYS } from '../state/day-bits';
import type { NumericTableSnapshot } from '../state/numeric-table';
import { MAX_ADDRESSES, STRIDE, IP, DC, RENEWED } from './tgt-lists';
import { StateInvalidError } from '../state/state-errors';
import { madeWhenRead } from '../state/made-when-read';

/**
 * The Kerberos ledger as saved (core/estate/kerberos-ledger.ts): the TGT half as interned
 * strings, a TGT address count per account and one flat list of numbers across all accounts
 * (a `number[]` per account was 6.9 MB of heap for 1.1 MB of JSON at 1 M / 100 k,
 * bench/heap-census.ts), the etype half as two columnar tables.
 * The TGT half's fields are all present or all absent (no TGT reader ever ran); so is `etypes`.
 * A saved half is checked whole before any of it is used: a bad one is an error naming its key.
 */
export interface KerberosLedgerSnapshot extends Partial<TicketsSnapshot> {
  readonly etypes?: EtypeDaysSnapshot;
}

export interface TicketsSnapshot {
  /** Interned addresses and DC names: id n is `strings[n - 1]`; 0 is "none". */
  readonly strings: readonly string[];
  readonly keys: readonly string[];
  /** Per key, how many TGT addresses of `tgts` are its own, in key order. */
  readonly tgtCounts: readonly number[];
  /** STRIDE numbers per TGT address, all keys' in turn: [ip id, time, dc id, etype, pre-auth, renewed]. */
  readonly tgts: readonly number[];
  readonly coverage: CoverageState;
}

export const TICKET_FIELDS = ['strings', 'keys', 'tgtCounts', 'tgts', 'coverage'] as const;

export function checkLedgerShape(saved: unknown, where: string): Record<string, unknown> {
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw new StateInvalidError(where, 'kerberos', 'must be an object');
  return saved as Record<string, unknown>;
}

/** Whether a saved ledger holds the TGT half (a ledger only overpass_the_hash fed holds none). */
export function hasTickets(s: Record<string, unknown>): boolean {
  return TICKET_FIELDS.some((f) => s[f] !== undefined);
}

/** A saved TGT half, checked whole, never cast. */
export function checkLedgerSnapshot(saved: unknown, where: string): TicketsSnapshot {
  const bad = (key: string, problem: string): never => {
    throw new StateInvalidError(where, key, problem);
  };
  const s = checkLedgerShape(saved, where);
  const { strings, keys, tgtCounts, tgts, coverage } = s;
  if (!Array.isArray(strings) || !strings.every((x) => typeof x === 'string') || new Set(strings).size !== strings.length) bad('kerberos.strings', 'must be distinct strings');
  if (!Array.isArray(keys) || !keys.every((x) => typeof x === 'string') || new Set(keys).size !== keys.length) bad('kerberos.keys', 'must be distinct strings');
  const nStrings = (strings as string[]).length;
  const nKeys = (keys as string[]).length;
  if (!Array.isArray(tgtCounts) || tgtCounts.length !== nKeys) bad('kerberos.tgtCounts', `must be ${nKeys} counts, one per key`);
  let total = 0;
  (tgtCounts as unknown[]).forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > MAX_ADDRESSES) bad(`kerberos.tgtCounts[${i}]`, `must be 1 to ${MAX_ADDRESSES} TGT addresses, is ${JSON.stringify(c)}`);
    total += c as number;
  });
  if (!Array.isArray(tgts) || tgts.length !== total * STRIDE) bad('kerberos.tgts', `must be ${total * STRIDE} numbers, ${STRIDE} per TGT address kerberos.tgtCounts counts`);
  const list = tgts as unknown[];
  for (let j = 0; j < list.length; j += STRIDE) {
    for (let k = j; k < j + STRIDE; k++) if (typeof list[k] !== 'number' || !Number.isFinite(list[k])) bad(`kerberos.tgts[${k}]`, 'must be a finite number');
    for (const slot of [IP, DC]) {
      const id = list[j + slot] as number;
      if (!Number.isInteger(id) || id < 0 || id > nStrings) bad(`kerberos.tgts[${j + slot}]`, `refers to string ${id}, the ledger has ${nStrings}`);
    }
    if (list[j + RENEWED] !== 0 && list[j + RENEWED] !== 1) bad(`kerberos.tgts[${j + RENEWED}]`, 'is a renewed flag that is not 0 or 1');
  }
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

/** The etype half as saved: times and days relative to each table's base. */
export interface EtypeDaysSnapshot {
  readonly accounts: EtypeTableSnapshot;
  /** Client address → history (a legacy application server gets RC4 for every account it serves). */
  readonly sources: EtypeTableSnapshot;
}

/**
 * One table of the etype half as saved: the NumericTable columns of firstSeen, lastSeen and the
 * two day sets (core/estate/kerberos-etype-days.ts), relative to the table's earliest firstSeen.
 * Absolute epoch milliseconds and day sets were 13–14 digits each, four per row, over 147 k rows
 * at 1 M events; relative they are mostly 6–10 (lastSeen after firstSeen is often 0).
 */
export interface EtypeTableSnapshot {
  /** The earliest firstSeen, epoch ms (0 for an empty table). */
  readonly base: number;
  readonly keys: readonly string[];
  /** Milliseconds after `base`. */
  readonly firstSeen: readonly number[];
  /** Milliseconds after the row's firstSeen. */
  readonly lastSeen: readonly number[];
  /** The day set minus (base's day × 2^31): 0 is still "no days" (core/state/day-bits.ts). */
  readonly aes: readonly number[];
  readonly rc4: readonly number[];
}

const DAY_MS = 86_400_000;
const DAY_SHIFT = 2 ** 31;

/** What `compactEtypeTable` reads of a table: its keys and one column's values, in the same (key) order. */
export interface EtypeTableSource {
  keys(): Iterable<string>;
  /** Nothing for a column the table does not have. */
  values(column: 'firstSeen' | 'lastSeen' | 'aes' | 'rc4'): Iterable<number>;
}

/** A NumericTable snapshot as a source (core/state/migrate-v4-kerberos.ts). */
export function snapshotSource(t: NumericTableSnapshot): EtypeTableSource {
  return { keys: () => t.keys, values: (column) => t.columns[column] ?? [] };
}

/**
 * The compact table, each column made when read (core/state/made-when-read.ts) by one walk of
 * its source column; only the base, which every column is relative to, is kept once made.
 */
export function compactEtypeTable(t: EtypeTableSource): EtypeTableSnapshot {
  let known: number | undefined;
  const base = (): number => {
    if (known !== undefined) return known;
    // A loop, not Math.min(...first): spreading 100 k arguments overflows the stack (10 M events).
    let min = Infinity;
    let any = false;
    for (const f of t.values('firstSeen')) {
      any = true;
      if (f < min) min = f;
    }
    return (known = any ? min : 0);
  };
  const days = (column: 'aes' | 'rc4') => (): number[] => {
    const shift = Math.floor(base() / DAY_MS) * DAY_SHIFT;
    return Array.from(t.values(column), (bits) => (bits === NO_DAYS ? NO_DAYS : bits - shift));
  };
  return madeWhenRead<EtypeTableSnapshot>({
    base,
    keys: () => [...t.keys()],
    firstSeen: () => {
      const b = base();
      return Array.from(t.values('firstSeen'), (f) => f - b);
    },
    lastSeen: () => {
      const first = t.values('firstSeen')[Symbol.iterator]();
      // A row past the end of firstSeen (a malformed migrated table) is NaN, as `l - undefined` made it.
      return Array.from(t.values('lastSeen'), (l) => l - (first.next().value as number));
    },
    aes: days('aes'),
    rc4: days('rc4'),
  });
}

/** A saved etype table, checked whole, as NumericTable columns; a bad one throws naming `path`. */
export function expandEtypeTable(saved: unknown, where: string, path: string): NumericTableSnapshot {
  const bad = (key: string, problem: string): never => {
    throw new StateInvalidError(where, `${path}${key}`, problem);
  };
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) bad('', 'must be {"base", "keys", "firstSeen", "lastSeen", "aes", "rc4"}');
  const s = saved as Record<string, unknown>;
  const base = s['base'];
  if (typeof base !== 'number' || !Number.isSafeInteger(base)) bad('.base', 'must be a time');
  const keys = s['keys'];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string') || new Set(keys).size !== keys.length) bad('.keys', 'must be distinct strings');
  const n = (keys as string[]).length;
  const column = (name: string): number[] => {
    const c = s[name];
    if (!Array.isArray(c) || c.length !== n || !c.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) bad(`.${name}`, `must be ${n} integers`);
    return c as number[];
  };
  const first = column('firstSeen').map((f) => f + (base as number));
  const last = column('lastSeen').map((l, i) => l + (first[i] as number));
  const shift = Math.floor((base as number) / DAY_MS) * DAY_SHIFT;
  const days = (name: string): number[] => column(name).map((v, i) => {
    const bits = v === NO_DAYS ? NO_DAYS : v + shift;
    return isDayBits(bits) ? bits : bad(`.${name}.${i}`, 'must be a day set relative to the base');
  });
  return { keys: keys as string[], columns: { lastSeen: last, firstSeen: first, aes: days('aes'), rc4: days('rc4') } };
}
