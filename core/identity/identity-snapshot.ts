import type { AccountTable, Row } from '../estate/account-table';
import { ROW_FLAG } from '../estate/account-table';
import type { NameSidPairs } from '../estate/name-sid-pairs';
import { SavedReader } from '../state/saved-value';
import type { IdentitySeed } from './identity-config';

/**
 * The identity directory as saved (state version 5, issue 13): one tuple per identity instead
 * of an object with field names, and a SID key written as its domain prefix's index in
 * `domains` and its RID (`#0-1105`), not 45 characters of `sid:S-1-5-21-…` twice (as key
 * and as id). Restore reads every value through SavedReader: a bad one throws
 * StateInvalidError naming its path (`identities.rows.3.keys.1`), nothing is cast.
 */
export interface IdentitySnapshot {
  readonly seq: number;
  /** SID domain prefixes (`S-1-5-21-a-b-c`) the rows' `#<index>-<rid>` keys refer to. */
  readonly domains: readonly string[];
  readonly rows: readonly IdentityRowTuple[];
  /** Merged-away id → the id that absorbed it. */
  readonly aliases: readonly (readonly [string, string])[];
  /** The name↔SID pairs of core/estate/name-sid-pairs.ts, on the same keys. */
  readonly nameSids: NameSidSnapshot;
}

export interface NameSidSnapshot {
  /** `[SID as #<domain index>-<rid>, name as written, last seen]`. */
  readonly pairs: readonly (readonly [string, string, number])[];
  /** `[domain index, lower-case name, RID]`: the RID each name was last seen with. */
  readonly rids: readonly (readonly [number, string, number])[];
}

/**
 * `[id, seq, keys, lastSeen, firstActive, lastActive, activeEvents, flags, extra]`: `id` is
 * the index of the key it is the text of, or the id itself; a missing time is null; `flags`
 * is 1 seeded + 2 enabled state known + 4 disabled.
 */
export type IdentityRowTuple = readonly [
  id: number | string, seq: number, keys: readonly string[], lastSeen: number | null,
  firstActive: number | null, lastActive: number | null, activeEvents: number, flags: number, extra: IdentityExtra | null,
];

/** What few identities have: a display name, a configured tier, tier reasons. */
export interface IdentityExtra {
  readonly name?: string;
  readonly tier?: NonNullable<IdentitySeed['tier']>;
  readonly tier0?: readonly string[];
  readonly tier1?: readonly string[];
}

export const IDENTITY_TIERS: readonly NonNullable<IdentitySeed['tier']>[] = ['tier0', 'tier1', 'normal', 'test'];

type Reasons = { readonly tier0: Map<Row, string[]>; readonly tier1: Map<Row, string[]> };

const ROW_LENGTH = 9;
const MAX_KEYS = 32;
const MAX_REASONS = 5;
const SAVED_FLAGS = ROW_FLAG.seeded | ROW_FLAG.disabledKnown | ROW_FLAG.disabled;

