import { splitSid } from '../estate/account-keys';
import { identityColumns, nameSidColumns, type IdentityFacts } from '../identity/identity-snapshot';
import { isJsonRecord, type JsonRecord } from './json-record';

type Triple = readonly [unknown, unknown, unknown];
type Quad = readonly [unknown, unknown, unknown, unknown];
import { migrateGoldenTicket } from './migrate-v4/golden-ticket';

/**
 * Version 4 → 5 of the account table (issue 13, item 1): the identity directory's records
 * (`{id, seq, keys, lastSeen, …}` objects) become the columns of
 * core/identity/identity-snapshot.ts, written by its own writer (`identityColumns`), SID keys written as a domain index and a RID, every
 * identity with its activity (maturity), tier reasons and aliases carried over; and
 * golden_ticket's learned name↔SID pairs (`sidNames`, `nameRids`) move out of its section
 * into `identities.nameSids`, on the same domain indexes, the rest of its section into its
 * tables (core/state/migrate-v4/golden-ticket.ts). An entry of the wrong shape is
 * carried as it is (a value into its column; a record that is not one, or whose keys are not
 * a list, as the row's seq and key): the validated restore refuses it naming its path.
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
  const records = identities['records'].map((r: unknown) => facts(r, key));
  // Spread: the migrated document holds plain columns, not makers over the records.
  const columns = { ...identityColumns(() => records) };
  const { records: _records, ...rest } = identities;
  const detectors = doc['detectors'];
  const golden = isJsonRecord(detectors) ? detectors['golden_ticket'] : undefined;
  if (!isJsonRecord(golden)) return { ...doc, identities: { ...rest, domains, ...columns, nameSids: plainNameSids([], []) } };
  const { sidNames, nameRids, ...verdicts } = golden;
  // Either list not an object is carried as it is, in its part's place, for the restore to refuse.
  const pairs = pairsOf(sidNames, domainIndex);
  const rids = ridsOf(nameRids, domainIndex);
  const columns2 = plainNameSids(Array.isArray(pairs) ? pairs : [], Array.isArray(rids) ? rids : []);
  const nameSids = { pairs: Array.isArray(pairs) ? columns2.pairs : pairs, rids: Array.isArray(rids) ? columns2.rids : rids };
  return { ...doc, identities: { ...rest, domains, ...columns, nameSids }, detectors: { ...(detectors as JsonRecord), golden_ticket: migrateGoldenTicket(verdicts) } };
}

/** The pairs and RIDs in columns, plain: spread from the writer's columns made when read. */
function plainNameSids(pairs: readonly Quad[], rids: readonly Triple[]): { pairs: JsonRecord; rids: JsonRecord } {
  const c = nameSidColumns<Quad, Triple>(() => pairs, () => rids);
  return { pairs: { ...c.pairs }, rids: { ...c.rids } };
}

/**
 * `{SID: {name, lastSeen}}` → `[[domain index, RID, name, lastSeen]]` (a SID under no domain
 * prefix as `[sid:…, 0, …]`; an entry not an object as its name and time); not an object:
 * carried for the restore to refuse.
 */
function pairsOf(sidNames: unknown, domainIndex: (domain: string) => number): Quad[] | unknown {
  if (sidNames === undefined) return [];
  if (!isJsonRecord(sidNames)) return sidNames;
  return Object.entries(sidNames).map(([sid, known]): Quad => {
    const parts = splitSid(sid, 0);
    const [domain, rid] = parts ? [domainIndex(parts.domain), parts.rid] : [`sid:${sid}`, 0];
    return isJsonRecord(known) ? [domain, rid, known['name'], known['lastSeen']] : [domain, rid, known, known];
  });
}

/** `{"domain SID|name": "RID"}` → `[[domain index, name, RID]]`. */
function ridsOf(nameRids: unknown, domainIndex: (domain: string) => number): Triple[] | unknown {
  if (nameRids === undefined) return [];
  if (!isJsonRecord(nameRids)) return nameRids;
  return Object.entries(nameRids).map(([k, rid]): Triple => {
    const bar = k.indexOf('|');
    // The RID was written as decimal text; anything else is carried for the restore to name.
    const number = typeof rid === 'string' && /^\d{1,10}$/.test(rid) ? Number(rid) : rid;
    // A key without its domain: the key as the domain index, for the restore to refuse.
    return bar > 0 ? [domainIndex(k.slice(0, bar)), k.slice(bar + 1), number] : [k, rid, rid];
  });
}

/** A version 4 record's facts, its values as they are (checked by the restore). */
function facts(r: unknown, key: (k: unknown) => unknown): IdentityFacts<unknown, unknown, unknown> {
  if (!isJsonRecord(r) || !Array.isArray(r['keys'])) {
    const wrong = isJsonRecord(r) ? r['keys'] : r;
    return { id: 0, seq: isJsonRecord(r) ? r['seq'] : r, keys: [wrong], lastSeen: null, firstActive: null, lastActive: null, activeEvents: 0, flags: 0 };
  }
  const keys = r['keys'];
  const at = keys.indexOf(r['id']);
  const flags = (r['seeded'] === true ? 1 : 0) + (r['disabled'] !== undefined ? 2 : 0) + (r['disabled'] === true ? 4 : 0);
  return {
    id: at >= 0 ? at : r['id'], seq: r['seq'], keys: keys.map(key), lastSeen: r['lastSeen'] ?? null, firstActive: r['firstActive'] ?? null,
    lastActive: r['lastActive'] ?? null, activeEvents: r['activeEvents'], flags,
    name: r['displayName'], tier: r['configuredTier'], tier0: r['tier0'], tier1: r['tier1'],
  };
}
