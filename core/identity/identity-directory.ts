import { AccountTable, ROW_FLAG, type Row } from '../estate/account-table';
import { NameSidPairs } from '../estate/name-sid-pairs';
import type { IdentitySeed } from './identity-config';
import { accountKeys, keyValue, oidKey, preferredKey, samKey, sidKey, upnKey, type IdentityKey } from './identity-keys';
import { IDENTITY_TIERS, readIdentitySnapshot, type IdentitySnapshot } from './identity-snapshot';
import { writeIdentitySnapshot } from './identity-snapshot-writer';
import { IdentityRecord, type RecordSource } from './identity-record';
import { roleTier } from './privileged';

export type { IdentitySnapshot } from './identity-snapshot';
export { IdentityRecord } from './identity-record';

/**
 * One identity per person across AD and Entra ID: SID, sAMAccountName, UPN and Entra object
 * id are keys, and keys seen together — in one event, a directory export, or config — are
 * merged into one identity (union–find). An identity's id never changes once given; when two
 * identities turn out to be one person the younger id becomes an alias of the older, so
 * scores kept under it can follow. The identities are rows of the account table
 * (core/estate/account-table.ts); an `IdentityRecord` is a view of one row, made per call.
 */

const MAX_KEYS = 32;
const MAX_REASONS = 5;
const MAX_ALIASES = 50_000;


export class IdentityDirectory implements RecordSource {
  private seq: number;
  readonly table = new AccountTable();
  /** golden_ticket's name↔SID pairs (ctx.nameSids), on the same key pool. */
  readonly nameSids = new NameSidPairs(this.table.keys);
  private readonly aliases: Map<string, string>;
  private readonly displayNames = new Map<Row, string>();
  private readonly reasons = { tier0: new Map<Row, string[]>(), tier1: new Map<Row, string[]>() };

  constructor(seeds: readonly IdentitySeed[] = [], saved?: IdentitySnapshot) {
    const restored = readIdentitySnapshot(saved, this.table, this.displayNames, this.reasons, this.nameSids);
    this.seq = restored.seq;
    this.aliases = restored.aliases;
    for (const seed of seeds) this.seed(seed);
  }

  /** Links keys known to name one person; returns the identity, created if none of them is known. */
  link(keys: readonly IdentityKey[], time?: number): IdentityRecord | undefined {
    const row = this.linkRow(keys, time);
    return row === undefined ? undefined : new IdentityRecord(this, row);
  }

  /**
   * `link` for an account as events name it. The same few thousand accounts recur in every
   * logon: an account SID (unique to an account) this pass already linked an account by is
   * found by its domain prefix and RID, without deriving the account's keys, and the name
   * beside it is not linked again. That is what the memo this replaced did (a Map entry per
   * account, issue 13), kept as a bit per key: cleared when its identity merges into another
   * or is evicted, and not saved, as the memo lived for one pass.
   */
  linkAccount(account: { readonly name: string; readonly sid?: string | undefined }, time: number): IdentityRecord | undefined {
    const sid = account.sid;
    const accountSid = sid !== undefined && sid !== account.name && sid.startsWith('S-1-5-21-');
    const t = this.table;
    if (accountSid) {
      const key = t.keys.findSid(sid);
      const row = t.ownerOf(key);
      if (row !== undefined && t.linkedBy(key as number)) {
        this.touch(row, time);
        return new IdentityRecord(this, row);
      }
    }
    const row = this.linkRow(accountKeys(account), time);
    if (row === undefined) return undefined;
    if (accountSid) {
      const key = t.keys.findSid(sid);
      if (key !== undefined && t.ownerOf(key) === row) t.markLinkedBy(key);
    }
    return new IdentityRecord(this, row);
  }

  /** The identity a key belongs to, without creating one. */
  find(key: IdentityKey): IdentityRecord | undefined {
    const row = this.table.ownerOf(this.table.keys.find(key));
    return row === undefined ? undefined : new IdentityRecord(this, row);
  }

  /** The current id of an identity id that may since have been merged into another. */
  canonicalId(id: string): string {
    let current = id;
    for (let i = 0; i < 16 && this.rowOfId(current) === undefined; i++) {
      const next = this.aliases.get(current);
      if (next === undefined) break;
      current = next;
    }
    return current;
  }