export function writeIdentitySnapshot(seq: number, table: AccountTable, names: ReadonlyMap<Row, string>, reasons: Reasons, aliases: ReadonlyMap<string, string>, pairs: NameSidPairs): IdentitySnapshot {
  const domains: string[] = [];
  const domainIndex = new Map<number, number>();
  const rows: Row[] = [];
  for (let row = 0; row < table.rowLimit; row++) if (table.isLive(row)) rows.push(row);
  rows.sort((a, b) => (table.seq[a] as number) - (table.seq[b] as number));
  const indexOf = (domain: number): number => {
    let index = domainIndex.get(domain);
    if (index === undefined) {
      index = domains.length;
      domains.push(table.keys.domainText(domain) as string);
      domainIndex.set(domain, index);
    }
    return index;
  };
  const keyText = (key: number): string => {
    const { domain, rid } = table.keys.sidParts(key);
    return domain < 0 ? table.keys.text(key) : `#${indexOf(domain)}-${rid}`;
  };
  const tuples = rows.map((row): IdentityRowTuple => {
    const keys = table.keyIds(row);
    const idKey = keys.indexOf(table.idKey[row] as number);
    const extra: { -readonly [K in keyof IdentityExtra]: IdentityExtra[K] } = {};
    const name = names.get(row);
    if (name !== undefined) extra.name = name;
    const tier = IDENTITY_TIERS[(table.tier[row] as number) - 1];
    if (tier) extra.tier = tier;
    const t0 = reasons.tier0.get(row);
    const t1 = reasons.tier1.get(row);
    if (t0) extra.tier0 = [...t0];
    if (t1) extra.tier1 = [...t1];
    return [
      idKey >= 0 ? idKey : (table.idText.get(row) as string), table.seq[row] as number, keys.map(keyText),
      finite(table.lastSeen[row] as number), finite(table.firstActive[row] as number), finite(table.lastActive[row] as number),
      table.activeEvents[row] as number, ((table.flags[row] as number) & SAVED_FLAGS) >> 1, Object.keys(extra).length ? extra : null,
    ];
  });
  const nameSids: NameSidSnapshot = {
    pairs: pairs.pairs().map(([sid, name, seen]) => [keyText(sid), name, seen] as const),
    rids: pairs.ridEntries().map(([domain, name, rid]) => [indexOf(domain), name, rid] as const),
  };
  return { seq, domains, rows: tuples, aliases: [...aliases], nameSids };
}

/** Fills the (empty) table from a saved snapshot, checked whole; returns the counter and aliases. */
export function readIdentitySnapshot(saved: unknown, table: AccountTable, names: Map<Row, string>, reasons: Reasons, pairs: NameSidPairs): { seq: number; aliases: Map<string, string> } {
  if (saved === undefined || saved === null) return { seq: 0, aliases: new Map() };
  const r: SavedReader = new SavedReader('the loaded state');
  const s = r.record(saved, 'identities');
  const seq = r.count(s['seq'], 'identities.seq');
  const domains = r.list(s['domains'], 'identities.domains', 4096, (v, p) => {
    const d = r.string(v, p);
    if (!/^S-1-\d+(-\d+)*$/.test(d)) r.fail(p, `must be a SID domain prefix, is ${JSON.stringify(d)}`);
    return d;
  });
  const aliases = new Map(r.list(s['aliases'], 'identities.aliases', Number.MAX_SAFE_INTEGER, (v, p) => {
    const pair = r.tuple(v, p, 2);
    return [r.string(pair[0], `${p}.0`), r.string(pair[1], `${p}.1`)] as const;
  }));
  const rows = s['rows'];
  if (!Array.isArray(rows)) r.fail('identities.rows', 'must be an array');
  rows.forEach((v, i) => readRow(r, v, `identities.rows.${i}`, domains, table, names, reasons));
  readNameSids(r, s['nameSids'], domains, pairs);
  return { seq, aliases };
}

function readNameSids(r: SavedReader, v: unknown, domains: readonly string[], pairs: NameSidPairs): void {
  const s = r.record(v, 'identities.nameSids');
  const list = (name: string): readonly unknown[] => {
    const l = s[name];
    if (!Array.isArray(l)) r.fail(`identities.nameSids.${name}`, 'must be an array');
    return l;
  };
  list('pairs').forEach((item, i) => {
    const path = `identities.nameSids.pairs.${i}`;
    const t = r.tuple(item, path, 3);
    const key = keyOf(r, t[0], `${path}.0`, domains);
    if (!key.startsWith('sid:')) r.fail(`${path}.0`, `must be a SID, is ${JSON.stringify(t[0])}`);
    const sid = key.slice(4);
    if (pairs.find(sid) !== undefined) r.fail(`${path}.0`, `repeats the SID ${sid}`);
    const name = r.string(t[1], `${path}.1`);
    if (name === '') r.fail(`${path}.1`, 'must be a name, is ""');
    pairs.restorePair(sid, name, r.number(t[2], `${path}.2`));
  });
  list('rids').forEach((item, i) => {
    const path = `identities.nameSids.rids.${i}`;
    const t = r.tuple(item, path, 3);
    const domain = domains[r.count(t[0], `${path}.0`)];
    if (domain === undefined) r.fail(`${path}.0`, `must be an index of identities.domains (${domains.length}), is ${JSON.stringify(t[0])}`);
    const rid = r.count(t[2], `${path}.2`);
    if (rid > 0xffffffff) r.fail(`${path}.2`, `must be a RID (32 bits), is ${rid}`);
    pairs.restoreRid(domain, r.string(t[1], `${path}.1`), rid);
  });
}

