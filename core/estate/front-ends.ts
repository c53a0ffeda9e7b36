import Ajv from 'ajv';
import { compileAddresses, isAddressOrCidr, type AddressMatcher } from '../config/cidr';
import { sectionError } from '../config/section-error';
import { hostKey } from '../events/fields';
import { DAY } from '../events/time';
import { StateInvalidError } from '../state/state-errors';
import { AccountsToday, fnv1a } from './accounts-today';
import { copiedInto, grownLength } from '../state/growth';
import { madeWhenRead } from '../state/made-when-read';
import { KeySlots } from '../state/key-slots';

/**
 * Front-ends: hosts many identities authenticate *through* — Exchange/OWA, AD FS and its Web
 * Application Proxy, VPN concentrators, RDS/VDI gateways, NAT. Every user's typo behind one
 * of them reaches the DC from the front-end's address (4771) or name (4776), so "many
 * accounts failing from one source" is their normal day, not a spray (issue 15).
 *
 * Known two ways:
 * - configured: `frontEnds`, host names (short or FQDN), addresses or CIDR ranges;
 * - learned from their own traffic: a source through which at least
 *   `LEARN_MIN_IDENTITIES` (30) distinct accounts authenticated successfully in one day, on
 *   at least `LEARN_MIN_DAYS` (2) days. A workstation sees one to three people a day, a
 *   jump or file-share client a handful; 30 separates a shared entry point from a shared PC
 *   with room to spare, and two days keep one busy afternoon (a migration, a training room)
 *   from teaching it. A spray's successes are few (the one password that worked), so a
 *   sprayer does not learn itself as a front-end.
 */
export const LEARN_MIN_IDENTITIES = 30;
export const LEARN_MIN_DAYS = 2;
const MAX_SOURCES = 100_000;

export interface FrontEndView {
  /** Whether the source (address, or host name) is a configured or learned front-end. */
  isFrontEnd(source: { readonly ip?: string; readonly name?: string }): boolean;
}

/**
 * Sources on their way to being learned, compact (issue 13): `keys` in row order; per key in
 * `rows` its day, its two latest bar days (-1: none; the rule reads only those two) and how
 * many accounts it saw today; `accounts` those accounts' 32-bit FNV-1a hashes, key after key.
 */
export interface FrontEndsSnapshot {
  readonly keys: readonly string[];
  readonly rows: readonly number[];
  readonly accounts: readonly number[];
}

const FIELDS = 4;
const FIELD_NAMES = ['day', 'barDayBefore', 'barDay', 'accountsToday'] as const;
const NO_DAY = -1;

export class FrontEnds implements FrontEndView {
  private readonly names: ReadonlySet<string>;
  private readonly ranges: AddressMatcher;
  /**
   * Source → row. A KeySlots (core/state/key-slots.ts), not a Map: at 10 M events over 100 k
   * accounts the Map's table was 7 MB and its 88 k address and name strings 3 MB of V8 heap,
   * the largest single object of a pass (issue 13, bench/heap-snapshot-groups.ts).
   */
  private readonly sources = new KeySlots();
  private day = new Int32Array(64);
  /** The two latest days on which the source reached the bar, the older first. */
  private barBefore = new Int32Array(64);
  private bar = new Int32Array(64);
  private todayCount = new Uint8Array(64);
  /** Distinct accounts seen today, per source, as hashes (core/estate/accounts-today.ts). */
  private readonly today = new AccountsToday();

  constructor(configured: readonly string[], saved?: FrontEndsSnapshot, where = 'directory.frontEnds') {
    this.names = new Set(configured.filter((e) => !isAddressOrCidr(e)).map(hostKey));
    this.ranges = compileAddresses(configured.filter(isAddressOrCidr));
    if (saved !== undefined) this.restore(saved, where);
  }

  /** One successful authentication of `account` through `source` (its address, else its name key). */
  observeSuccess(source: string, account: string, time: number): void {
    this.observeHash(source, fnv1a(account), time);
  }

  isFrontEnd(source: { readonly ip?: string; readonly name?: string }): boolean {
    if (source.ip !== undefined && (this.ranges.matches(source.ip) || this.isLearned(source.ip))) return true;
    return source.name !== undefined && (this.names.has(hostKey(source.name)) || this.isLearned(hostKey(source.name)));
  }

