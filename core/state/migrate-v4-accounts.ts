import { splitSid } from '../estate/account-keys';
import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * Version 4 → 5 of the account table (issue 13, item 1): the identity directory's records
 * (`{id, seq, keys, lastSeen, …}` objects) become the compact rows of
 * core/identity/identity-snapshot.ts, SID keys written as a domain index and a RID, every
 * identity with its activity (maturity), tier reasons and aliases carried over. A record of
 * the wrong shape is carried as it is: the validated restore refuses it naming its row.
 */
export function migrateV4Accounts(doc: JsonRecord): JsonRecord {
  const identities = doc['identities'];
  if (!isJsonRecord(identities) || !Array.isArray(identities['records'])) return doc;
  const domains: string[] = [];
  const key = (k: unknown): unknown => {
    if (typeof k !== 'string' || !k.startsWith('sid:')) return k;
    const sid = splitSid(k, 4);
    if (!sid) return k;
    let index = domains.indexOf(sid.domain);
    if (index < 0) index = domains.push(sid.domain) - 1;
    return `#${index}-${sid.rid}`;
  };
  const rows = identities['records'].map((r: unknown) => (isJsonRecord(r) && Array.isArray(r['keys']) ? row(r, r['keys'], key) : r));
  const { records: _records, ...rest } = identities;
  return { ...doc, identities: { ...rest, domains, rows } };
}

function row(r: JsonRecord, keys: readonly unknown[], key: (k: unknown) => unknown): unknown[] {
  const at = keys.indexOf(r['id']);
  const extra: JsonRecord = {};
  if (r['displayName'] !== undefined) extra['name'] = r['displayName'];
  if (r['configuredTier'] !== undefined) extra['tier'] = r['configuredTier'];
  if (r['tier0'] !== undefined) extra['tier0'] = r['tier0'];
  if (r['tier1'] !== undefined) extra['tier1'] = r['tier1'];
  const flags = (r['seeded'] === true ? 1 : 0) + (r['disabled'] !== undefined ? 2 : 0) + (r['disabled'] === true ? 4 : 0);
  return [
    at >= 0 ? at : r['id'], r['seq'], keys.map(key), r['lastSeen'] ?? null, r['firstActive'] ?? null, r['lastActive'] ?? null,
    r['activeEvents'], flags, Object.keys(extra).length ? extra : null,
  ];
}
