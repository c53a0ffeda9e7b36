import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * Version 4 → 5 of the Kerberos facts (issue 13, item 1): overpass_the_hash's per-account and
 * per-source etype days (`accounts`, `sources`: NumericTable snapshots of firstSeen, aes, rc4)
 * move, as they are, into the Kerberos ledger's `etypes` (core/estate/kerberos-etype-days.ts);
 * the detector keeps its verdict state. Every learned day is carried: no learning restarts.
 * A part of the wrong shape is carried as it is, for the schema or the validated restore to
 * refuse naming the key.
 */
export function migrateV4Kerberos(doc: JsonRecord): JsonRecord {
  const detectors = doc['detectors'];
  if (!isJsonRecord(detectors)) return doc;
  const kerberos = doc['kerberos'] ?? null;
  const overpass = detectors['overpass_the_hash'];
  if (!isJsonRecord(overpass) || (kerberos !== null && !isJsonRecord(kerberos))) return doc;
  const { accounts, sources, ...verdicts } = overpass;
  if (accounts === undefined && sources === undefined) return doc;
  const etypes = { accounts: accounts ?? { keys: [], columns: {} }, sources: sources ?? { keys: [], columns: {} } };
  return { ...doc, kerberos: { ...(kerberos ?? {}), etypes }, detectors: { ...detectors, overpass_the_hash: verdicts } };
}
