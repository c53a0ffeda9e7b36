import { KeySlots } from '../state/key-slots';

/**
 * The Kerberos ledger's TGT rows in typed arrays (issue 13, item 2): accounts and the interned
 * addresses and DC names are KeySlots (core/state/key-slots.ts), each TGT address one row of a
 * pooled Float64Array (ip id, time, dc id, etype, pre-auth type, renewed), an account's rows a
 * short linked list in an Int32Array, oldest first. The Map of per-account number arrays and
 * the interned string array it replaces cost ~150 bytes of V8 heap per account; a row here is
 * 52 bytes and an account 16 plus its name's bytes. A string is freed when its last row goes.
 */
export const STRIDE = 6;
export const IP = 0;
export const TIME = 1;
export const DC = 2;
export const ETYPE = 3;
export const PREAUTH = 4;
export const RENEWED = 5;
/** A client takes its TGTs at a handful of addresses; a ninth evicts the oldest (as pass_the_ticket did). */
export const MAX_ADDRESSES = 8;

const NONE = -1;

/** One row as its readers see it: string ids resolved by the owner. */
export interface TgtRow {
  readonly ip: number;
  readonly time: number;
  readonly dc: number;
  readonly etype: number;
  readonly preAuthType: number;
  readonly renewed: boolean;
}

export class TgtLists {
  private readonly accounts = new KeySlots();
  /** Per account slot: its first row, or NONE. */
  private head: Int32Array = new Int32Array(64).fill(NONE);
  /** Addresses and DC names; id n is slot n − 1, 0 is "none". */
  private readonly strings = new KeySlots();
  private refs: Int32Array = new Int32Array(64);
  private rows = new Float64Array(64 * STRIDE);
  private next: Int32Array = new Int32Array(64).fill(NONE);
  private freeRow = NONE;
  private rowsUsed = 0;

  get size(): number {
    return this.accounts.size;
  }

  has(key: string): boolean {
    return this.accounts.find(key) >= 0;
  }

  /** An issue (or renewal) of a TGT to `ip` (undefined: no address) by `dc` at `time`. */
  record(key: string, ip: string | undefined, time: number, dc: string, etype: number, preAuth: number, renewed: boolean): void {
    let account = this.accounts.find(key);
    let last = NONE;
    let n = 0;
    let oldest = NONE;
    if (account >= 0) {
      const ipId = ip === undefined ? 0 : this.idOf(ip);
      // An address not interned is on no row (0 is "no address", which only `undefined` matches).
      const mayMatch = ip === undefined || ipId !== 0;
      for (let r = this.head[account] as number; r !== NONE; r = this.next[r] as number) {
        const at = r * STRIDE;
        if (mayMatch && this.rows[at + IP] === ipId) {
          if (time >= (this.rows[at + TIME] as number)) {
            this.rows[at + TIME] = time;
            this.setString(at + DC, dc);
            // A renewal keeps the etype and pre-auth of the issue it extends when it logs none.
            if (!renewed || etype !== 0) this.rows[at + ETYPE] = etype;
            if (!renewed) this.rows[at + PREAUTH] = preAuth;
            this.rows[at + RENEWED] = renewed ? 1 : 0;
          }
          return;
        }
        if (oldest === NONE || (this.rows[at + TIME] as number) < (this.rows[oldest * STRIDE + TIME] as number)) oldest = r;
        last = r;
        n++;
      }
      if (n >= MAX_ADDRESSES) {
        if ((this.rows[(oldest as number) * STRIDE + TIME] as number) > time) return;
        if (oldest === last) last = this.before(account, oldest);
        this.unlink(account, oldest);
      }
    } else {
      account = this.accounts.add(key);
      this.fitAccounts();
      this.head[account] = NONE;
    }
    const r = this.newRow();
    const at = r * STRIDE;
    this.rows[at + IP] = ip === undefined ? 0 : this.intern(ip);
    this.rows[at + TIME] = time;
    this.rows[at + DC] = this.intern(dc);
    this.rows[at + ETYPE] = etype;
    this.rows[at + PREAUTH] = preAuth;
    this.rows[at + RENEWED] = renewed ? 1 : 0;
    this.next[r] = NONE;
    if (last === NONE || this.head[account] === NONE) this.head[account] = r;
    else this.next[last] = r;
  }

  /** Calls `visit` with each row of `key`, oldest first, until it returns true; whether one did. */
  some(key: string, visit: (row: TgtRow) => boolean): boolean {
    const account = this.accounts.find(key);
    if (account < 0) return false;
    for (let r = this.head[account] as number; r !== NONE; r = this.next[r] as number) if (visit(this.view(r))) return true;
    return false;
  }

