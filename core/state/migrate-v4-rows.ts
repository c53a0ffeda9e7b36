import { fromDays } from './day-bits';
import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * The pieces the v4 → v5 detector migrations (core/state/migrate-v4/*.ts) build tables from: a
 * `{keys, rows}` table, v4 records turned into rows, and the compact forms of v4's objects
 * (origins, accounts, profiles, flat pairs). Each returns undefined, or the value as it was,
 * where the v4 shape is not what it expects: the migration then carries the section as it is,
 * for the validated restore to refuse naming the key.
 */

/** A section whose `name` maps keys to records, as the table of `row(record)` (the section's other fields as they are). */
export function migrateRecords(section: unknown, name: string, row: (record: JsonRecord) => unknown[]): unknown {
  const out = isJsonRecord(section) ? recordRows(section[name], row) : undefined;
  return isJsonRecord(section) && out ? { ...section, [name]: out } : section;
}

/** A section whose `name` maps keys to `{lastSeen, days, …}`, as the table `[lastSeen, day set, day count, …rest(row)]`. */
export function migrateCountedDays(section: unknown, name: string, rest: (row: JsonRecord) => unknown[]): unknown {
  const out = isJsonRecord(section) ? countedDaysRows(section[name], rest) : undefined;
  if (!isJsonRecord(section) || !out) return section;
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), [name]: out };
}

/** `{key: {lastSeen, days, …}}` as the rows `[lastSeen, day set, day count, …rest(record)]`; undefined when one is not of that shape. */
export function countedDaysRows(records: unknown, rest: (row: JsonRecord) => unknown[] = () => []): Table | undefined {
  return recordRows(records, (r) => (isDayList(r['days']) ? [r['lastSeen'], fromDays(r['days']), r['days'].length, ...rest(r)] : undefined));
}

/** `{key: record}` as the table of `row(record)`; undefined when a value is not a record or `row` refuses it. */
export function recordRows(records: unknown, row: (record: JsonRecord) => unknown[] | undefined): Table | undefined {
  if (!isJsonRecord(records)) return undefined;
  const out = table();
  for (const [key, r] of Object.entries(records)) {
    const made = isJsonRecord(r) ? row(r) : undefined;
    if (!made) return undefined;
    out.keys.push(key);
    out.rows.push(made);
  }
  return out;
}

/**
 * A breadth detector's `[[key, {profile, lastSeen, …}]]` as two tables (core/estate/actor-habits.ts):
 * the learned habits (each row made by `habitsRow` from the entry and its profile, flattened) and
 * the window (made by `windowRow`; null: the entry has none), with the latest lastSeen;
 * undefined when an entry is not of that shape.
 */
export function habitTables(
  entries: unknown[], habitsRow: (row: JsonRecord, profile: unknown[]) => unknown[], windowRow: (row: JsonRecord) => unknown[] | null | undefined,
): { habits: Table; windows: Table; latest: number } | undefined {
  const habits = table();
  const windows = table();
  let latest = 0;
  for (const entry of entries) {
    const e = sourceEntry(entry);
    const profile = e && profileOf(e.row['profile']);
    const w = e && windowRow(e.row);
    if (!e || !profile || w === undefined) return undefined;
    if (typeof e.row['lastSeen'] === 'number') latest = Math.max(latest, e.row['lastSeen']);
    habits.keys.push(e.key);
    habits.rows.push(habitsRow(e.row, profile));
    if (w === null) continue;
    windows.keys.push(e.key);
    windows.rows.push(w);
  }
  return { habits, windows, latest };
}

/** `[lastSeen, profile]`: profileHabitsTable's row. */
export function profileRow(r: JsonRecord, profile: unknown[]): unknown[] {
  return [r['lastSeen'], profile];
}

/** `[lastSeen, profile, sourceIp, sourceName]`: actorHabitsTable's row. */
export function actorRow(r: JsonRecord, profile: unknown[]): unknown[] {
  return [r['lastSeen'], profile, r['sourceIp'] ?? null, r['sourceName'] ?? null];
}

export function isDayList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
}

export interface Table {
  keys: unknown[];
  rows: unknown[];
}

export function table(): Table {
  return { keys: [], rows: [] };
}

export function sourceEntry(entry: unknown): { key: unknown; row: JsonRecord } | undefined {
  return Array.isArray(entry) && entry.length === 2 && isJsonRecord(entry[1]) ? { key: entry[0], row: entry[1] } : undefined;
}

/** `{days: [[day, widest]], known: [[thing, day]]}` → `[[day, widest, …], [thing, day, …]]`. */
export function profileOf(p: unknown): unknown[] | undefined {
  if (!isJsonRecord(p)) return undefined;
  const days = flatPairs(p['days']);
  const known = flatPairs(p['known']);
  return days && known ? [days, known] : undefined;
}

/** `[[a, b], [c, d]]` → `[a, b, c, d]`, or undefined when an entry is not a pair. */
export function flatPairs(v: unknown): unknown[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: unknown[] = [];
  for (const pair of v) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    out.push(pair[0], pair[1]);
  }
  return out;
}

/** `{time, host, eventId, recordId}` → `[time, host, eventId, recordId]`; anything else is kept for the restore to refuse. */
export function origin(o: unknown): unknown {
  return isJsonRecord(o) ? [o['time'], o['host'], o['eventId'], o['recordId'] ?? null] : o;
}

/** `{name, domain?, sid?}` → `[name, domain, sid]`. */
export function account(a: unknown): unknown {
  return isJsonRecord(a) ? [a['name'], a['domain'] ?? null, a['sid'] ?? null] : a;
}