  get(id: string): IdentityRecord | undefined {
    const row = this.rowOfId(this.canonicalId(id));
    return row === undefined ? undefined : new IdentityRecord(this, row);
  }

  /** A successful authentication: the identity is active, which maturity and the active-user count use. */
  active(record: IdentityRecord, time: number): void {
    const t = this.table;
    const row = record.row;
    const first = t.firstActive[row] as number;
    const last = t.lastActive[row] as number;
    if (!(first <= time)) t.firstActive[row] = time;
    if (!(last >= time)) t.lastActive[row] = time;
    t.activeEvents[row] = (t.activeEvents[row] as number) + 1;
    this.touch(row, time);
  }

  addReason(record: IdentityRecord, tier: 'tier0' | 'tier1', reason: string): void {
    addReason(this.reasons[tier], record.row, reason);
  }

  removeReason(record: IdentityRecord, tier: 'tier0' | 'tier1', reasonPrefix: string): void {
    const map = this.reasons[tier];
    const list = map.get(record.row);
    if (!list) return;
    const kept = list.filter((r) => !r.startsWith(reasonPrefix));
    if (kept.length) map.set(record.row, kept);
    else map.delete(record.row);
  }

  /** Identities with a successful authentication at or after `since`. */
  activeCount(since: number): number {
    const t = this.table;
    let n = 0;
    for (let row = 0; row < t.rowLimit; row++) if (t.isLive(row) && (t.lastActive[row] as number) >= since) n++;
    return n;
  }

  /** How an analyst reads the identity: its UPN, else its account name, else its SID or object id. */
  label(record: IdentityRecord): string {
    const keys = record.keys;
    const upn = keys.find((k) => k.startsWith('upn:'));
    const sam = keys.find((k) => k.startsWith('sam:'));
    return keyValue(upn ?? sam ?? preferredKey(keys) ?? record.id);
  }

  /** Forgets identities idle since `before`, except seeded, critical and `keep` ones (those with a score). */
  evictIdle(before: number, keep: ReadonlySet<string> = new Set()): void {
    const t = this.table;
    for (let row = 0; row < t.rowLimit; row++) {
      if (!t.isLive(row) || ((t.flags[row] as number) & ROW_FLAG.seeded) !== 0 || (t.lastSeen[row] as number) >= before) continue;
      if (this.reasons.tier0.has(row) || this.reasons.tier1.has(row) || keep.has(this.idOf(row))) continue;
      this.freeRow(row);
    }
    this.nameSids.evictBefore(before);
    if (this.aliases.size > MAX_ALIASES) {
      for (const key of [...this.aliases.keys()].slice(0, this.aliases.size - MAX_ALIASES)) this.aliases.delete(key);
    }
  }

  snapshot(): IdentitySnapshot {
    return writeIdentitySnapshot(this.seq, this.table, this.displayNames, this.reasons, this.aliases, this.nameSids);
  }

  get size(): number {
    return this.table.size;
  }

  /** The row's id: the text of its id key (the key it was created by), or its saved id. */
  idOf(row: Row): string {
    const key = this.table.idKey[row] as number;
    return key >= 0 ? this.table.keys.text(key) : (this.table.idText.get(row) as string);
  }

  displayNameOf(row: Row): string | undefined {
    return this.displayNames.get(row);
  }

  reasonsOf(row: Row, tier: 'tier0' | 'tier1'): string[] | undefined {
    return this.reasons[tier].get(row);
  }

  private rowOfId(id: string): Row | undefined {
    const t = this.table;
    const key = t.keys.find(id);
    const row = t.ownerOf(key);
    if (row !== undefined && t.idKey[row] === key) return row;
    for (const [r, text] of t.idText) if (text === id) return r;
    return undefined;
  }

