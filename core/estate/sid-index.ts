/**
 * The account key pool's SID keys found by domain id and RID (core/estate/account-keys.ts), in
 * one Int32Array of key ids: open addressing with linear probing, the domain and RID of a
 * candidate read from the pool's own columns. It replaced a Map<RID, key id> per domain, whose
 * table was 3.5 MB for 100,000 SIDs at 1 M events (bench/heap-census.ts); this is 4 bytes a
 * slot at most three quarters full. A deletion shifts the probe run back instead of leaving a
 * tombstone (Knuth 6.4, algorithm R), so the index never needs a rebuild to stay short.
 */
const EMPTY = -1;

/** The pool's SID columns, by key id; the pool hands in new ones when it grows them. */
export interface SidColumns {
  readonly domainOf: Int32Array;
  readonly ridOf: Uint32Array;
}

export class SidIndex {
  private slots = new Int32Array(1024).fill(EMPTY);
  private count = 0;

  constructor(private columns: SidColumns) {}

  get size(): number {
    return this.count;
  }

  /** The pool grew its columns: the same ids, new arrays. */
  use(columns: SidColumns): void {
    this.columns = columns;
  }

  find(domain: number, rid: number): number | undefined {
    const mask = this.slots.length - 1;
    for (let i = home(domain, rid) & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i] as number;
      if (id === EMPTY) return undefined;
      if (this.columns.ridOf[id] === rid && this.columns.domainOf[id] === domain) return id;
    }
  }

  /** Adds key `id`, whose domain and RID are already in the pool's columns (and not indexed yet). */
  add(id: number): void {
    if ((this.count + 1) * 4 > this.slots.length * 3) this.resize(this.slots.length * 2);
    this.place(id);
    this.count++;
  }

  /** Removes key `id` (its columns still hold its domain and RID). */
  delete(id: number): void {
    const mask = this.slots.length - 1;
    let i = this.homeOf(id) & mask;
    while (this.slots[i] !== id) {
      if (this.slots[i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Algorithm R: move back every later entry of the run whose home is not between the hole and it.
    for (let j = (i + 1) & mask; this.slots[j] !== EMPTY; j = (j + 1) & mask) {
      const k = this.homeOf(this.slots[j] as number) & mask;
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) {
        this.slots[i] = this.slots[j] as number;
        i = j;
      }
    }
    this.slots[i] = EMPTY;
    this.count--;
  }

  private place(id: number): void {
    const mask = this.slots.length - 1;
    let i = this.homeOf(id) & mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
    this.slots[i] = id;
  }

  private homeOf(id: number): number {
    return home(this.columns.domainOf[id] as number, this.columns.ridOf[id] as number);
  }

  private resize(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(EMPTY);
    for (let i = 0; i < old.length; i++) if (old[i] !== EMPTY) this.place(old[i] as number);
  }
}

/** A well-spread 32-bit mix of the pair (RIDs of one domain are consecutive: they must not share runs). */
function home(domain: number, rid: number): number {
  let h = Math.imul(rid ^ Math.imul(domain + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
