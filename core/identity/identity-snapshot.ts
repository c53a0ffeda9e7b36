import type { AccountTable, Row } from '../estate/account-table';
import { ROW_FLAG } from '../estate/account-table';
import type { NameSidPairs } from '../estate/name-sid-pairs';
import { madeWhenRead } from '../state/made-when-read';
import { SavedReader } from '../state/saved-value';
import type { IdentitySeed } from './identity-config';

/**
 * The identity directory as saved (state version 5, issue 13): in columns, one array per
 * field across all identities, not one tuple per identity — a 100 k-identity tuple list was
 * 33.4 MB of heap for 9.6 MB of JSON at the end of a pass (bench/heap-census.ts, 1 M / 100 k),
 * an array object, its elements and a keys array per identity. A SID key is written as its
 * domain prefix's index in `domains` and its RID (`#0-1105`), not 45 characters of
 * `sid:S-1-5-21-…`. Restore reads every value through SavedReader: a bad one throws
 * StateInvalidError naming its column and row (`identities.lastSeen.17`), nothing is cast;
 * columns of unequal length are refused.
 */
export interface IdentitySnapshot extends IdentityColumns<number, string, readonly string[]> {
  readonly seq: number;
  /** SID domain prefixes (`S-1-5-21-a-b-c`) the `#<index>-<rid>` keys refer to. */
  readonly domains: readonly string[];
  /** Merged-away id → the id that absorbed it. */
  readonly aliases: readonly (readonly [string, string])[];
  /** The name↔SID pairs of core/estate/name-sid-pairs.ts, on the same keys. */
  readonly nameSids: NameSidSnapshot;
}

/**
 * The name↔SID pairs in columns too (81 k pairs and as many RIDs were 20 MB of the identities
 * snapshot's heap as tuples at 1 M / 100 k, bench/heap-census.ts). Row i of `pairs`: a SID as
 * its domain's index in `identities.domains` and its RID (a SID under no domain prefix as its
 * key text, `sid:S-1-5-18`, and RID 0) — two numbers, not a `#0-1105` string of 3 MB per 81 k —
 * the name as written, when last seen; row i of `rids`: a domain index, a lower-case name, the
 * RID that name was last seen with.
 */
export type NameSidSnapshot = NameSidColumns<readonly [number | string, number, string, number], readonly [number, string, number]>;

type Triple = readonly [unknown, unknown, unknown];
type Quad = readonly [unknown, unknown, unknown, unknown];

export interface NameSidColumns<P extends Quad, R extends Triple> {
  readonly pairs: { readonly domains: readonly P[0][]; readonly rids: readonly P[1][]; readonly names: readonly P[2][]; readonly seen: readonly P[3][] };
  readonly rids: { readonly domains: readonly R[0][]; readonly names: readonly R[1][]; readonly rids: readonly R[2][] };
}

/**
 * Writes name↔SID pairs and RIDs in columns (the one writer of the saved shape, as
 * `identityColumns`), each column made when read by one walk of `pairs()` or `rids()`.
 */
export function nameSidColumns<P extends Quad, R extends Triple>(pairs: () => Iterable<P>, rids: () => Iterable<R>): NameSidColumns<P, R> {
  const column = <T, V>(rows: () => Iterable<T>, field: (row: T) => V) => (): V[] => {
    const out: V[] = [];
    for (const row of rows()) out.push(field(row));
    return out;
  };
  return {
    pairs: madeWhenRead<NameSidColumns<P, R>['pairs']>({ domains: column(pairs, (p) => p[0]), rids: column(pairs, (p) => p[1]), names: column(pairs, (p) => p[2]), seen: column(pairs, (p) => p[3]) }),
    rids: madeWhenRead<NameSidColumns<P, R>['rids']>({ domains: column(rids, (r) => r[0]), names: column(rids, (r) => r[1]), rids: column(rids, (r) => r[2]) }),
  };
}

