/**
 * An index of a pool's ids by a key the pool's own columns hold (core/estate/sid-index.ts: a
 * SID's domain and RID; text-index.ts: a key's text), in one Int32Array of ids: open
 * addressing with linear probing, at most three quarters full, 4 bytes a slot. It replaces a
 * Map from the key to the id, whose table held the key again and growth slack (issue 13). A
 * deletion shifts the probe run back instead of leaving a tombstone (Knuth 6.4, algorithm R),
 * so the index never needs a rebuild to stay short. A subclass says where an id's key hashes
 * to and finds by key.
 */
export const EMPTY = -1;

export abstract class IdIndex {
  protected slots = new Int32Array(1024).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `id`, whose key is already in the pool's columns (and not indexed yet). */
  add(id: number): void {
    if ((this.count + 1) * 4 > this.slots.length * 3) this.resize(this.slots.length * 2);
    this.place(id);
    this.count++;
  }

  /** Removes `id` (the pool's columns still hold its key). */
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

  /** The hash of the key `id` has in the pool's columns (non-negative, well spread). */
  protected abstract homeOf(id: number): number;

  private place(id: number): void {
    const mask = this.slots.length - 1;
    let i = this.homeOf(id) & mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
    this.slots[i] = id;
  }

  private resize(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(EMPTY);
    for (let i = 0; i < old.length; i++) if (old[i] !== EMPTY) this.place(old[i] as number);
  }
}
