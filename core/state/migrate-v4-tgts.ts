import { STRIDE } from '../estate/tgt-lists';
import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * Version 4 → 5 of the ledger's TGT lists (issue 13): one `number[]` per key becomes a count
 * per key (`tgtCounts`) and one flat list (`tgts`) across all keys, in key order
 * (core/estate/kerberos-ledger-snapshot.ts). Every TGT address is carried, numbers as they are.
 * A list of the wrong shape is carried as its count (the entry itself if it is not a list,
 * else its length over STRIDE), for the validated restore to refuse naming `kerberos.tgtCounts[i]`.
 */
export function migrateV4Tgts(doc: JsonRecord): JsonRecord {
  const kerberos = doc['kerberos'];
  if (!isJsonRecord(kerberos) || !Array.isArray(kerberos['tgts'])) return doc;
  const tgtCounts: unknown[] = [];
  const tgts: unknown[] = [];
  for (const list of kerberos['tgts'] as unknown[]) {
    if (!Array.isArray(list)) {
      tgtCounts.push(list);
      continue;
    }
    tgtCounts.push(list.length / STRIDE);
    for (const v of list) tgts.push(v);
  }
  return { ...doc, kerberos: { ...kerberos, tgtCounts, tgts } };
}
