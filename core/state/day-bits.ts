import type { TableSpec } from './keyed-table';
import type { SavedReader } from './saved-value';

/**
 * A set of recent days (days since the epoch, UTC) in one number: the latest day times 2^31,
 * plus a 31-bit mask whose bit i is "seen on latest − i". Replaces arrays of day numbers in
 * per-account baselines (issue 13, item 2): one in-object number instead of an array of boxed
 * ones, and a JSON number in the snapshot. The window is 31 days, the longest any baseline
 * here counts over (learning periods and the state TTL are 30 days); an older day falls out.
 * 0 is the empty set (no mask bit set).
 */
export type DayBits = number;

export const NO_DAYS: DayBits = 0;
/** Days one set spans: bit 30 is the oldest. */
export const DAY_BITS_SPAN = 31;

const SHIFT = 2 ** 31;
const MASK = 0x7fffffff;

/** `bits` with `day` added; a day older than the span before the latest is dropped. */
export function addDay(bits: DayBits, day: number): DayBits {
  if (bits === NO_DAYS) return day * SHIFT + 1;
  const latest = latestDay(bits);
  let mask = bits % SHIFT;
  if (day > latest) {
    const shift = day - latest;
    mask = shift >= DAY_BITS_SPAN ? 1 : ((mask << shift) | 1) & MASK;
    return day * SHIFT + mask;
  }
  const offset = latest - day;
  if (offset >= DAY_BITS_SPAN) return bits;
  return latest * SHIFT + ((mask | (1 << offset)) & MASK);
}

/** Whether `day` is in the set. */
export function hasDay(bits: DayBits, day: number): boolean {
  if (bits === NO_DAYS) return false;
  const offset = latestDay(bits) - day;
  return offset >= 0 && offset < DAY_BITS_SPAN && ((bits % SHIFT) & (1 << offset)) !== 0;
}

/** How many days the set holds. */
export function dayCount(bits: DayBits): number {
  return popcount(bits % SHIFT);
}

/** How many of its days are before `day`. */
export function daysBefore(bits: DayBits, day: number): number {
  if (bits === NO_DAYS) return 0;
  const latest = latestDay(bits);
  if (day > latest) return dayCount(bits);
  const drop = latest - day + 1; // offsets 0 … latest − day are on or after `day`
  return drop >= DAY_BITS_SPAN ? 0 : popcount((bits % SHIFT) >>> drop);
}

/** The days of a set, oldest first (for descriptions and tests). */
export function daysOf(bits: DayBits): number[] {
  const out: number[] = [];
  if (bits === NO_DAYS) return out;
  const latest = latestDay(bits);
  const mask = bits % SHIFT;
  for (let offset = DAY_BITS_SPAN - 1; offset >= 0; offset--) if (mask & (1 << offset)) out.push(latest - offset);
  return out;
}

/** An array of day numbers (the version 1 state format) as a set. */
export function fromDays(days: readonly number[]): DayBits {
  let bits = NO_DAYS;
  for (const d of [...days].sort((a, b) => a - b)) bits = addDay(bits, d);
  return bits;
}

/** Whether a saved value is a well-formed set: a non-negative safe integer with a mask bit set, or 0. */
export function isDayBits(v: unknown): v is DayBits {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && (v === NO_DAYS || v % SHIFT !== 0);
}

/** A saved day set read through `read`: anything else throws naming `path`. */
export function readDayBits(v: unknown, read: SavedReader, path: string): DayBits {
  if (!isDayBits(v)) read.fail(path, `must be a day set (a non-negative integer), is ${JSON.stringify(v)}`);
  return v;
}

/** Every `field` of every record of a saved table is a day set, or this throws naming the first that is not. */
export function checkDayBitsIn(table: Readonly<Record<string, object>> | undefined, fields: readonly string[], where: string): void {
  for (const [key, record] of Object.entries(table ?? {})) {
    for (const f of fields) {
      const v = (record as Record<string, unknown>)[f];
      if (!isDayBits(v)) throw new Error(`${where}.${key}.${f} must be a day set (a non-negative integer), is ${JSON.stringify(v)}`);
    }
  }
}

function latestDay(bits: DayBits): number {
  return Math.floor(bits / SHIFT);
}

function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * A day set with how many distinct days were counted into it: a learning count ("seen on N
 * days") that must not fall back when a day leaves the set's 31-day span, as the capped arrays
 * of day numbers it replaces never did.
 */
export interface CountedDays {
  days: DayBits;
  dayCount: number;
}

/** Counts `day` into `row` once, while fewer than `cap` days are counted. */
export function countDay(row: CountedDays, day: number, cap: number): void {
  if (hasDay(row.days, day) || row.dayCount >= cap) return;
  row.days = addDay(row.days, day);
  row.dayCount++;
}

/** The spec of a table of counted days and when each row was last seen, saved as `[lastSeen, days, dayCount]`, for the state TTL. */
export function countedDaysTable(name: string): TableSpec<CountedDays & { lastSeen: number }> {
  return {
    name,
    lastSeen: (row) => row.lastSeen,
    encode: (row) => [row.lastSeen, row.days, row.dayCount],
    decode(v, read, path) {
      const [lastSeen, days, dayCount] = read.tuple(v, path, 3);
      return { lastSeen: read.number(lastSeen, `${path}.0`), days: readDayBits(days, read, `${path}.1`), dayCount: read.count(dayCount, `${path}.2`) };
    },
  };
}
