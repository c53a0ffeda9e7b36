import { EMPTY, IdIndex } from './id-index';

/**
 * The account key pool's SID keys found by domain id and RID (core/estate/account-keys.ts),
 * read from the pool's own columns (core/estate/id-index.ts). It replaced a Map<RID, key id>
 * per domain, whose table was 3.5 MB for 100,000 SIDs at 1 M events (bench/heap-census.ts).
 */

/** The pool's SID columns, by key id; the pool hands in new ones when it grows them. */
export interface SidColumns {
  readonly domainOf: Int32Array;
  readonly ridOf: Uint32Array;
}

export class SidIndex extends IdIndex {
  constructor(private columns: SidColumns) {
    super();
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

  protected homeOf(id: number): number {
    return home(this.columns.domainOf[id] as number, this.columns.ridOf[id] as number);
  }
}

/** A well-spread 32-bit mix of the pair (RIDs of one domain are consecutive: they must not share runs). */
function home(domain: number, rid: number): number {
  let h = Math.imul(rid ^ Math.imul(domain + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
