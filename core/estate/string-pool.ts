import { KeySlots } from '../state/key-slots';

/**
 * Interned strings counted by the rows that name them: a string goes when its last row does,
 * so the pool holds exactly the live strings, with no rebuild. Logon sessions turn over
 * every ticket lifetime; a pool that only grew (rebuilt at five strings per live session)
 * held 180,000 strings for 87,000 sessions at 1 M events (issue 13). Id 0 is "absent", id
 * n the key slot n - 1. The strings live as UTF-8 bytes in key slots (core/state/key-slots.ts),
 * not as a Map and an array of strings: at 1 M events the Map's table alone was 7 MB for
 * 105,000 strings (a V8 hash table keeps room for deleted entries until it is rebuilt), the
 * pool 12.6 MB of heap in all (bench/heap-census.ts).
 */
export class CountedStrings {
  private readonly keys = new KeySlots();
  private counts = new Int32Array(1024);

  get size(): number {
    return this.keys.size;
  }

  /** Ids are at most this. */
  get maxId(): number {
    return this.counts.length;
  }

  /** The id of `s`, one more row naming it. */
  acquire(s: string): number {
    const slot = this.keys.add(s);
    if (slot >= this.counts.length) {
      const more = new Int32Array(Math.max(this.keys.capacity, slot + 1));
      more.set(this.counts);
      this.counts = more;
    }
    this.counts[slot] = (this.counts[slot] as number) + 1;
    return slot + 1;
  }

  /** One row fewer naming `id` (0: nothing); the string goes with its last row. */
  release(id: number): void {
    if (id === 0) return;
    const n = (this.counts[id - 1] as number) - 1;
    this.counts[id - 1] = n;
    if (n <= 0) this.keys.delete(id - 1);
  }

  /** The id of `s`, or 0 when no row names it (a lookup never grows the pool). */
  find(s: string): number {
    return this.keys.find(s) + 1;
  }

  text(id: number): string | undefined {
    return id === 0 || !this.keys.has(id - 1) ? undefined : this.keys.key(id - 1);
  }
}
