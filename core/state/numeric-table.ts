import { copiedInto, grownLength } from './growth';
import { StateInvalidError } from './state-errors';

/**
 * A keyed table of numeric rows in typed-array columns (issue 13, item 2): one Map entry from
 * key to row, and one float64 slot per column, instead of an object per entity whose numbers
 * V8 boxes one by one. Per-account baselines over 100 k accounts are most of the engine's
 * memory; an object of four numbers costs some 150 bytes on the heap, a row here 8 per column.
 * The `lastSeen` column drives eviction: a table's horizon is its own, passed by the owner.
 */
export class NumericTable<C extends string> {
  private readonly rows = new Map<string, number>();
  private readonly free: number[] = [];
  private columns: Float64Array[];
  private capacity: number;
  private readonly index: Readonly<Record<C | 'lastSeen', number>>;

  constructor(readonly names: readonly C[], saved?: NumericTableSnapshot, where = 'a table') {
    const all = ['lastSeen', ...names] as const;
    this.index = Object.fromEntries(all.map((n, i) => [n, i])) as Record<C | 'lastSeen', number>;
    this.capacity = 64;
    this.columns = all.map(() => new Float64Array(this.capacity));
    if (saved !== undefined) this.restore(saved, all, where);
  }

  get size(): number {
    return this.rows.size;
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  /** The row of `key`, or -1. Rows move only on `evictBefore`: do not hold one across it. */
  row(key: string): number {
    return this.rows.get(key) ?? -1;
  }

  /** The row of `key`, added with every column 0 when new; its lastSeen becomes `time`. */
  touch(key: string, time: number): number {
    let r = this.rows.get(key);
    if (r === undefined) {
      r = this.free.pop() ?? this.rows.size;
      if (r >= this.capacity) this.grow();
      for (const c of this.columns) c[r] = 0;
      this.rows.set(key, r);
    }
    (this.columns[0] as Float64Array)[r] = time;
    return r;
  }

  get(row: number, column: C | 'lastSeen'): number {
    return (this.columns[this.index[column]] as Float64Array)[row] as number;
  }

  set(row: number, column: C, value: number): void {
    (this.columns[this.index[column]] as Float64Array)[row] = value;
  }

  delete(key: string): void {
    const r = this.rows.get(key);
    if (r === undefined) return;
    this.rows.delete(key);
    this.free.push(r);
  }

  /** Drops every row last seen before `before`. */
  evictBefore(before: number): void {
    const seen = this.columns[0] as Float64Array;
    for (const [key, r] of this.rows) {
      if ((seen[r] as number) < before) {
        this.rows.delete(key);
        this.free.push(r);
      }
    }
  }

  /** Columnar and compact: keys once, then one array of numbers per column, in key order. */
  snapshot(): NumericTableSnapshot {
    const keys = [...this.rows.keys()];
    const columns: Record<string, number[]> = {};
    for (const [name, i] of Object.entries(this.index) as [string, number][]) {
      const col = this.columns[i] as Float64Array;
      columns[name] = keys.map((k) => col[this.rows.get(k) as number] as number);
    }
    return { keys, columns };
  }

  private grow(): void {
    this.capacity = grownLength(this.capacity);
    this.columns = grownColumns(this.columns, this.capacity);
  }

  /** A saved table is checked whole before any of it is used: a bad one is an error, never a cast. */
  private restore(saved: NumericTableSnapshot, all: readonly string[], where: string): void {
    checkNumericSnapshot(saved, all, where);
    const { keys, columns } = saved;
    while (this.capacity < keys.length) this.capacity = grownLength(this.capacity);
    this.columns = all.map((name) => {
      const c = new Float64Array(this.capacity);
      c.set(columns[name] ?? []);
      return c;
    });
    keys.forEach((k, i) => this.rows.set(k, i));
  }
}

/**
 * A saved numeric table checked whole (distinct string keys, every column `all` names of one
 * finite number per key), for NumericTable's and SlotTable's restores: a bad one throws naming
 * the column, never a cast.
 */
export function checkNumericSnapshot(saved: NumericTableSnapshot, all: readonly string[], where: string): void {
  if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.keys) || saved.columns === null || typeof saved.columns !== 'object') {
    throw new StateInvalidError(where, '(table)', 'must be {"keys": [...], "columns": {...}}');
  }
  const { keys, columns } = saved;
  if (!keys.every((k) => typeof k === 'string') || new Set(keys).size !== keys.length) throw new StateInvalidError(where, 'keys', 'must be distinct strings');
  for (const name of all) {
    const col = columns[name] ?? (keys.length === 0 ? [] : undefined);
    if (!Array.isArray(col) || col.length !== keys.length || !col.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new StateInvalidError(where, `columns.${name}`, `must be ${keys.length} finite numbers`);
    }
  }
}

/** Each column copied into one of `n` slots. */
export function grownColumns(columns: readonly Float64Array[], n: number): Float64Array[] {
  return columns.map((old) => copiedInto(old, new Float64Array(n)));
}

/** A table with no rows, as a fresh detector's state holds it. */
export const EMPTY_TABLE: NumericTableSnapshot = { keys: [], columns: {} };

export interface NumericTableSnapshot {
  readonly keys: readonly string[];
  readonly columns: Readonly<Record<string, readonly number[]>>;
}