/**
 * The identities' columns, row i of each being identity i (in seq order). `ids`: the index
 * among its keys of the key its id is the text of, or the id itself; `keyCounts`: how many of
 * the flat `keys` are its own, in order; a missing time is null; `flags` is 1 seeded + 2
 * enabled state known + 4 disabled. What few identities have (a display name, a configured
 * tier, tier reasons) is a flat sparse `[row, value, row, value, …]` list. The value types are
 * parameters so that core/state/migrate-v4-accounts.ts writes a version 4 record's values,
 * checked or not, through the same writer (`identityColumns`) the live snapshot uses.
 */
export interface IdentityColumns<N, S, L> {
  readonly ids: readonly (N | S)[];
  readonly seqs: readonly N[];
  readonly keyCounts: readonly number[];
  readonly keys: readonly (S | N)[];
  readonly lastSeen: readonly (N | null)[];
  readonly firstActive: readonly (N | null)[];
  readonly lastActive: readonly (N | null)[];
  readonly activeEvents: readonly N[];
  readonly flags: readonly number[];
  readonly names: readonly (number | S)[];
  readonly tiers: readonly (number | S)[];
  readonly tier0: readonly (number | L)[];
  readonly tier1: readonly (number | L)[];
}

/** One identity's facts, as `identityColumns` writes them. */
export interface IdentityFacts<N, S, L> {
  readonly id: N | S;
  readonly seq: N;
  readonly keys: readonly (S | N)[];
  /** `keys.length`, when it is known without making `keys`. */
  readonly keyCount?: number;
  readonly lastSeen: N | null;
  readonly firstActive: N | null;
  readonly lastActive: N | null;
  readonly activeEvents: N;
  readonly flags: number;
  readonly name?: S | undefined;
  readonly tier?: S | undefined;
  readonly tier0?: L | undefined;
  readonly tier1?: L | undefined;
}

const COLUMNS = ['ids', 'seqs', 'keyCounts', 'lastSeen', 'firstActive', 'lastActive', 'activeEvents', 'flags'] as const;
const SPARSE = ['names', 'tiers', 'tier0', 'tier1'] as const;

/**
 * Writes identities' facts in columns (the one writer of the saved shape), each column made
 * when read by one walk of `facts()`, reading only its own field of each identity's facts.
 */
export function identityColumns<N, S, L>(facts: () => Iterable<IdentityFacts<N, S, L>>): IdentityColumns<N, S, L> {
  type F = IdentityFacts<N, S, L>;
  const column = <V>(add: (out: V[], f: F, row: number) => void) => (): V[] => {
    const out: V[] = [];
    let row = 0;
    for (const f of facts()) add(out, f, row++);
    return out;
  };
  const each = <V>(field: (f: F) => V) => column<V>((out, f) => { out.push(field(f)); });
  const sparse = <V>(field: (f: F) => V | undefined) => column<number | V>((out, f, row) => {
    const v = field(f);
    if (v !== undefined) out.push(row, v);
  });
  return madeWhenRead<IdentityColumns<N, S, L>>({
    ids: each((f) => f.id), seqs: each((f) => f.seq), keyCounts: each((f) => f.keyCount ?? f.keys.length),
    keys: column<S | N>((out, f) => { for (const k of f.keys) out.push(k); }),
    lastSeen: each((f) => f.lastSeen), firstActive: each((f) => f.firstActive), lastActive: each((f) => f.lastActive),
    activeEvents: each((f) => f.activeEvents), flags: each((f) => f.flags),
    names: sparse((f) => f.name), tiers: sparse((f) => f.tier), tier0: sparse((f) => f.tier0), tier1: sparse((f) => f.tier1),
  });
}

export const IDENTITY_TIERS: readonly NonNullable<IdentitySeed['tier']>[] = ['tier0', 'tier1', 'normal', 'test'];

export type Reasons = { readonly tier0: Map<Row, string[]>; readonly tier1: Map<Row, string[]> };

