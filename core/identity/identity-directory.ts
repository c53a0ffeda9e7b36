import type { IdentitySeed } from './identity-config';
import { roleTier } from './privileged';
import { accountKeys, keyValue, oidKey, preferredKey, samKey, sidKey, upnKey, type IdentityKey } from './identity-keys';

/**
 * One identity per person across AD and Entra ID: SID, sAMAccountName, UPN and Entra object
 * id are keys, and keys seen together — in one event, a directory export, or config — are
 * merged into one identity (union–find). An identity's id never changes once given; when two
 * identities turn out to be one person the younger id becomes an alias of the older, so
 * scores kept under it can follow.
 */

export interface IdentityRecord {
  readonly id: string;
  /** Creation order: on a merge the older identity survives. */
  readonly seq: number;
  keys: IdentityKey[];
  displayName?: string;
  /** Last event time anything named it; idle identities are evicted. */
  lastSeen: number;
  /** Successful authentications: when first and last, and how many (maturity, active users). */
  firstActive?: number;
  lastActive?: number;
  activeEvents: number;
  /** Why the logs say it is tier 0 / tier 1 (a few reasons kept, newest last). */
  tier0?: string[];
  tier1?: string[];
  disabled?: boolean;
  /** From config or a directory export: never evicted. */
  seeded?: true;
  configuredTier?: IdentitySeed['tier'];
}

export interface IdentitySnapshot {
  readonly seq: number;
  readonly records: readonly IdentityRecord[];
  /** Merged-away id → the id that absorbed it. */
  readonly aliases: readonly (readonly [string, string])[];
}

const MAX_KEYS = 32;
const MAX_REASONS = 5;
const MAX_ALIASES = 50_000;
const MAX_MEMO = 200_000;

export class IdentityDirectory {
  private seq: number;
  private readonly records = new Map<string, IdentityRecord>();
  private readonly index = new Map<IdentityKey, string>();
  private readonly aliases: Map<string, string>;
  /** Raw SID or name → its identity; an entry whose record was merged or evicted is stale. */
  private readonly memo = new Map<string, IdentityRecord>();

  constructor(seeds: readonly IdentitySeed[] = [], saved?: IdentitySnapshot) {
    this.seq = saved?.seq ?? 0;
    this.aliases = new Map(saved?.aliases ?? []);
    for (const r of saved?.records ?? []) {
      const copy: IdentityRecord = { ...r, keys: [...r.keys], ...(r.tier0 ? { tier0: [...r.tier0] } : {}), ...(r.tier1 ? { tier1: [...r.tier1] } : {}) };
      this.records.set(copy.id, copy);
      for (const k of copy.keys) this.index.set(k, copy.id);
    }
    for (const seed of seeds) this.seed(seed);
  }

  /** Links keys known to name one person; returns the identity, created if none of them is known. */
  link(keys: readonly IdentityKey[], time?: number): IdentityRecord | undefined {
    if (keys.length === 0) return undefined;
    const found = [...new Set(keys.map((k) => this.index.get(k)).filter((id): id is string => id !== undefined))]
      .map((id) => this.records.get(id) as IdentityRecord)
      .sort((a, b) => a.seq - b.seq);
    let record = found[0];
    if (!record) {
      const id = preferredKey(keys) as string;
      record = { id, seq: ++this.seq, keys: [], lastSeen: time ?? -Infinity, activeEvents: 0 };
      this.records.set(id, record);
    }
    for (const other of found.slice(1)) this.absorb(record, other);
    const added = keys.filter((k, i) => this.index.get(k) !== record.id && keys.indexOf(k) === i).slice(0, MAX_KEYS - record.keys.length);
    // Copied once, not pushed: a pushed array reserves 16 more slots, on every one of 100,000 identities (issue 13).
    if (added.length > 0) record.keys = [...record.keys, ...added];
    for (const k of added) this.index.set(k, record.id);
    if (time !== undefined && time > record.lastSeen) record.lastSeen = time;
    return record;
  }

  /**
   * `link` for an account as events name it, memoised by its SID (unique to an account) or,
   * without one, its raw name: the same few thousand accounts recur in every logon, and
   * deriving their keys each time was most of the cost of identity resolution.
   */
  linkAccount(account: { readonly name: string; readonly sid?: string | undefined }, time: number): IdentityRecord | undefined {
    const memoKey = account.sid ?? account.name;
    const known = this.memo.get(memoKey);
    if (known !== undefined && this.records.get(known.id) === known) {
      if (time > known.lastSeen) known.lastSeen = time;
      return known;
    }
    const record = this.link(accountKeys(account), time);
    if (record) {
      if (this.memo.size >= MAX_MEMO) this.memo.clear();
      this.memo.set(memoKey, record);
    }
    return record;
  }

