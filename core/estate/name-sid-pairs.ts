import { DAY } from '../events/time';
import type { AccountKeys, KeyId } from './account-keys';
import { NameRids } from './name-rids';

/**
 * The name ↔ SID pairs events that carry both taught (golden_ticket's forged-PAC check,
 * through `ctx.nameSids`): SID → name as last seen, and per domain, lower-case name → RID.
 * Held on the account table's key pool (core/estate/account-keys.ts), not in Maps of their
 * own: a pair is two key ids (the SID, shared with its identity row, and `sam:<name>`) and a
 * time in columns indexed by the SID's key id — golden_ticket's own Maps of SID strings and
 * `domain|name` strings were ~12 MB at 1 M events / 100 k accounts (issue 13). The name as
 * written is kept only when it is neither all lower nor all upper case.
 */
export interface NameSidView {
  /** The pair of a SID (`S-1-5-21-…`), if one is known. */
  find(sid: string): PairId | undefined;
  /** The name the SID was last seen with, as written. */
  name(pair: PairId): string;
  /** Whether `name` is the pair's name, case aside. */
  sameName(pair: PairId, name: string): boolean;
  /** The pair was seen again. */
  touch(pair: PairId, time: number): void;
  /** The RID `lowerName` was last seen with in the domain, as the decimal text of a SID. */
  ridOf(domainSid: string, lowerName: string): string | undefined;
  /** `sid` belongs to `name` now; the name it had before (a rename) is freed for a new account. */
  set(sid: string, name: string, time: number): void;
}

/** A pair is named by its SID's key id. */
export type PairId = number;

const NONE = -1;
const CASE_LOWER = 0;
const CASE_UPPER = 1;
const CASE_OTHER = 2;

export class NameSidPairs implements NameSidView {
  private nameKey = new Int32Array(0);
  private seen = new Float64Array(0);
  private nameCase = new Uint8Array(0);
  private readonly written = new Map<PairId, string>();
  /** Per domain id and name key id: the RID. Each entry holds its name key. */
  private readonly rids = new NameRids();
  private count = 0;
  private sweptUpTo = -Infinity;

  constructor(private readonly keys: AccountKeys) {}

  get size(): number {
    return this.count;
  }

  find(sid: string): PairId | undefined {
    const id = this.keys.findSid(sid);
    return id !== undefined && id < this.nameKey.length && this.nameKey[id] !== NONE ? id : undefined;
  }

  name(pair: PairId): string {
    const lower = this.keys.text(this.nameKey[pair] as number).slice(4);
    const c = this.nameCase[pair];
    return c === CASE_LOWER ? lower : c === CASE_UPPER ? lower.toUpperCase() : (this.written.get(pair) as string);
  }

