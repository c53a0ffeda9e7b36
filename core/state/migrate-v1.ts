import { fromDays } from './day-bits';
import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * Version 1 → 2 (issue 13): per-account day lists became day bitsets (core/state/day-bits.ts).
 * Every baseline is carried over, converted, so learning does not start again: the machine
 * addresses of the directory model, overpass_the_hash's account and source encryption days (now
 * columnar tables),
 * kerberoasting's service and device encryption days, pass_the_ticket's roaming days. A section
 * of the wrong shape is left as it is, for the schema and the detector's restore to refuse.
 */
export function migrateV1(doc: Record<string, unknown>): Record<string, unknown> {
  const detectors = isJsonRecord(doc['detectors']) ? { ...doc['detectors'] } : doc['detectors'];
  if (isJsonRecord(detectors)) {
    mapSection(detectors, 'overpass_the_hash', ['accounts', 'sources'], ({ aesDays, rc4Days, ...h }) => ({ ...h, aes: bits(aesDays), rc4: bits(rc4Days) }));
    // …and its tables became columnar (core/state/numeric-table.ts).
    columnar(detectors, 'overpass_the_hash', ['accounts', 'sources'], ['lastSeen', 'firstSeen', 'aes', 'rc4']);
    mapSection(detectors, 'kerberoasting', ['services'], ({ aesDays, rc4Days, ...h }) => ({ ...h, aes: bits(aesDays), rc4: bits(rc4Days) }));
    // Version 1 kept device days in a service-shaped record whose requesters were always empty.
    mapSection(detectors, 'kerberoasting', ['devices'], ({ aesDays, rc4Days, lastSeen }) => ({ lastSeen, aes: bits(aesDays), rc4: bits(rc4Days) }));
    const k = detectors['kerberoasting'];
    if (isJsonRecord(k) && k['devices'] === undefined) detectors['kerberoasting'] = { ...k, devices: {} };
    mapSection(detectors, 'pass_the_ticket', ['accounts'], ({ roamingDays, ...a }) => ({ ...a, roaming: bits(roamingDays) }));
  }
  const directory = doc['directory'];
  const machines = isJsonRecord(directory) ? directory['machines'] : undefined;
  const migratedDirectory = Array.isArray(machines)
    ? { ...directory as Record<string, unknown>, machines: machines.map((entry: unknown) => (Array.isArray(entry) && Array.isArray(entry[1])
      ? [entry[0], entry[1].map((a: unknown) => (isJsonRecord(a) ? { ...a, days: bits(a['days']) } : a))]
      : entry)) }
    : directory;
  return { ...doc, version: 2, detectors, directory: migratedDirectory };
}

type Rec = JsonRecord;

/** Replaces each `detectors[id][table]` that is an object by `f(table)`; anything else is kept, so validation names it. */
function eachTable(detectors: Rec, id: string, tables: readonly string[], f: (table: Rec) => unknown): void {
  const section = detectors[id];
  if (!isJsonRecord(section)) return;
  const out: Rec = { ...section };
  for (const table of tables) {
    const t = section[table];
    if (isJsonRecord(t)) out[table] = f(t);
  }
  detectors[id] = out;
}

/** Applies `f` to every record of `detectors[id][table]`, when that is an object of objects. */
function mapSection(detectors: Rec, id: string, tables: readonly string[], f: (record: Rec) => Rec): void {
  eachTable(detectors, id, tables, (t) => Object.fromEntries(Object.entries(t).map(([key, r]) => [key, isJsonRecord(r) ? f(r) : r])));
}

/** `detectors[id][table]`, an object of records, as a NumericTable snapshot of `columns`. */
function columnar(detectors: Rec, id: string, tables: readonly string[], columns: readonly string[]): void {
  eachTable(detectors, id, tables, (t) => {
    const keys = Object.keys(t);
    return { keys, columns: Object.fromEntries(columns.map((c) => [c, keys.map((k) => (t[k] as Rec | undefined)?.[c])])) };
  });
}

/** A version 1 day list as a bitset; anything else is kept, so validation names it. */
function bits(days: unknown): unknown {
  if (days === undefined) return 0;
  return Array.isArray(days) && days.every((d) => Number.isInteger(d) && d >= 0) ? fromDays(days as number[]) : days;
}