  /** Whether `key` has a row whose time is within [from, to], at the address of id `ip` (any address when undefined). */
  hasRowBetween(key: string, from: number, to: number, ip?: string): boolean {
    const account = this.accounts.find(key);
    if (account < 0) return false;
    const ipId = ip === undefined ? NONE : this.idOf(ip);
    if (ipId === 0) return false;
    for (let r = this.head[account] as number; r !== NONE; r = this.next[r] as number) {
      const at = r * STRIDE;
      const t = this.rows[at + TIME] as number;
      if (t >= from && t <= to && (ipId === NONE || this.rows[at + IP] === ipId)) return true;
    }
    return false;
  }

  /**
   * Whether `key` has a row with an address, timed within [from, to], whose address passes
   * `test` (any address, when undefined). No row view is made and an address is decoded from
   * the arena only for `test`: pass_the_ticket asks this for every service ticket (issue 13:
   * building the address list for it was 3.6% of a 10 M-event pass).
   */
  hasAddressBetween(key: string, from: number, to: number, test?: (ip: string) => boolean): boolean {
    const account = this.accounts.find(key);
    if (account < 0) return false;
    for (let r = this.head[account] as number; r !== NONE; r = this.next[r] as number) {
      const at = r * STRIDE;
      const ip = this.rows[at + IP] as number;
      const t = this.rows[at + TIME] as number;
      if (ip !== 0 && t >= from && t <= to && (test === undefined || test(this.stringOf(ip) as string))) return true;
    }
    return false;
  }

  /** The string of id `id` (undefined for 0). */
  stringOf(id: number): string | undefined {
    return id === 0 ? undefined : this.strings.key(id - 1);
  }

  /** Rows issued before `horizon` go; an account left with none goes. */
  dropBefore(horizon: number): void {
    for (const account of [...this.accounts.slots()]) {
      for (let r = this.head[account] as number; r !== NONE;) {
        const following = this.next[r] as number;
        if ((this.rows[r * STRIDE + TIME] as number) < horizon) this.unlink(account, r);
        r = following;
      }
      if (this.head[account] === NONE) this.accounts.delete(account);
    }
  }

  /** Every account in slot order with its rows, for the snapshot. */
  *entries(): IterableIterator<[string, TgtRow[]]> {
    for (const account of this.accounts.slots()) {
      const list: TgtRow[] = [];
      for (let r = this.head[account] as number; r !== NONE; r = this.next[r] as number) list.push(this.view(r));
      yield [this.accounts.key(account), list];
    }
  }

  private view(r: number): TgtRow {
    const at = r * STRIDE;
    const a = this.rows;
    return { ip: a[at + IP] as number, time: a[at + TIME] as number, dc: a[at + DC] as number, etype: a[at + ETYPE] as number, preAuthType: a[at + PREAUTH] as number, renewed: a[at + RENEWED] === 1 };
  }

  /** The id of an interned string, or 0 when it is not interned (no row refers to it). */
  private idOf(s: string): number {
    return this.strings.find(s) + 1;
  }

  private intern(s: string): number {
    const slot = this.strings.add(s);
    if (slot >= this.refs.length) this.refs = grownInt(this.refs, this.strings.capacity, 0);
    this.refs[slot] = (this.refs[slot] as number) + 1;
    return slot + 1;
  }

  private release(id: number): void {
    if (id === 0) return;
    const slot = id - 1;
    this.refs[slot] = (this.refs[slot] as number) - 1;
    if (this.refs[slot] === 0) this.strings.delete(slot);
  }

  private setString(at: number, s: string): void {
    const old = this.rows[at] as number;
    const id = this.intern(s);
    this.release(old);
    this.rows[at] = id;
  }

  /** The row before `r` in the account's list (NONE when it is the first). */
  private before(account: number, r: number): number {
    let prev = NONE;
    for (let x = this.head[account] as number; x !== r && x !== NONE; x = this.next[x] as number) prev = x;
    return prev;
  }

  private unlink(account: number, r: number): void {
    const prev = this.before(account, r);
    if (prev === NONE) this.head[account] = this.next[r] as number;
    else this.next[prev] = this.next[r] as number;
    const at = r * STRIDE;
    this.release(this.rows[at + IP] as number);
    this.release(this.rows[at + DC] as number);
    this.next[r] = this.freeRow;
    this.freeRow = r;
  }

  private newRow(): number {
    if (this.freeRow !== NONE) {
      const r = this.freeRow;
      this.freeRow = this.next[r] as number;
      return r;
    }
    const r = this.rowsUsed++;
    if (r >= this.next.length) {
      const n = Math.ceil(this.next.length * 1.5);
      this.next = grownInt(this.next, n, NONE);
      const rows = new Float64Array(n * STRIDE);
      rows.set(this.rows);
      this.rows = rows;
    }
    return r;
  }

  private fitAccounts(): void {
    if (this.head.length < this.accounts.capacity) this.head = grownInt(this.head, this.accounts.capacity, NONE);
  }
}

function grownInt(a: Int32Array, n: number, fill: number): Int32Array {
  const next = new Int32Array(n).fill(fill);
  next.set(a);
  return next;
}