function readRow(r: SavedReader, v: unknown, path: string, domains: readonly string[], table: AccountTable, names: Map<Row, string>, reasons: Reasons): void {
  const t = r.tuple(v, path, ROW_LENGTH);
  const id = typeof t[0] === 'string' ? t[0] : r.count(t[0], `${path}.0`);
  const seq = r.count(t[1], `${path}.1`);
  const keys = r.list(t[2], `${path}.2`, MAX_KEYS, (k, p) => keyOf(r, k, p, domains));
  if (keys.length === 0) r.fail(`${path}.2`, 'must hold at least one key');
  if (typeof id === 'number' && id >= keys.length) r.fail(`${path}.0`, `must be the index of one of its ${keys.length} keys, is ${id}`);
  const lastSeen = r.optional(t[3], `${path}.3`, (x, p) => r.number(x, p)) ?? -Infinity;
  const firstActive = r.optional(t[4], `${path}.4`, (x, p) => r.number(x, p)) ?? NaN;
  const lastActive = r.optional(t[5], `${path}.5`, (x, p) => r.number(x, p)) ?? NaN;
  const activeEvents = r.count(t[6], `${path}.6`);
  const flags = r.count(t[7], `${path}.7`);
  if (flags > SAVED_FLAGS >> 1) r.fail(`${path}.7`, `must be a sum of 1, 2 and 4, is ${flags}`);
  const extra = r.optional(t[8], `${path}.8`, (x, p) => r.record(x, p));
  const row = table.createRow(seq, lastSeen);
  table.firstActive[row] = firstActive;
  table.lastActive[row] = lastActive;
  table.activeEvents[row] = activeEvents;
  table.flags[row] = ROW_FLAG.live | (flags << 1);
  keys.forEach((k, j) => {
    if (table.ownerOf(table.keys.find(k)) !== undefined) r.fail(`${path}.2.${j}`, `repeats ${JSON.stringify(k)}, a key already held`);
    const key = table.addKey(row, k);
    if (j === id) table.idKey[row] = key;
  });
  if (typeof id === 'string') table.idText.set(row, id);
  if (!extra) return;
  if (extra['name'] !== undefined) names.set(row, r.string(extra['name'], `${path}.8.name`));
  if (extra['tier'] !== undefined) {
    const tier = IDENTITY_TIERS.indexOf(r.string(extra['tier'], `${path}.8.tier`) as NonNullable<IdentitySeed['tier']>);
    if (tier < 0) r.fail(`${path}.8.tier`, `must be one of ${IDENTITY_TIERS.join(', ')}`);
    table.tier[row] = tier + 1;
  }
  for (const tier of ['tier0', 'tier1'] as const) {
    if (extra[tier] === undefined) continue;
    reasons[tier].set(row, r.list(extra[tier], `${path}.8.${tier}`, MAX_REASONS, (x, p) => r.string(x, p)));
  }
}

/** A saved key: `#<domain index>-<rid>` for a SID, else the key's text with its kind prefix. */
function keyOf(r: SavedReader, v: unknown, path: string, domains: readonly string[]): string {
  const k = r.string(v, path);
  if (k.startsWith('#')) {
    const m = /^#(\d+)-(\d+)$/.exec(k);
    const domain = m ? domains[Number(m[1])] : undefined;
    if (!m || domain === undefined) r.fail(path, `must be #<index of identities.domains>-<RID>, is ${JSON.stringify(k)}`);
    return `sid:${domain}-${m[2]}`;
  }
  if (!/^(sid|sam|upn|oid):./.test(k)) r.fail(path, `must be a sid:, sam:, upn: or oid: key, is ${JSON.stringify(k)}`);
  return k;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
