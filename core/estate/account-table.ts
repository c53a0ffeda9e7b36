import { AccountKeys, type KeyId } from './account-keys';
import { copiedInto, grownLength } from '../state/growth';

/**
 * The account table (issue 13, item 1): one row per identity, its facts in typed columns
 * indexed by row number, its keys (ids in the key pool, core/estate/account-keys.ts) linked
 * in a list per row. It replaced one object per identity with nine fields, a key array and a
 * Map entry per key (~30 MB of heap at 1 M events / 100 k accounts). The rare facts (display
 * name, tier reasons) live in side maps. A row number is reused once its row is freed, so it
 * names an identity only until the next `freeRow`.
 */

export type Row = number;

export const ROW_FLAG = { live: 1, seeded: 2, disabledKnown: 4, disabled: 8 } as const;

const NONE = -1;

export class AccountTable {
  readonly keys = new AccountKeys();
  seq = new Float64Array(1024);
  lastSeen = new Float64Array(1024);
  /** NaN: no successful authentication yet. */
  firstActive = new Float64Array(1024);
  lastActive = new Float64Array(1024);
  activeEvents = new Uint32Array(1024);
  flags = new Uint8Array(1024);
  /** A configured tier's code (identity-directory.ts), 0 for none. */
  tier = new Uint8Array(1024);
  /** The key whose text is the row's id; NONE when the id is none of its keys (`idText`). */
  idKey = new Int32Array(1024);
  private firstKey = new Int32Array(1024);
  private lastKey = new Int32Array(1024);
  private keyCounts = new Uint8Array(1024);
  /** Per key id: the row holding it and the next key of that row. */
  private keyOwner = new Int32Array(1024).fill(NONE);
  private keyNext = new Int32Array(1024).fill(NONE);
  /** Per key id: 1 once an account was linked by it this pass (identity-directory.ts `linkAccount`); not saved. */
  private keyLinked = new Uint8Array(1024);
  readonly idText = new Map<Row, string>();
  private readonly freeRows: Row[] = [];
  private end = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** Rows are below this; `isLive` tells which are in use. */
  get rowLimit(): number {
    return this.end;
  }

  isLive(row: Row): boolean {
    return row >= 0 && row < this.end && ((this.flags[row] as number) & ROW_FLAG.live) !== 0;
  }

  createRow(seq: number, lastSeen: number): Row {
    const row = this.freeRows.pop() ?? this.newRow();
    this.seq[row] = seq;
    this.lastSeen[row] = lastSeen;
    this.firstActive[row] = NaN;
    this.lastActive[row] = NaN;
    this.activeEvents[row] = 0;
    this.flags[row] = ROW_FLAG.live;
    this.tier[row] = 0;
    this.idKey[row] = NONE;
    this.firstKey[row] = NONE;
    this.lastKey[row] = NONE;
    this.keyCounts[row] = 0;
    this.live++;
    return row;
  }

  /** Frees the row and gives its keys back to the pool. */
  freeRow(row: Row): void {
    for (let k = this.firstKey[row] as number; k !== NONE;) {
      const next = this.keyNext[k] as number;
      this.keyOwner[k] = NONE;
      this.keyNext[k] = NONE;
      this.keyLinked[k] = 0;
      this.keys.release(k);
      k = next;
    }
    this.flags[row] = 0;
    this.idText.delete(row);
    this.live--;
    this.freeRows.push(row);
  }

  /** The row holding a key, if any. */
  ownerOf(key: KeyId | undefined): Row | undefined {
    if (key === undefined || key >= this.keyOwner.length) return undefined;
    const row = this.keyOwner[key] as number;
    return row === NONE ? undefined : row;
  }

  /** Adds a key no row holds to the end of the row's keys, acquiring it in the pool. */
  addKey(row: Row, text: string): KeyId {
    const key = this.keys.acquire(text);
    this.ensureKeyColumns();
    this.keyOwner[key] = row;
    this.keyNext[key] = NONE;
    this.keyLinked[key] = 0;
    const last = this.lastKey[row] as number;
    if (last === NONE) this.firstKey[row] = key;
    else this.keyNext[last] = key;
    this.lastKey[row] = key;
    this.keyCounts[row] = (this.keyCounts[row] as number) + 1;
    return key;
  }

  /** Moves `from`'s keys to the end of `into`'s, up to `max` keys in all; the rest are released. */
  moveKeys(from: Row, into: Row, max: number): void {
    for (let k = this.firstKey[from] as number; k !== NONE;) {
      const next = this.keyNext[k] as number;
      this.keyNext[k] = NONE;
      this.keyLinked[k] = 0;
      if ((this.keyCounts[into] as number) < max) {
        this.keyOwner[k] = into;
        const last = this.lastKey[into] as number;
        if (last === NONE) this.firstKey[into] = k;
        else this.keyNext[last] = k;
        this.lastKey[into] = k;
        this.keyCounts[into] = (this.keyCounts[into] as number) + 1;
      } else {
        this.keyOwner[k] = NONE;
        this.keys.release(k);
      }
      k = next;
    }
    this.firstKey[from] = NONE;
    this.lastKey[from] = NONE;
    this.keyCounts[from] = 0;
  }

  /** Whether an account was linked by this key since its row last changed hands. */
  linkedBy(key: KeyId): boolean {
    return this.keyLinked[key] === 1;
  }

  markLinkedBy(key: KeyId): void {
    this.keyLinked[key] = 1;
  }

  keyCount(row: Row): number {
    return this.keyCounts[row] as number;
  }

  /** The row's key ids in the order they were added. */
  keyIds(row: Row): KeyId[] {
    const out: KeyId[] = [];
    for (let k = this.firstKey[row] as number; k !== NONE; k = this.keyNext[k] as number) out.push(k);
    return out;
  }

  /** The row's keys as text (`sid:…`, `sam:…`), in order. */
  keyTexts(row: Row): string[] {
    return this.keyIds(row).map((k) => this.keys.text(k));
  }

  private newRow(): Row {
    const row = this.end++;
    if (row >= this.seq.length) {
      const n = grownLength(this.seq.length);
      this.seq = copiedInto(this.seq, new Float64Array(n));
      this.lastSeen = copiedInto(this.lastSeen, new Float64Array(n));
      this.firstActive = copiedInto(this.firstActive, new Float64Array(n));
      this.lastActive = copiedInto(this.lastActive, new Float64Array(n));
      this.activeEvents = copiedInto(this.activeEvents, new Uint32Array(n));
      this.flags = copiedInto(this.flags, new Uint8Array(n));
      this.tier = copiedInto(this.tier, new Uint8Array(n));
      this.idKey = copiedInto(this.idKey, new Int32Array(n));
      this.firstKey = copiedInto(this.firstKey, new Int32Array(n));
      this.lastKey = copiedInto(this.lastKey, new Int32Array(n));
      this.keyCounts = copiedInto(this.keyCounts, new Uint8Array(n));
    }
    return row;
  }

  private ensureKeyColumns(): void {
    const n = this.keys.capacity;
    if (this.keyOwner.length >= n) return;
    this.keyOwner = copiedInto(this.keyOwner, new Int32Array(n).fill(NONE));
    this.keyNext = copiedInto(this.keyNext, new Int32Array(n).fill(NONE));
    this.keyLinked = copiedInto(this.keyLinked, new Uint8Array(n));
  }
}