  /** The identity a key belongs to, without creating one. */
  find(key: IdentityKey): IdentityRecord | undefined {
    const id = this.index.get(key);
    return id === undefined ? undefined : this.records.get(id);
  }

  /** The current id of an identity id that may since have been merged into another. */
  canonicalId(id: string): string {
    let current = id;
    for (let i = 0; i < 16 && !this.records.has(current); i++) {
      const next = this.aliases.get(current);
      if (next === undefined) break;
      current = next;
    }
    return current;
  }

  get(id: string): IdentityRecord | undefined {
    return this.records.get(this.canonicalId(id));
  }

  /** A successful authentication: the identity is active, which maturity and the active-user count use. */
  active(record: IdentityRecord, time: number): void {
    record.firstActive = Math.min(record.firstActive ?? time, time);
    record.lastActive = Math.max(record.lastActive ?? time, time);
    record.activeEvents++;
    if (time > record.lastSeen) record.lastSeen = time;
  }

  addReason(record: IdentityRecord, tier: 'tier0' | 'tier1', reason: string): void {
    const list = (record[tier] ??= []);
    if (list.includes(reason)) return;
    list.push(reason);
    if (list.length > MAX_REASONS) list.shift();
  }

  removeReason(record: IdentityRecord, tier: 'tier0' | 'tier1', reasonPrefix: string): void {
    const list = record[tier];
    if (!list) return;
    const kept = list.filter((r) => !r.startsWith(reasonPrefix));
    if (kept.length) record[tier] = kept;
    else delete record[tier];
  }

  /** Identities with a successful authentication at or after `since`. */
  activeCount(since: number): number {
    let n = 0;
    for (const r of this.records.values()) if ((r.lastActive ?? -Infinity) >= since) n++;
    return n;
  }

  /** How an analyst reads the identity: its UPN, else its account name, else its SID or object id. */
  label(record: IdentityRecord): string {
    const upn = record.keys.find((k) => k.startsWith('upn:'));
    const sam = record.keys.find((k) => k.startsWith('sam:'));
    return keyValue(upn ?? sam ?? preferredKey(record.keys) ?? record.id);
  }

  /** Forgets identities idle since `before`, except seeded, critical and `keep` ones (those with a score). */
  evictIdle(before: number, keep: ReadonlySet<string> = new Set()): void {
    for (const r of [...this.records.values()]) {
      if (r.seeded || r.lastSeen >= before || r.tier0 || r.tier1 || keep.has(r.id)) continue;
      this.records.delete(r.id);
      for (const k of r.keys) if (this.index.get(k) === r.id) this.index.delete(k);
    }
    if (this.aliases.size > MAX_ALIASES) {
      for (const key of [...this.aliases.keys()].slice(0, this.aliases.size - MAX_ALIASES)) this.aliases.delete(key);
    }
  }

  snapshot(): IdentitySnapshot {
    return { seq: this.seq, records: [...this.records.values()], aliases: [...this.aliases] };
  }

  get size(): number {
    return this.records.size;
  }

  private seed(seed: IdentitySeed): void {
    const keys = [oidKey(seed.objectId), sidKey(seed.sid), upnKey(seed.upn), samKey(seed.sam)].filter((k): k is string => k !== undefined);
    const record = this.link(keys);
    if (!record) return;
    record.seeded = true;
    if (seed.displayName) record.displayName = seed.displayName;
    if (seed.tier) record.configuredTier = seed.tier;
    if (seed.enabled === false) record.disabled = true;
    for (const role of seed.roles ?? []) {
      const tier = roleTier(role);
      if (tier) this.addReason(record, tier, `Entra role ${role} (directory export)`);
    }
  }

  private absorb(into: IdentityRecord, other: IdentityRecord): void {
    for (const k of other.keys) {
      if (into.keys.length < MAX_KEYS && !into.keys.includes(k)) into.keys.push(k);
      this.index.set(k, into.id);
    }
    into.lastSeen = Math.max(into.lastSeen, other.lastSeen);
    if (other.firstActive !== undefined) into.firstActive = Math.min(into.firstActive ?? other.firstActive, other.firstActive);
    if (other.lastActive !== undefined) into.lastActive = Math.max(into.lastActive ?? other.lastActive, other.lastActive);
    into.activeEvents += other.activeEvents;
    for (const r of other.tier0 ?? []) this.addReason(into, 'tier0', r);
    for (const r of other.tier1 ?? []) this.addReason(into, 'tier1', r);
    if (other.disabled !== undefined && into.disabled === undefined) into.disabled = other.disabled;
    if (other.seeded) into.seeded = true;
    into.displayName ??= other.displayName;
    into.configuredTier ??= other.configuredTier;
    this.records.delete(other.id);
    this.aliases.set(other.id, into.id);
  }
}