  sameName(pair: PairId, name: string): boolean {
    const text = this.keys.text(this.nameKey[pair] as number);
    if (text.length !== name.length + 4) return name.toLowerCase() === text.slice(4);
    if (text.endsWith(name)) return true; // a lower-case name: one compare
    for (let i = 0; i < name.length; i++) {
      let c = name.charCodeAt(i);
      if (c > 127) return name.toLowerCase() === text.slice(4);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== text.charCodeAt(i + 4)) return false;
    }
    return true;
  }

  touch(pair: PairId, time: number): void {
    this.seen[pair] = time;
  }

  lastSeen(pair: PairId): number {
    return this.seen[pair] as number;
  }

  ridOf(domainSid: string, lowerName: string): string | undefined {
    const domain = this.keys.domainIdOf(domainSid);
    const name = this.keys.find(`sam:${lowerName}`);
    if (domain === undefined || name === undefined) return undefined;
    const rid = this.rids.get(domain, name);
    return rid === undefined ? undefined : String(rid);
  }

  set(sid: string, name: string, time: number): void {
    const pair = this.assign(sid, name, time, true);
    const { domain, rid } = this.keys.sidParts(pair);
    // A SID past the pool's domain cap has no domain id: its pair is kept, its RID not learned.
    if (domain >= 0) this.setRid(domain, this.nameKey[pair] as number, rid);
  }

  /** A saved pair, as the snapshot reader restores it (its RID entry is saved on its own). */
  restorePair(sid: string, name: string, time: number): void {
    this.assign(sid, name, time, false);
  }

  private assign(sid: string, name: string, time: number, freeOldName: boolean): PairId {
    const known = this.find(sid);
    const pair = known ?? this.keys.acquire(`sid:${sid}`);
    this.ensure();
    if (known !== undefined) {
      // The rename frees the old name, whichever SID its RID entry was last taught by.
      const before = this.nameKey[pair] as number;
      const { domain } = this.keys.sidParts(pair);
      if (freeOldName && domain >= 0) this.deleteRid(domain, before);
      this.keys.release(before);
    } else {
      this.count++;
    }
    const lower = name.toLowerCase();
    this.nameKey[pair] = this.keys.acquire(`sam:${lower}`);
    this.seen[pair] = time;
    this.written.delete(pair);
    if (name === lower) this.nameCase[pair] = CASE_LOWER;
    else if (lower.toUpperCase() === name) this.nameCase[pair] = CASE_UPPER;
    else {
      this.nameCase[pair] = CASE_OTHER;
      this.written.set(pair, name);
    }
    return pair;
  }

  /** Forgets pairs last seen before `before`, name and SID together; one sweep per day of event time. */
  evictBefore(before: number): void {
    if (before < this.sweptUpTo + DAY) return;
    this.sweptUpTo = before;
    for (let pair = 0; pair < this.nameKey.length; pair++) {
      const name = this.nameKey[pair] as number;
      if (name === NONE || (this.seen[pair] as number) >= before) continue;
      const { domain, rid } = this.keys.sidParts(pair);
      if (domain >= 0 && this.rids.get(domain, name) === rid) this.deleteRid(domain, name);
      this.drop(pair);
    }
  }

  /** Every pair, for the snapshot, one at a time: its SID's key id (`name` and `lastSeen` read the rest). */
  *pairIds(): IterableIterator<PairId> {
    for (let pair = 0; pair < this.nameKey.length; pair++) if (this.nameKey[pair] !== NONE) yield pair;
  }

  /** Every RID entry, for the snapshot, one at a time: domain id, the name's key id (`sam:<lower-case name>`), RID. */
  ridEntries(): IterableIterator<[number, KeyId, number]> {
    return this.rids.eachEntry();
  }

  /** A saved RID entry, as the snapshot reader restores it. */
  restoreRid(domainSid: string, lowerName: string, rid: number): void {
    const domain = this.keys.domainId(domainSid);
    if (domain !== undefined) this.setRid(domain, this.keys.acquire(`sam:${lowerName}`), rid, true);
  }

  private setRid(domain: number, name: KeyId, rid: number, acquired = false): void {
    const isNew = this.rids.set(domain, name, rid);
    if (!isNew && acquired) this.keys.release(name);
    else if (isNew && !acquired) this.keys.retain(name);
  }

  private deleteRid(domain: number, name: KeyId): void {
    if (this.rids.delete(domain, name)) this.keys.release(name);
  }

  private drop(pair: PairId): void {
    this.keys.release(this.nameKey[pair] as number);
    this.nameKey[pair] = NONE;
    this.written.delete(pair);
    this.count--;
    this.keys.release(pair);
  }

  private ensure(): void {
    const n = this.keys.capacity;
    if (this.nameKey.length >= n) return;
    const nameKey = new Int32Array(n).fill(NONE);
    nameKey.set(this.nameKey);
    this.nameKey = nameKey;
    const seen = new Float64Array(n);
    seen.set(this.seen);
    this.seen = seen;
    const nameCase = new Uint8Array(n);
    nameCase.set(this.nameCase);
    this.nameCase = nameCase;
  }
}
