import { SavedReader } from './saved-value';

/**
 * A detector's keyed state (issue 13, item 2): key → row, with the row's own horizon. Each
 * detector declares its tables — a correlation window that lives for its window, a learned
 * baseline that lives for the state TTL — and the table evicts, snapshots and restores them,
 * which seven detectors used to hand-write. A snapshot is `{keys, rows}` with each row in the
 * codec's compact form (a tuple); restore reads every row through the codec, so a bad one
 * throws StateInvalidError naming `<table>.rows.<i>` instead of being cast.
 */
export interface TableSpec<R> {
  /** The table's name in the snapshot and in errors. */
  readonly name: string;
  /** How long an untouched row lives past the watermark; none: the state TTL (a learned baseline). */
  readonly horizonMs?: number;
  /** When the row was last touched: `evictBefore` drops the rows older than the horizon. */
  lastSeen(row: R): number;
  /** The row as compact JSON. */
  encode(row: R): unknown;
  /** A saved row, checked whole: it throws through `read` naming `path`. */
  decode(saved: unknown, read: SavedReader, path: string): R;
}

export interface KeyedTableSnapshot {
  readonly keys: readonly string[];
  readonly rows: readonly unknown[];
}

export class KeyedTable<R> {
  private readonly map = new Map<string, R>();

  constructor(private readonly spec: TableSpec<R>, saved?: unknown, read?: SavedReader) {
    if (saved === undefined) return;
    const r: SavedReader = read ?? new SavedReader('a table');
    const t = r.record(saved, spec.name);
    const keys = t['keys'];
    const rows = t['rows'];
    if (!Array.isArray(keys) || !Array.isArray(rows) || keys.length !== rows.length) r.fail(spec.name, 'must be {"keys": [...], "rows": [...]} of one length');
    keys.forEach((k, i) => {
      const key = r.string(k, `${spec.name}.keys.${i}`);
      if (this.map.has(key)) r.fail(`${spec.name}.keys.${i}`, `repeats ${JSON.stringify(key)}`);
      this.map.set(key, spec.decode(rows[i], r, `${spec.name}.rows.${i}`));
    });
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): R | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, row: R): void {
    this.map.set(key, row);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  values(): IterableIterator<R> {
    return this.map.values();
  }

  entries(): IterableIterator<[string, R]> {
    return this.map.entries();
  }

  /** Re-inserts `key` last, so the table's order stays last-touch order (what `capTo` drops by). */
  touch(key: string, row: R): void {
    this.map.delete(key);
    this.map.set(key, row);
  }

  /** Drops the rows inserted (or touched) longest ago until at most `max` remain. */
  capTo(max: number): void {
    for (const k of this.map.keys()) {
      if (this.map.size <= max) break;
      this.map.delete(k);
    }
  }

  /**
   * Drops the rows idle past this table's horizon: last seen before `before` (the watermark
   * minus the state TTL), or, for a table with a shorter horizon, before `watermark − horizon`.
   */
  evict(before: number, watermark = before): void {
    const cut = this.spec.horizonMs === undefined ? before : Math.max(before, watermark - this.spec.horizonMs);
    for (const [k, row] of this.map) if (this.spec.lastSeen(row) < cut) this.map.delete(k);
  }

  snapshot(): KeyedTableSnapshot {
    const keys: string[] = [];
    const rows: unknown[] = [];
    for (const [k, row] of this.map) {
      keys.push(k);
      rows.push(this.spec.encode(row));
    }
    return { keys, rows };
  }
}

/** The row of `key` in `table`, made by `fresh` when new; either way its lastSeen becomes `time`. */
export function rowAt<R extends { lastSeen: number }>(table: KeyedTable<R>, key: string, time: number, fresh: () => R): R {
  let row = table.get(key);
  if (row === undefined) {
    row = fresh();
    table.set(key, row);
  }
  row.lastSeen = time;
  return row;
}

/**
 * The spec of a table whose row is one value and when it was last seen (`{lastSeen, [field]}`),
 * saved as `[lastSeen, value]`: a day set, a list of names, an address. `read` checks the saved
 * value; `write` makes it, when the value is not JSON as it is (a Map).
 */
export function valueTable<K extends string, V>(
  name: string, field: K,
  codec: { readonly read: (v: unknown, read: SavedReader, path: string) => V; readonly write?: (value: V) => unknown; readonly horizonMs?: number },
): TableSpec<{ lastSeen: number } & Record<K, V>> {
  const write = codec.write ?? ((value: V): unknown => value);
  return {
    name,
    ...(codec.horizonMs !== undefined ? { horizonMs: codec.horizonMs } : {}),
    lastSeen: (row) => row.lastSeen,
    encode: (row) => [row.lastSeen, write(row[field])],
    decode(v, read, path) {
      const [lastSeen, value] = read.tuple(v, path, 2);
      return { lastSeen: read.number(lastSeen, `${path}.0`), [field]: codec.read(value, read, `${path}.1`) } as { lastSeen: number } & Record<K, V>;
    },
  };
}

/** The spec of a table that only remembers when each key was last seen, saved as that number. */
export function seenTable(name: string, horizonMs?: number): TableSpec<{ lastSeen: number }> {
  return {
    name,
    ...(horizonMs !== undefined ? { horizonMs } : {}),
    lastSeen: (row) => row.lastSeen,
    encode: (row) => row.lastSeen,
    decode: (v, read, path) => ({ lastSeen: read.number(v, path) }),
  };
}
