/**
 * Today's distinct accounts of each front-end candidate (core/estate/front-ends.ts), as hashes
 * in one typed set for all sources (issue 13).
 */

/**
 * 32-bit FNV-1a (Fowler–Noll–Vo, draft-eastlake-fnv) over the name's UTF-16 code units: an
 * account held as 4 bytes instead of its name. Two accounts of one source and one day that
 * share a hash count once, so a collision can only *under*-count distinct accounts. For the
 * verdict: a front-end may be learned one account (at worst one day) later, and until then
 * the password-guessing detectors judge its users' typos as they would any source's — an
 * alert can come sooner, none is suppressed; no source is ever learned (its failures
 * excused) through a collision. Among the 30 accounts the bar needs, the chance of any
 * collision is about 30² / 2 / 2³² ≈ 1e-7 per source and day.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const EMPTY = 0;

/**
 * (row, account hash) pairs for the accounts each source saw today: one open-addressing set
 * in Int32Array columns for every source, instead of an array of names per source. A row's
 * pairs are live while the row's generation is the pair's: clearing a row is one new
 * generation (O(1)), and the dead pairs go when the set is rebuilt on growth.
 */
export class AccountsToday {
  private generation: Int32Array = new Int32Array(64);
  private nextGeneration = 1;
  private entryRow: Int32Array = new Int32Array(1024);
  private entryGeneration: Int32Array = new Int32Array(1024);
  private entryHash: Int32Array = new Int32Array(1024);
  private used = 0;

  /** Adds the pair; false when it was there already. */
  add(row: number, hash: number): boolean {
    while (row >= this.generation.length) this.generation = grown(this.generation);
    if ((this.generation[row] as number) === EMPTY) this.clear(row);
    const gen = this.generation[row] as number;
    const h = hash | 0;
    const mask = this.entryRow.length - 1;
    let free = -1;
    let i = spread(row, h) & mask;
    for (; this.entryGeneration[i] !== EMPTY; i = (i + 1) & mask) {
      const live = this.generation[this.entryRow[i] as number] === this.entryGeneration[i];
      if (!live) { if (free < 0) free = i; continue; }
      if (this.entryRow[i] === row && this.entryHash[i] === h) return false;
    }
    if (free < 0) {
      free = i;
      this.used++;
    }
    this.entryRow[free] = row;
    this.entryGeneration[free] = gen;
    this.entryHash[free] = h;
    if (this.used * 2 > this.entryRow.length) this.rebuild();
    return true;
  }

  /** Forgets the row's pairs. */
  clear(row: number): void {
    while (row >= this.generation.length) this.generation = grown(this.generation);
    this.generation[row] = this.nextGeneration++;
    // 2^31 days' worth of new days is out of reach; rebuild keeps the numbers small anyway.
    if (this.nextGeneration === 0x7fffffff) this.renumber();
  }

  /** Every live pair, the hash unsigned, in no particular order: one walk of the set. */
  forEach(visit: (row: number, hash: number) => void): void {
    for (let i = 0; i < this.entryRow.length; i++) {
      const row = this.entryRow[i] as number;
      if (this.entryGeneration[i] !== EMPTY && this.generation[row] === this.entryGeneration[i]) visit(row, (this.entryHash[i] as number) >>> 0);
    }
  }

  /** Only the live pairs kept, in a table sized for four times as many. */
  private rebuild(): void {
    const rows = this.entryRow;
    const gens = this.entryGeneration;
    const hashes = this.entryHash;
    let live = 0;
    for (let i = 0; i < rows.length; i++) if (gens[i] !== EMPTY && this.generation[rows[i] as number] === gens[i]) live++;
    let size = 1024;
    while (size < live * 4) size *= 2;
    this.entryRow = new Int32Array(size);
    this.entryGeneration = new Int32Array(size);
    this.entryHash = new Int32Array(size);
    this.used = 0;
    const mask = size - 1;
    for (let j = 0; j < rows.length; j++) {
      const row = rows[j] as number;
      if (gens[j] === EMPTY || this.generation[row] !== gens[j]) continue;
      let i = spread(row, hashes[j] as number) & mask;
      while (this.entryGeneration[i] !== EMPTY) i = (i + 1) & mask;
      this.entryRow[i] = row;
      this.entryGeneration[i] = gens[j] as number;
      this.entryHash[i] = hashes[j] as number;
      this.used++;
    }
  }

  private renumber(): void {
    this.rebuild();
    const fresh = new Map<number, number>();
    let next = 1;
    const renum = (g: number): number => {
      let n = fresh.get(g);
      if (n === undefined) { n = next++; fresh.set(g, n); }
      return n;
    };
    for (let r = 0; r < this.generation.length; r++) if (this.generation[r] !== EMPTY) this.generation[r] = renum(this.generation[r] as number);
    for (let i = 0; i < this.entryGeneration.length; i++) if (this.entryGeneration[i] !== EMPTY) this.entryGeneration[i] = renum(this.entryGeneration[i] as number);
    this.nextGeneration = next;
  }
}

function grown(a: Int32Array): Int32Array {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

function spread(row: number, hash: number): number {
  let h = Math.imul(row, 0x9e3779b1) ^ hash;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
