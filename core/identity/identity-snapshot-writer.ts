import type { AccountTable, Row } from '../estate/account-table';
import type { NameSidPairs } from '../estate/name-sid-pairs';
import { madeWhenRead } from '../state/made-when-read';
import { IDENTITY_TIERS, identityColumns, nameSidColumns, SAVED_FLAGS, type IdentityFacts, type IdentitySnapshot, type NameSidSnapshot, type Reasons } from './identity-snapshot';

/**
 * The snapshot of the live directory, each large column made when read (core/state/made-when-read.ts):
 * what it keeps meanwhile is the rows in seq order and the domain prefixes' numbering, both
 * made here once, as every column and `domains` must agree on them.
 */
export function writeIdentitySnapshot(seq: number, table: AccountTable, names: ReadonlyMap<Row, string>, reasons: Reasons, aliases: ReadonlyMap<string, string>, pairs: NameSidPairs): IdentitySnapshot {
  const rows = liveRowsBySeq(table);
  const { domains, indexOf } = domainNumbering(table, rows, pairs);
  const keyText = (key: number): string => {
    const { domain, rid } = table.keys.sidParts(key);
    return domain < 0 ? table.keys.text(key) : `#${indexOf(domain)}-${rid}`;
  };
  // One facts object, its fields read from the row it is at: a column reads only its own
  // field, so the ids column makes no key text and the seqs column no key list.
  let row = 0;
  const at: IdentityFacts<number, string, readonly string[]> = {
    get id() {
      const idKey = table.keyIds(row).indexOf(table.idKey[row] as number);
      return idKey >= 0 ? idKey : (table.idText.get(row) as string);
    },
    get seq() { return table.seq[row] as number; },
    get keys() { return table.keyIds(row).map(keyText); },
    get keyCount() { return table.keyCount(row); },
    get lastSeen() { return finite(table.lastSeen[row] as number); },
    get firstActive() { return finite(table.firstActive[row] as number); },
    get lastActive() { return finite(table.lastActive[row] as number); },
    get activeEvents() { return table.activeEvents[row] as number; },
    get flags() { return ((table.flags[row] as number) & SAVED_FLAGS) >> 1; },
    get name() { return names.get(row); },
    get tier() { return IDENTITY_TIERS[(table.tier[row] as number) - 1]; },
    get tier0() { const t = reasons.tier0.get(row); return t && [...t]; },
    get tier1() { const t = reasons.tier1.get(row); return t && [...t]; },
  };
  function* facts(): Generator<IdentityFacts<number, string, readonly string[]>> {
    for (const r of rows) {
      row = r;
      yield at;
    }
  }
  const columns = identityColumns(facts);
  // One view per part too, a row's fields read from the pair or entry it is at: the seen
  // column makes no name, the names column no domain index.
  type PairRow = readonly [number | string, number, string, number];
  type RidRow = readonly [number, string, number];
  let pair = 0;
  const pairRow = {
    get 0() {
      const { domain } = table.keys.sidParts(pair);
      return domain < 0 ? table.keys.text(pair) : indexOf(domain);
    },
    get 1() {
      const { domain, rid } = table.keys.sidParts(pair);
      return domain < 0 ? 0 : rid;
    },
    get 2() { return pairs.name(pair); },
    get 3() { return pairs.lastSeen(pair); },
  } as unknown as PairRow;
  let entry: [number, number, number] = [0, 0, 0];
  const ridRow = {
    get 0() { return indexOf(entry[0]); },
    get 1() { return table.keys.text(entry[1]).slice(4); },
    get 2() { return entry[2]; },
  } as unknown as RidRow;
  const nameSids: NameSidSnapshot = nameSidColumns(
    function* () {
      for (pair of pairs.pairIds()) yield pairRow;
    },
    function* () {
      for (entry of pairs.ridEntries()) yield ridRow;
    },
  );
  return madeWhenRead<IdentitySnapshot>({
    seq: () => seq, domains: () => domains,
    ids: () => columns.ids, seqs: () => columns.seqs, keyCounts: () => columns.keyCounts, keys: () => columns.keys,
    lastSeen: () => columns.lastSeen, firstActive: () => columns.firstActive, lastActive: () => columns.lastActive,
    activeEvents: () => columns.activeEvents, flags: () => columns.flags,
    names: () => columns.names, tiers: () => columns.tiers, tier0: () => columns.tier0, tier1: () => columns.tier1,
    aliases: () => [...aliases], nameSids: () => nameSids,
  });
}

/** The live rows, oldest identity first (the saved order). */
function liveRowsBySeq(table: AccountTable): Int32Array {
  let n = 0;
  for (let row = 0; row < table.rowLimit; row++) if (table.isLive(row)) n++;
  const rows = new Int32Array(n);
  n = 0;
  for (let row = 0; row < table.rowLimit; row++) if (table.isLive(row)) rows[n++] = row;
  return rows.sort((a, b) => (table.seq[a] as number) - (table.seq[b] as number));
}

/**
 * The domain prefixes SID keys name, numbered in order of first use as the document lists
 * them — the identities' keys, then the pairs, then the RID entries — so `domains`, written
 * before any of them, is known before they are made.
 */
function domainNumbering(table: AccountTable, rows: Int32Array, pairs: NameSidPairs): { domains: string[]; indexOf: (domain: number) => number } {
  const domains: string[] = [];
  const domainIndex = new Map<number, number>();
  const use = (domain: number): void => {
    if (domain < 0 || domainIndex.has(domain)) return;
    domainIndex.set(domain, domains.length);
    domains.push(table.keys.domainText(domain) as string);
  };
  for (const row of rows) for (const key of table.keyIds(row)) use(table.keys.sidParts(key).domain);
  for (const sid of pairs.pairIds()) use(table.keys.sidParts(sid).domain);
  for (const [domain] of pairs.ridEntries()) use(domain);
  return { domains, indexOf: (domain) => domainIndex.get(domain) as number };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
