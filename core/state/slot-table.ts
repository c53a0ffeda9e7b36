import { KeySlots } from './key-slots';
import { checkNumericSnapshot, grownColumns, type NumericTableSnapshot } from './numeric-table';

/**
 * NumericTable's rows (core/state/numeric-table.ts) with the keys in KeySlots (core/state/key-slots.ts)
 * instead of a Map: a row is its key's slot, each column a Float64Array indexed by slot. For the
 * tables of 100 k accounts and addresses (the Kerberos ledger's etype days, kerberoasting's
 * devices) the Map's entries and key strings were most of their heap. Same API and snapshot as
 * NumericTable, so a table moves between the two without a state migration; the snapshot lists
 * keys in slot order.
 */
export class SlotTable<C extends string> {
  private readonly keys = new KeySlots();
  private columns: Float64Array[];
  private readonly index: Readonly<Record<C | 'lastSeen', number>>;

  constructor(readonly names: readonly C[], saved?: NumericTableSnapshot, where = 'a table') {
    const all = ['lastSeen', ...names] as const;
    this.index = Object.fromEntries(all.map((n, i) => [n, i])) as Record<C | 'lastSeen', number>;
    this.columns = all.map(() => new Float64Array(this.keys.capacity));
    if (saved !== undefined) this.restore(saved, all, where);
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.find(key) >= 0;
  }

  /** The row of `key`, or -1. A row stays its key's until the key is deleted or evicted. */
  row(key: string): number {
    return this.keys.find(key);
  }

  /** The row of `key`, added with every column 0 when new; its lastSeen becomes `time`. */
  touch(key: string, time: number): number {
    let r = this.keys.find(key);
    if (r < 0) {
      r = this.keys.add(key);
      this.fit();
      for (const c of this.columns) c[r] = 0;
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
    const r = this.keys.find(key);
    if (r >= 0) this.keys.delete(r);
  }

  /** Drops every row last seen before `before`. */
  evictBefore(before: number): void {
    const seen = this.columns[0] as Float64Array;
    for (const r of [...this.keys.slots()]) if ((seen[r] as number) < before) this.keys.delete(r);
  }

  snapshot(): NumericTableSnapshot {
    const rows = [...this.keys.slots()];
    const columns: Record<string, number[]> = {};
    for (const [name, i] of Object.entries(this.index) as [string, number][]) {
      const col = this.columns[i] as Float64Array;
      columns[name] = rows.map((r) => col[r] as number);
    }
    return { keys: rows.map((r) => this.keys.key(r)), columns };
  }

  /** The keys in the snapshot's order, one at a time. */
  *keysInOrder(): IterableIterator<string> {
    for (const r of this.keys.slots()) yield this.keys.key(r);
  }

  /** One column's values in the snapshot's order, one at a time (a writer making one column at a time, core/estate/kerberos-ledger-snapshot.ts). */
  *valuesInOrder(column: C | 'lastSeen'): IterableIterator<number> {
    const col = this.columns[this.index[column]] as Float64Array;
    for (const r of this.keys.slots()) yield col[r] as number;
  }

  /** The columns hold a slot for every slot the keys can hand out. */
  private fit(): void {
    const n = this.keys.capacity;
    if ((this.columns[0] as Float64Array).length >= n) return;
    this.columns = grownColumns(this.columns, n);
  }

  /** Checked whole before any of it is used, as NumericTable's: a bad one is an error, never a cast. */
  private restore(saved: NumericTableSnapshot, all: readonly string[], where: string): void {
    checkNumericSnapshot(saved, all, where);
    const { keys, columns } = saved;
    keys.forEach((k, i) => {
      const r = this.keys.add(k);
      this.fit();
      all.forEach((name, c) => ((this.columns[c] as Float64Array)[r] = (columns[name] as readonly number[])[i] as number));
    });
  }
}