  evictIdle(before: number): void {
    const day = Math.floor(before / DAY);
    for (const r of [...this.sources.slots()]) if ((this.day[r] as number) < day) this.release(r);
  }

  /** Each column made when read (core/state/made-when-read.ts), by its own walk of the sources in row order. */
  snapshot(): FrontEndsSnapshot {
    // Every source, however few accounts so far: a scheduled pass every few minutes sees a
    // front-end's day a handful of sign-ins at a time.
    return madeWhenRead<FrontEndsSnapshot>({
      keys: () => [...this.sources.slots()].map((r) => this.sources.key(r)),
      rows: () => {
        const rows: number[] = [];
        for (const r of this.sources.slots()) rows.push(this.day[r] as number, this.barBefore[r] as number, this.bar[r] as number, this.todayCount[r] as number);
        return rows;
      },
      accounts: () => this.accountsColumn(),
    });
  }

  /** Every source's accounts today (hashes), source after source, sorted within each. */
  private accountsColumn(): number[] {
    // Where each row's accounts start in the column, filled in one walk of the set.
    const next = new Int32Array(this.day.length);
    let total = 0;
    for (const r of this.sources.slots()) {
      next[r] = total;
      total += this.todayCount[r] as number;
    }
    const accounts = new Array<number>(total);
    const start = next.slice();
    this.today.forEach((r, hash) => {
      const at = next[r] as number;
      next[r] = at + 1;
      accounts[at] = hash;
    });
    // Sorted within a source: the set's layout depends on insertion order, the snapshot must not.
    for (const r of this.sources.slots()) sortRange(accounts, start[r] as number, next[r] as number);
    return accounts;
  }

  private observeHash(source: string, hash: number, time: number): void {
    const day = Math.floor(time / DAY);
    let r = this.sources.find(source);
    if (r < 0) {
      if (this.sources.size >= MAX_SOURCES) this.dropOldest();
      r = this.addRow(source, day);
    }
    if (this.day[r] !== day) this.startDay(r, day);
    if (this.barBefore[r] === day || this.bar[r] === day) return;
    if (!this.today.add(r, hash)) return;
    const count = (this.todayCount[r] as number) + 1;
    if (count < LEARN_MIN_IDENTITIES) {
      this.todayCount[r] = count;
      return;
    }
    this.startDay(r, day);
    this.barBefore[r] = this.bar[r] as number;
    this.bar[r] = day;
  }

  private isLearned(key: string): boolean {
    const r = this.sources.find(key);
    // Two bar days kept means LEARN_MIN_DAYS (2) reached.
    return r >= 0 && this.barBefore[r] !== NO_DAY;
  }

  private addRow(source: string, day: number): number {
    const r = this.sources.add(source);
    if (r >= this.day.length) this.grow();
    this.barBefore[r] = NO_DAY;
    this.bar[r] = NO_DAY;
    this.startDay(r, day);
    return r;
  }

  /** A new day for the row: its accounts so far are let go. */
  private startDay(r: number, day: number): void {
    this.day[r] = day;
    this.todayCount[r] = 0;
    this.today.clear(r);
  }

  private release(r: number): void {
    this.sources.delete(r);
    this.today.clear(r);
  }

  /**
   * A tenth of the bound goes, the sources last seen longest ago first (a learned front-end is
   * worth its row and stays). By the day last seen rather than by arrival, as the Map's order
   * gave: a source that arrived early and is busy today is the last one to drop.
   */
  private dropOldest(): void {
    const unlearned = [...this.sources.slots()].filter((r) => this.barBefore[r] === NO_DAY);
    unlearned.sort((a, b) => (this.day[a] as number) - (this.day[b] as number) || a - b);
    for (const r of unlearned.slice(0, MAX_SOURCES / 10)) this.release(r);
  }

  private grow(): void {
    const n = Math.max(grownLength(this.day.length), this.sources.capacity);
    this.day = copiedInto(this.day, new Int32Array(n));
    this.barBefore = copiedInto(this.barBefore, new Int32Array(n));
    this.bar = copiedInto(this.bar, new Int32Array(n));
    this.todayCount = copiedInto(this.todayCount, new Uint8Array(n));
  }

