import type { KeyId } from './account-keys';

/**
 * The RID each account name was last seen with, per SID domain (the `rids` half of
 * core/estate/name-sid-pairs.ts), in two columns indexed by the name's key id: its domain id and
 * its RID. It replaced a Map of Maps (domain → name key → RID), whose tables were 3.5 MB at
 * 1 M events / 100 k accounts (bench/heap-census.ts); the columns are 8 bytes per key id.
 * One name in several domains (a forest with `alice` in two of them) is rare: the entries
 * after the first are kept in a Map beside the columns.
 */
const NONE = -1;

export class NameRids {
  private domainOf = new Int32Array(0);
  private ridOf = new Uint32Array(0);
  /** Entries whose name's column is taken by another domain: domain → name key → RID. */
  private readonly others = new Map<number, Map<KeyId, number>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(domain: number, name: KeyId): number | undefined {
    if (name < this.domainOf.length && this.domainOf[name] === domain) return this.ridOf[name] as number;
    return this.others.get(domain)?.get(name);
  }

  /** Sets the entry; true when it is new. */
  set(domain: number, name: KeyId, rid: number): boolean {
    if (name >= this.domainOf.length) this.grow(name + 1);
    const column = this.domainOf[name] as number;
    if (column === domain) {
      this.ridOf[name] = rid;
      return false;
    }
    // Checked before a free column is taken: an entry never lives in both places.
    let rids = this.others.get(domain);
    if (rids?.has(name)) {
      rids.set(name, rid);
      return false;
    }
    this.count++;
    if (column === NONE) {
      this.domainOf[name] = domain;
      this.ridOf[name] = rid;
    } else {
      if (!rids) this.others.set(domain, (rids = new Map()));
      rids.set(name, rid);
    }
    return true;
  }

  /** Deletes the entry; true when there was one. */
  delete(domain: number, name: KeyId): boolean {
    if (name < this.domainOf.length && this.domainOf[name] === domain) {
      this.domainOf[name] = NONE;
      this.count--;
      return true;
    }
    const rids = this.others.get(domain);
    if (!rids?.delete(name)) return false;
    if (rids.size === 0) this.others.delete(domain);
    this.count--;
    return true;
  }

  /** Every entry: `[domain id, name key id, RID]`, the columns' in key id order, then the others. */
  entries(): [number, KeyId, number][] {
    return [...this.eachEntry()];
  }

  /** The entries as `entries` lists them, one at a time (the snapshot makes a column of each field). */
  *eachEntry(): IterableIterator<[number, KeyId, number]> {
    for (let name = 0; name < this.domainOf.length; name++) {
      const domain = this.domainOf[name] as number;
      if (domain !== NONE) yield [domain, name, this.ridOf[name] as number];
    }
    for (const [domain, rids] of this.others) for (const [name, rid] of rids) yield [domain, name, rid];
  }

  private grow(need: number): void {
    // By half, as the key pool's own columns grow.
    const n = Math.max(need, Math.ceil(this.domainOf.length * 1.5), 1024);
    const domainOf = new Int32Array(n).fill(NONE);
    domainOf.set(this.domainOf);
    this.domainOf = domainOf;
    const ridOf = new Uint32Array(n);
    ridOf.set(this.ridOf);
    this.ridOf = ridOf;
  }
}