  private linkRow(keys: readonly IdentityKey[], time?: number): Row | undefined {
    if (keys.length === 0) return undefined;
    const t = this.table;
    let row: Row | undefined;
    let others: Row[] | undefined;
    for (const k of keys) {
      const owner = t.ownerOf(t.keys.find(k));
      if (owner === undefined || owner === row) continue;
      if (row === undefined) row = owner;
      else if (!others?.includes(owner)) (others ??= []).push(owner);
    }
    if (others) {
      // The oldest identity survives a merge.
      const found = [row as Row, ...others].sort((a, b) => (t.seq[a] as number) - (t.seq[b] as number));
      row = found[0] as Row;
      for (const other of found.slice(1)) this.absorb(row, other);
    }
    if (row === undefined) {
      row = t.createRow(++this.seq, time ?? -Infinity);
      const id = preferredKey(keys) as string;
      for (const k of keys) if (t.ownerOf(t.keys.find(k)) === undefined && t.keyCount(row) < MAX_KEYS) t.addKey(row, k);
      const idKey = t.keys.find(id);
      if (idKey !== undefined && t.ownerOf(idKey) === row) t.idKey[row] = idKey;
      else t.idText.set(row, id);
    } else {
      for (const k of keys) if (t.ownerOf(t.keys.find(k)) === undefined && t.keyCount(row) < MAX_KEYS) t.addKey(row, k);
    }
    if (time !== undefined) this.touch(row, time);
    return row;
  }

  private touch(row: Row, time: number): void {
    if (time > (this.table.lastSeen[row] as number)) this.table.lastSeen[row] = time;
  }

  private freeRow(row: Row): void {
    this.displayNames.delete(row);
    this.reasons.tier0.delete(row);
    this.reasons.tier1.delete(row);
    this.table.freeRow(row);
  }

  private seed(seed: IdentitySeed): void {
    const keys = [oidKey(seed.objectId), sidKey(seed.sid), upnKey(seed.upn), samKey(seed.sam)].filter((k): k is string => k !== undefined);
    const row = this.linkRow(keys);
    if (row === undefined) return;
    const t = this.table;
    t.flags[row] = (t.flags[row] as number) | ROW_FLAG.seeded;
    if (seed.displayName) this.displayNames.set(row, seed.displayName);
    if (seed.tier) t.tier[row] = IDENTITY_TIERS.indexOf(seed.tier) + 1;
    if (seed.enabled === false) t.flags[row] = (t.flags[row] as number) | ROW_FLAG.disabledKnown | ROW_FLAG.disabled;
    for (const role of seed.roles ?? []) {
      const tier = roleTier(role);
      if (tier) addReason(this.reasons[tier], row, `Entra role ${role} (directory export)`);
    }
  }

  private absorb(into: Row, other: Row): void {
    const t = this.table;
    const otherId = this.idOf(other);
    t.moveKeys(other, into, MAX_KEYS);
    t.lastSeen[into] = Math.max(t.lastSeen[into] as number, t.lastSeen[other] as number);
    const otherFirst = t.firstActive[other] as number;
    const otherLast = t.lastActive[other] as number;
    if (!Number.isNaN(otherFirst) && !((t.firstActive[into] as number) <= otherFirst)) t.firstActive[into] = otherFirst;
    if (!Number.isNaN(otherLast) && !((t.lastActive[into] as number) >= otherLast)) t.lastActive[into] = otherLast;
    t.activeEvents[into] = (t.activeEvents[into] as number) + (t.activeEvents[other] as number);
    for (const tier of ['tier0', 'tier1'] as const) for (const r of this.reasons[tier].get(other) ?? []) addReason(this.reasons[tier], into, r);
    const intoFlags = t.flags[into] as number;
    const otherFlags = t.flags[other] as number;
    let flags = intoFlags | (otherFlags & ROW_FLAG.seeded);
    if ((intoFlags & ROW_FLAG.disabledKnown) === 0) flags |= otherFlags & (ROW_FLAG.disabledKnown | ROW_FLAG.disabled);
    t.flags[into] = flags;
    const name = this.displayNames.get(other);
    if (name !== undefined && !this.displayNames.has(into)) this.displayNames.set(into, name);
    if (t.tier[into] === 0) t.tier[into] = t.tier[other] as number;
    this.freeRow(other);
    this.aliases.set(otherId, this.idOf(into));
  }
}

function addReason(map: Map<Row, string[]>, row: Row, reason: string): void {
  let list = map.get(row);
  if (!list) map.set(row, (list = []));
  if (list.includes(reason)) return;
  list.push(reason);
  if (list.length > MAX_REASONS) list.shift();
}