  /** A saved table is checked whole before any of it is used: a bad one is an error, never a cast. */
  private restore(saved: FrontEndsSnapshot, where: string): void {
    if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.keys) || !Array.isArray(saved.rows) || !Array.isArray(saved.accounts)) {
      throw new StateInvalidError(where, where, 'must be {"keys": [...], "rows": [...], "accounts": [...]}');
    }
    const { keys, rows, accounts } = saved;
    if (rows.length !== keys.length * FIELDS) throw new StateInvalidError(where, `${where}.rows`, `must hold ${FIELDS} numbers per key (${FIELD_NAMES.join(', ')})`);
    const isDay = (v: unknown, none: boolean): boolean => Number.isInteger(v) && ((v as number) >= 0 || (none && v === NO_DAY)) && (v as number) < 2 ** 31;
    let used = 0;
    keys.forEach((k, i) => {
      const bad = (field: string, problem: string): never => { throw new StateInvalidError(where, `${where}.${field}`, problem); };
      if (typeof k !== 'string') bad(`keys[${i}]`, 'must be a string');
      if (this.sources.find(k) >= 0) bad(`keys[${i}]`, `repeats ${JSON.stringify(k)}`);
      const [day, before, bar, count] = rows.slice(i * FIELDS, i * FIELDS + FIELDS);
      const field = (f: typeof FIELD_NAMES[number]): string => `rows[${i * FIELDS + FIELD_NAMES.indexOf(f)}]`;
      if (!isDay(day, false)) bad(field('day'), `(day of ${k}) must be a day number`);
      if (!isDay(before, true)) bad(field('barDayBefore'), `(barDayBefore of ${k}) must be a day number, -1 when none`);
      if (!isDay(bar, true) || (bar === NO_DAY && before !== NO_DAY)) bad(field('barDay'), `(barDay of ${k}) must be a day number, -1 only when barDayBefore is too`);
      if (!Number.isInteger(count) || (count as number) < 0 || (count as number) >= LEARN_MIN_IDENTITIES) bad(field('accountsToday'), `(accountsToday of ${k}) must be an integer from 0 to ${LEARN_MIN_IDENTITIES - 1}`);
      const r = this.addRow(k, day as number);
      this.barBefore[r] = before as number;
      this.bar[r] = bar as number;
      for (let a = used; a < used + (count as number); a++) {
        const hash = accounts[a];
        if (!Number.isInteger(hash) || (hash as number) < 0 || (hash as number) > 0xffffffff) bad(`accounts[${a}]`, `(an account of ${k}) must be a 32-bit unsigned hash`);
        if (!this.today.add(r, hash as number)) bad(`accounts[${a}]`, `(an account of ${k}) repeats one before it`);
      }
      this.todayCount[r] = count as number;
      used += count as number;
    });
    if (used !== accounts.length) throw new StateInvalidError(where, `${where}.accounts`, `must hold the ${used} accounts the rows count`);
  }
}

const schema = { type: 'array', items: { type: 'string', format: 'front-end' } };
let validator: ReturnType<Ajv['compile']> | undefined;

/** A front-end entry: an address or CIDR range, or a host name (letters, digits, dots, hyphens). */
function isFrontEndEntry(entry: string): boolean {
  return isAddressOrCidr(entry) || /^[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*$/.test(entry);
}

/** Validates `frontEnds`; a bad entry names its index and what was expected. */
export function resolveFrontEnds(raw: unknown): readonly string[] {
  if (raw === undefined) return [];
  validator ??= new Ajv({ allErrors: false, strict: true }).addFormat('front-end', { type: 'string', validate: isFrontEndEntry }).compile(schema);
  if (!validator(raw)) {
    const e = validator.errors?.[0];
    if (e?.keyword === 'format') throw sectionError('frontEnds', { ...e, params: { format: 'host name, IP address or CIDR range (e.g. adfs01, mail.corp.example, 203.0.113.0/28)' } });
    throw sectionError('frontEnds', e);
  }
  return raw as readonly string[];
}

function sortRange(a: number[], from: number, to: number): void {
  if (to - from < 2) return;
  const sorted = a.slice(from, to).sort((x, y) => x - y);
  for (let i = from; i < to; i++) a[i] = sorted[i - from] as number;
}
