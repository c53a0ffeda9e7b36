import { compactEtypeTable, snapshotSource } from '../estate/kerberos-ledger-snapshot';
import { isJsonRecord, type JsonRecord } from './json-record';
import type { NumericTableSnapshot } from './numeric-table';
import { migrateOverpassTheHash } from './migrate-v4/overpass-the-hash';

/**
 * Version 4 → 5 of the Kerberos facts (issue 13, item 1): overpass_the_hash's per-account and
 * per-source etype days (`accounts`, `sources`: NumericTable snapshots of firstSeen, aes, rc4)
 * move into the Kerberos ledger's `etypes` (core/estate/kerberos-etype-days.ts), in its compact
 * relative form (core/estate/kerberos-ledger-snapshot.ts), each value carried exactly;
 * the detector keeps its verdict state, in its compact form (core/state/migrate-v4/overpass-the-hash.ts).
 * kerberoasting's string-keyed records become its tables.
 * Every learned day is carried: no learning restarts. A part of the wrong shape is carried as
 * it is, for the schema or the validated restore to refuse naming the key.
 */
export function migrateV4Kerberos(doc: JsonRecord): JsonRecord {
  const detectors = doc['detectors'];
  if (!isJsonRecord(detectors)) return doc;
  const roasting = detectors['kerberoasting'];
  return moveEtypeDays(isJsonRecord(roasting) ? { ...doc, detectors: { ...detectors, kerberoasting: migrateKerberoasting(roasting) } } : doc);
}

function moveEtypeDays(doc: JsonRecord): JsonRecord {
  const detectors = doc['detectors'] as JsonRecord;
  const kerberos = doc['kerberos'] ?? null;
  const overpass = detectors['overpass_the_hash'];
  if (!isJsonRecord(overpass) || (kerberos !== null && !isJsonRecord(kerberos))) return doc;
  const { accounts, sources, ...verdicts } = overpass;
  const migrated = { ...detectors, overpass_the_hash: migrateOverpassTheHash(verdicts) };
  if (accounts === undefined && sources === undefined) return { ...doc, detectors: migrated };
  const etypes = { accounts: compacted(accounts), sources: compacted(sources) };
  return { ...doc, kerberos: { ...(kerberos ?? {}), etypes }, detectors: migrated };
}

/** A NumericTable snapshot in the ledger's compact shape; one of the wrong shape is carried as it is. */
function compacted(table: unknown): unknown {
  if (table === undefined) return { ...compactEtypeTable(snapshotSource({ keys: [], columns: {} })) };
  if (!isJsonRecord(table) || !Array.isArray(table['keys']) || !isJsonRecord(table['columns'])) return table;
  const n = (table['keys'] as unknown[]).length;
  const columns = table['columns'];
  const ok = ['firstSeen', 'lastSeen', 'aes', 'rc4'].every((c) => Array.isArray(columns[c]) && (columns[c] as unknown[]).length === n && (columns[c] as unknown[]).every((v) => typeof v === 'number' && Number.isFinite(v)));
  // Spread: the migrated document holds plain columns.
  return ok ? { ...compactEtypeTable(snapshotSource(table as unknown as NumericTableSnapshot)) } : table;
}

/**
 * kerberoasting: `services` {service: {lastSeen, aes, rc4, requesters}} becomes a keyed table of
 * `[lastSeen, aes, rc4, requesters]`, `devices` {address: {lastSeen, aes, rc4}} a numeric table,
 * `recent` {requester: {service: time}} a keyed table of `[latest time, [service, time, …]]`.
 */
export function migrateKerberoasting(section: JsonRecord): JsonRecord {
  const { services, devices, recent } = section;
  return {
    ...section,
    ...(isJsonRecord(services) ? { services: rows(services, (h) => [h['lastSeen'], h['aes'], h['rc4'], h['requesters']]) } : {}),
    ...(isJsonRecord(recent) ? { recent: rows(recent, (r) => [Math.max(...Object.values(r).map(Number)), Object.entries(r).flat()]) } : {}),
    ...(isJsonRecord(devices) ? { devices: columns(devices, ['lastSeen', 'aes', 'rc4']) } : {}),
  };
}

/** A keyed table's `{keys, rows}`; an entry that is not an object is its row as it is, for the restore to refuse. */
function rows(records: JsonRecord, row: (r: JsonRecord) => unknown): { keys: string[]; rows: unknown[] } {
  const keys = Object.keys(records);
  return { keys, rows: keys.map((k) => (isJsonRecord(records[k]) ? row(records[k] as JsonRecord) : records[k])) };
}

/** A numeric table's `{keys, columns}` (core/state/numeric-table.ts). */
function columns(records: JsonRecord, names: readonly string[]): { keys: string[]; columns: Record<string, unknown[]> } {
  const keys = Object.keys(records);
  const field = (k: string, n: string): unknown => (isJsonRecord(records[k]) ? (records[k] as JsonRecord)[n] : undefined);
  return { keys, columns: Object.fromEntries(names.map((n) => [n, keys.map((k) => field(k, n))])) };
}
