import { splitSid } from '../estate/account-keys';
import { isJsonRecord, type JsonRecord } from './json-record';
import { migrateGoldenTicket } from './migrate-v4/golden-ticket';

/**
 * Version 4 → 5 of the account table (issue 13, item 1): the identity directory's records
 * (`{id, seq, keys, lastSeen, …}` objects) become the compact rows of
 * core/identity/identity-snapshot.ts, SID keys written as a domain index and a RID, every
 * identity with its activity (maturity), tier reasons and aliases carried over; and
 * golden_ticket's learned name↔SID pairs (`sidNames`, `nameRids`) move out of its section
 * into `identities.nameSids`, on the same domain indexes, the rest of its section into its
 * tables (core/state/migrate-v4/golden-ticket.ts). An entry of the wrong shape is
 * carried as it is: the validated restore refuses it naming its path.
 */
export function migrateV4Accounts(doc: JsonRecord): JsonRecord {
  // A document without identities (none learned yet) may still hold golden_ticket's pairs.
  const identities = doc['identities'] ?? { seq: 0, records: [], aliases: [] };
  if (!isJsonRecord(identities) || !Array.isArray(identities['records'])) return doc;
  const domains: string[] = [];
  const domainIndex = (domain: string): number => {
    const index = domains.indexOf(domain);
    return index >= 0 ? index : domains.push(domain) - 1;
  };
  const key = (k: unknown): unknown => {
    if (typeof k !== 'string' || !k.startsWith('sid:')) return k;
    const sid = splitSid(k, 4);
    return sid ? `#${domainIndex(sid.domain)}-${sid.rid}` : k;
  };
  const rows = identities['records'].map((r: unknown) => (isJsonRecord(r) && Array.isArray(r['keys']) ? row(r, r['keys'], key) : r));
  const { records: _records, ...rest } = identities;
  const detectors = doc['detectors'];
  const golden = isJsonRecord(detectors) ? detectors['golden_ticket'] : undefined;
  if (!isJsonRecord(golden)) return { ...doc, identities: { ...rest, domains, rows, nameSids: { pairs: [], rids: [] } } };
  const { sidNames, nameRids, ...verdicts } = golden;
  const nameSids = { pairs: pairsOf(sidNames, key), rids: ridsOf(nameRids, domainIndex) };
  return { ...doc, identities: { ...rest, domains, rows, nameSids }, detectors: { ...(detectors as JsonRecord), golden_ticket: migrateGoldenTicket(verdicts) } };
}

/** `{SID: {name, lastSeen}}` → `[[#d-rid, name, lastSeen]]`; not an object: carried for the restore to refuse. */
function pairsOf(sidNames: unknown, key: (k: unknown) => unknown): unknown {
  if (sidNames === undefined) return [];
  if (!isJsonRecord(sidNames)) return sidNames;
  return Object.entries(sidNames).map(([sid, known]) => (isJsonRecord(known) ? [key(`sid:${sid}`), known['name'], known['lastSeen']] : known));
}

/** `{"domain SID|name": "RID"}` → `[[domain index, name, RID]]`. */
function ridsOf(nameRids: unknown, domainIndex: (domain: string) => number): unknown {
  if (nameRids === undefined) return [];
  if (!isJsonRecord(nameRids)) return nameRids;
  return Object.entries(nameRids).map(([k, rid]) => {
    const bar = k.indexOf('|');
    // The RID was written as decimal text; anything else is carried for the restore to name.
    const number = typeof rid === 'string' && /^\d{1,10}$/.test(rid) ? Number(rid) : rid;
    return bar > 0 ? [domainIndex(k.slice(0, bar)), k.slice(bar + 1), number] : [k, rid];
  });
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
