/**
 * A set of string keys, each at an integer slot, held in typed arrays (issue 13, item 2): the
 * keys as UTF-8 bytes in one growing Uint8Array, an open-addressing hash index in an Int32Array.
 * A Map<string, number> costs V8 heap per entry (the key string's header, the table's entry,
 * its growth slack): some 60–80 bytes for an account name or address; here a key costs its bytes
 * plus 16 bytes of slot arrays and 4–8 of index. Slots of deleted keys are reused; the bytes of
 * deleted keys are reclaimed once they are most of the arena. Lookups encode the key into a
 * scratch buffer and compare bytes, so nothing is allocated per lookup of an ASCII key.
 */
import { copiedInto, grownLength } from './growth';

const EMPTY = -1;
const DELETED = -2;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KeySlots {
  private bytes = new Uint8Array(4096);
  private used = 0;
  private garbage = 0;
  /** Per slot: where its bytes start (-1: a free slot), how many, and its hash. */
  private start = new Int32Array(64).fill(-1);
  private length: Int32Array = new Int32Array(64);
  private hashes: Int32Array = new Int32Array(64);
  /** Slots ever handed out; slots below it are live or on the free list. */
  private highWater = 0;
  private count = 0;
  private readonly free: number[] = [];
  private index = new Int32Array(128).fill(EMPTY);
  private deletedInIndex = 0;
  private scratch = new Uint8Array(256);
  /** The scratch's encoded length and hash, as `find` left them for `add`. */
  private lastLength = 0;
  private lastHash = 0;

  get size(): number {
    return this.count;
  }

  /** Slots are below this: what a column indexed by slot must hold. */
  get capacity(): number {
    return this.start.length;
  }

  /** The slot of `key`, or -1. */
  find(key: string): number {
    const n = this.encode(key);
    const h = hash(this.scratch, n);
    this.lastLength = n;
    this.lastHash = h;
    const mask = this.index.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.index[i] as number;
      if (s === EMPTY) return -1;
      if (s !== DELETED && this.hashes[s] === h && this.equals(s, n)) return s;
    }
  }

  /** The slot of `key`, added when new. */
  add(key: string): number {
    const found = this.find(key);
    if (found >= 0) return found;
    const n = this.lastLength; // `find` left the key encoded in the scratch
    const h = this.lastHash;
    const slot = this.free.pop() ?? this.highWater++;
    if (slot >= this.start.length) this.growSlots();
    if (this.used + n > this.bytes.length) this.growBytes(n);
    this.bytes.set(this.scratch.subarray(0, n), this.used);
    this.start[slot] = this.used;
    this.length[slot] = n;
    this.hashes[slot] = h;
    this.used += n;
    this.count++;
    this.insert(slot, h);
    // Linear probing stays short below 3/4 full; a fuller index would save little and probe long.
    if ((this.count + this.deletedInIndex) * 4 > this.index.length * 3) this.rehash();
    return slot;
  }

  delete(slot: number): void {
    if (!this.has(slot)) return;
    const mask = this.index.length - 1;
    for (let i = (this.hashes[slot] as number) & mask; ; i = (i + 1) & mask) {
      if (this.index[i] === slot) {
        this.index[i] = DELETED;
        break;
      }
    }
    this.deletedInIndex++;
    this.garbage += this.length[slot] as number;
    this.start[slot] = -1;
    this.free.push(slot);
    this.count--;
    if (this.garbage > 65_536 && this.garbage * 2 > this.used) this.compactBytes();
  }

  has(slot: number): boolean {
    return slot >= 0 && slot < this.highWater && (this.start[slot] as number) >= 0;
  }

  key(slot: number): string {
    const s = this.start[slot] as number;
    return decoder.decode(this.bytes.subarray(s, s + (this.length[slot] as number)));
  }

  /** The live slots in slot order. */
  *slots(): IterableIterator<number> {
    for (let s = 0; s < this.highWater; s++) if ((this.start[s] as number) >= 0) yield s;
  }

  private encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = new Uint8Array(key.length * 3);
    return encoder.encodeInto(key, this.scratch).written;
  }

  private equals(slot: number, n: number): boolean {
    if (this.length[slot] !== n) return false;
    const s = this.start[slot] as number;
    for (let i = 0; i < n; i++) if (this.bytes[s + i] !== this.scratch[i]) return false;
    return true;
  }

  private insert(slot: number, h: number): void {
    const mask = this.index.length - 1;
    let i = h & mask;
    while ((this.index[i] as number) >= 0) i = (i + 1) & mask;
    if (this.index[i] === DELETED) this.deletedInIndex--;
    this.index[i] = slot;
  }

  private rehash(): void {
    let size = 128;
    while (this.count * 2 > size) size *= 2;
    this.index = new Int32Array(size).fill(EMPTY);
    this.deletedInIndex = 0;
    for (const s of this.slots()) this.insert(s, this.hashes[s] as number);
  }

  private growSlots(): void {
    // By half, not double: at 100 k keys a doubling left a third of every slot column unused.
    const n = Math.ceil(this.start.length * 1.5);
    const start = new Int32Array(n).fill(-1);
    start.set(this.start);
    this.start = start;
    this.length = copiedInto(this.length, new Int32Array(n));
    this.hashes = copiedInto(this.hashes, new Int32Array(n));
  }

  private growBytes(need: number): void {
    let n = grownLength(this.bytes.length);
    while (n < this.used + need) n = grownLength(n);
    const next = new Uint8Array(n);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }

  /** Copies the live keys' bytes to a fresh arena: the slots keep their ids. */
  private compactBytes(): void {
    let size = 4096;
    while (size < 2 * (this.used - this.garbage)) size *= 2;
    const next = new Uint8Array(size);
    let at = 0;
    for (const s of this.slots()) {
      const from = this.start[s] as number;
      const n = this.length[s] as number;
      next.set(this.bytes.subarray(from, from + n), at);
      this.start[s] = at;
      at += n;
    }
    this.bytes = next;
    this.used = at;
    this.garbage = 0;
  }
}

/** FNV-1a over the bytes (a well-spread 32-bit hash that is cheap in JavaScript). */
function hash(bytes: Uint8Array, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h & 0x7fffffff;
}