const MAX_KEYS = 32;
const MAX_REASONS = 5;
/** The row flags a snapshot keeps (`flags` is them shifted right by one). */
export const SAVED_FLAGS = ROW_FLAG.seeded | ROW_FLAG.disabledKnown | ROW_FLAG.disabled;

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
  readColumns(r, s, domains, table, names, reasons);
  readNameSids(r, s['nameSids'], domains, pairs);
  return { seq, aliases };
}

function readColumns(r: SavedReader, s: Readonly<Record<string, unknown>>, domains: readonly string[], table: AccountTable, names: Map<Row, string>, reasons: Reasons): void {
  const column = (name: string): readonly unknown[] => {
    const c = s[name];
    if (!Array.isArray(c)) r.fail(`identities.${name}`, 'must be an array');
    return c;
  };
  const c = Object.fromEntries(COLUMNS.map((name) => [name, column(name)])) as Record<(typeof COLUMNS)[number], readonly unknown[]>;
  const n = c.seqs.length;
  for (const name of COLUMNS) if (c[name].length !== n) r.fail(`identities.${name}`, `must hold one item per identity (${n}, as identities.seqs), holds ${c[name].length}`);
  const keys = column('keys');
  const counts = c.keyCounts.map((v, i) => {
    const count = r.count(v, `identities.keyCounts.${i}`);
    if (count === 0 || count > MAX_KEYS) r.fail(`identities.keyCounts.${i}`, `must be 1 to ${MAX_KEYS} keys, is ${count}`);
    return count;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  if (keys.length !== total) r.fail('identities.keys', `must hold the ${total} keys identities.keyCounts counts, holds ${keys.length}`);
  const made: Row[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const id = typeof c.ids[i] === 'string' ? (c.ids[i] as string) : r.count(c.ids[i], `identities.ids.${i}`);
    const count = counts[i] as number;
    if (typeof id === 'number' && id >= count) r.fail(`identities.ids.${i}`, `must be the index of one of its ${count} keys, is ${id}`);
    const time = (name: 'lastSeen' | 'firstActive' | 'lastActive'): number | undefined => r.optional(c[name][i], `identities.${name}.${i}`, (x, p) => r.number(x, p));
    const seq = r.count(c.seqs[i], `identities.seqs.${i}`);
    const lastSeen = time('lastSeen') ?? -Infinity;
    const firstActive = time('firstActive') ?? NaN;
    const lastActive = time('lastActive') ?? NaN;
    const activeEvents = r.count(c.activeEvents[i], `identities.activeEvents.${i}`);
    const flags = r.count(c.flags[i], `identities.flags.${i}`);
    if (flags > SAVED_FLAGS >> 1) r.fail(`identities.flags.${i}`, `must be a sum of 1, 2 and 4, is ${flags}`);
    const row = table.createRow(seq, lastSeen);
    table.firstActive[row] = firstActive;
    table.lastActive[row] = lastActive;
    table.activeEvents[row] = activeEvents;
    table.flags[row] = ROW_FLAG.live | (flags << 1);
    for (let j = 0; j < count; j++, at++) {
      const path = `identities.keys.${at}`;
      const k = keyOf(r, keys[at], path, domains);
      if (table.ownerOf(table.keys.find(k)) !== undefined) r.fail(path, `repeats ${JSON.stringify(k)}, a key already held`);
      const key = table.addKey(row, k);
      if (j === id) table.idKey[row] = key;
    }
    if (typeof id === 'string') table.idText.set(row, id);
    made.push(row);
  }
  const sparse = <T>(name: (typeof SPARSE)[number], read: (v: unknown, path: string) => T, put: (row: Row, value: T) => void): void => {
    let last = -1;
    for (const [i, value] of r.pairs(s[name], `identities.${name}`, n, (v, p) => {
      const i = r.count(v, p);
      if (i >= n || i <= last) r.fail(p, `must be an identity's row (below ${n}, after ${last}), is ${i}`);
      last = i;
      return i;
    }, read)) put(made[i] as Row, value);
  };
  sparse('names', (v, p) => r.string(v, p), (row, name) => names.set(row, name));
  sparse('tiers', (v, p) => {
    const tier = IDENTITY_TIERS.indexOf(r.string(v, p) as NonNullable<IdentitySeed['tier']>);
    if (tier < 0) r.fail(p, `must be one of ${IDENTITY_TIERS.join(', ')}`);
    return tier;
  }, (row, tier) => { table.tier[row] = tier + 1; });
  for (const tier of ['tier0', 'tier1'] as const) {
    sparse(tier, (v, p) => r.list(v, p, MAX_REASONS, (x, q) => r.string(x, q)), (row, list) => reasons[tier].set(row, list));
  }
}

function readNameSids(r: SavedReader, v: unknown, domains: readonly string[], pairs: NameSidPairs): void {
  const s = r.record(v, 'identities.nameSids');
  const columns = <C extends string>(part: string, names: readonly C[]): Record<C, readonly unknown[]> => {
    const at = `identities.nameSids.${part}`;
    const t = r.record(s[part], at);
    const out = {} as Record<C, readonly unknown[]>;
    for (const name of names) {
      const c = t[name];
      if (!Array.isArray(c)) r.fail(`${at}.${name}`, 'must be an array');
      out[name] = c;
    }
    const n = (out[names[0] as C]).length;
    for (const name of names) if (out[name].length !== n) r.fail(`${at}.${name}`, `must hold one item per row (${n}, as ${at}.${names[0]}), holds ${out[name].length}`);
    return out;
  };
  const p = columns('pairs', ['domains', 'rids', 'names', 'seen']);
  p.domains.forEach((v, i) => {
    const at = `identities.nameSids.pairs.domains.${i}`;
    const rid = r.count(p.rids[i], `identities.nameSids.pairs.rids.${i}`);
    let sid: string;
    if (typeof v === 'string') {
      if (!v.startsWith('sid:S-')) r.fail(at, `must be a domain index or a SID key, is ${JSON.stringify(v)}`);
      if (rid !== 0) r.fail(`identities.nameSids.pairs.rids.${i}`, `must be 0 beside a SID key, is ${rid}`);
      sid = v.slice(4);
    } else {
      const domain = domains[r.count(v, at)];
      if (domain === undefined) r.fail(at, `must be an index of identities.domains (${domains.length}), is ${JSON.stringify(v)}`);
      if (rid > 0xffffffff) r.fail(`identities.nameSids.pairs.rids.${i}`, `must be a RID (32 bits), is ${rid}`);
      sid = `${domain}-${rid}`;
    }
    if (pairs.find(sid) !== undefined) r.fail(at, `repeats the SID ${sid}`);
    const name = r.string(p.names[i], `identities.nameSids.pairs.names.${i}`);
    if (name === '') r.fail(`identities.nameSids.pairs.names.${i}`, 'must be a name, is ""');
    pairs.restorePair(sid, name, r.number(p.seen[i], `identities.nameSids.pairs.seen.${i}`));
  });
  const d = columns('rids', ['domains', 'names', 'rids']);
  d.domains.forEach((v, i) => {
    const domain = domains[r.count(v, `identities.nameSids.rids.domains.${i}`)];
    if (domain === undefined) r.fail(`identities.nameSids.rids.domains.${i}`, `must be an index of identities.domains (${domains.length}), is ${JSON.stringify(v)}`);
    const rid = r.count(d.rids[i], `identities.nameSids.rids.rids.${i}`);
    if (rid > 0xffffffff) r.fail(`identities.nameSids.rids.rids.${i}`, `must be a RID (32 bits), is ${rid}`);
    pairs.restoreRid(domain, r.string(d.names[i], `identities.nameSids.rids.names.${i}`), rid);
  });
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
