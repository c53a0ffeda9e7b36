import { StateInvalidError } from '../state/state-errors';
import type { LogonSession } from './directory-view';
import { formatIpv4, parseIpv4 } from './ipv4-number';
import { CountedStrings } from './string-pool';
import { grownLength } from '../state/growth';
import { madeWhenRead } from '../state/made-when-read';

/**
 * Logon sessions (4624 TargetLogonId → who, from where) in compact form (issue 13): a ring of
 * typed columns in arrival order; one pool of interned strings (hosts, accounts, addresses,
 * workstations), each counted by the sessions naming it so it goes with the last of them; an
 * IPv4 address as its number; and an Int32Array open-addressing index from (host id, logon
 * id) to slot. No string per session: the `host|logonId` key each session had was ~60 bytes
 * of heap and a Map entry; here a session is 39 bytes of columns and ~10 of index.
 *
 * A logon id is a LUID (two 32-bit halves, MS docs "LUID structure"), logged as hex `0x…`;
 * it is held as its two halves. Only the canonical form (`0x` and lower-case digits without
 * leading zeros, as the normalisers produce) is read as a number, so two spellings are never
 * merged that were two keys before; any other text is interned as a string (hi = -1).
 *
 * Arrival order doubles as age order (logon ids are unique per host boot), so both bounds cut
 * from the oldest end: the count bound, and the horizon of a ticket lifetime passed by the owner.
 */
export interface LogonSessionsSnapshot {
  /** Interned strings; id 0 means absent, id n is `strings[n - 1]`. */
  readonly strings: readonly string[];
  /** Per session, oldest first: host id, logon id high half (-1: `lo` is the id of its text), low half, time, account id, ip id, workstation id, logon type (-1: absent). */
  readonly rows: readonly number[];
}

const FIELDS = 8;
const FIELD_NAMES = ['host', 'logonIdHigh', 'logonIdLow', 'time', 'account', 'ip', 'workstation', 'logonType'] as const;
const NO_TYPE = -1;
/** The high half of a logon id held as text: the low half is then its string id. */
const TEXT_ID = -1;
const EMPTY = 0;
const DELETED = -1;
/** In the ip column: the address is IPv4, held as its number in `ipv4` (core/estate/ipv4-number.ts). */
const IPV4 = -1;

export class LogonSessions {
  private host: Int32Array;
  private idHigh: Int32Array;
  private idLow: Int32Array;
  private time: Float64Array;
  private account: Int32Array;
  private ip: Int32Array;
  private ipv4: Uint32Array;
  private workstation: Int32Array;
  private logonType: Int16Array;
  /** Open addressing, linear probing: slot + 1, EMPTY or DELETED; at most half full. */
  private index: Int32Array;
  private deleted = 0;
  /** Ring bounds: `head` is the oldest slot, `count` live slots follow it. */
  private head = 0;
  private count = 0;
  private readonly pool = new CountedStrings();

  constructor(private readonly max: number, saved?: LogonSessionsSnapshot, where = 'directory.sessions') {
    const capacity = Math.min(max, 1024);
    this.host = new Int32Array(capacity);
    this.idHigh = new Int32Array(capacity);
    this.idLow = new Int32Array(capacity);
    this.time = new Float64Array(capacity);
    this.account = new Int32Array(capacity);
    this.ip = new Int32Array(capacity);
    this.ipv4 = new Uint32Array(capacity);
    this.workstation = new Int32Array(capacity);
    this.logonType = new Int16Array(capacity);
    this.index = new Int32Array(indexSize(capacity));
    if (saved !== undefined) this.restore(saved, where);
  }

  get size(): number {
    return this.count;
  }

  /** Records a session of `host` (a host key); a logon id seen again keeps its place in age order, as a Map would. */
  set(host: string, logonId: string, time: number, account: string, ip: string | undefined, workstation: string | undefined, logonType: number | undefined): void {
    const luid = parseLogonId(logonId);
    let slot = this.lookup(host, logonId, luid);
    if (slot < 0) {
      if (this.count === this.max) this.dropOldest(this.max / 10);
      if (this.count === this.time.length) this.grow();
      slot = (this.head + this.count) % this.time.length;
      this.count++;
      this.host[slot] = this.pool.acquire(host);
      this.idHigh[slot] = luid ? luid[0] : TEXT_ID;
      this.idLow[slot] = luid ? luid[1] : this.pool.acquire(logonId);
      this.insert(slot);
    } else {
      this.releaseFields(slot);
    }
    this.time[slot] = time;
    this.account[slot] = this.pool.acquire(account);
    const v4 = ip ? parseIpv4(ip) : undefined;
    this.ip[slot] = v4 !== undefined ? IPV4 : ip ? this.pool.acquire(ip) : 0;
    this.ipv4[slot] = v4 ?? 0;
    this.workstation[slot] = workstation ? this.pool.acquire(workstation) : 0;
    this.logonType[slot] = logonType !== undefined && Number.isInteger(logonType) && logonType >= 0 && logonType < 32_768 ? logonType : NO_TYPE;
  }

  /** The session of `logonId` on `host` (a host key), when its 4624 was seen. */
  get(host: string, logonId: string): LogonSession | undefined {
    const slot = this.lookup(host, logonId, parseLogonId(logonId));
    if (slot < 0) return undefined;
    const session: { -readonly [K in keyof LogonSession]: LogonSession[K] } = { account: this.pool.text(this.account[slot] as number) as string, time: this.time[slot] as number };
    const ip = this.ipOf(slot);
    if (ip !== undefined) session.ip = ip;
    const ws = this.pool.text(this.workstation[slot] as number);
    if (ws !== undefined) session.workstation = ws;
    const type = this.logonType[slot] as number;
    if (type !== NO_TYPE) session.logonType = type;
    return session;
  }

  /** Drops sessions older than `cutoff`, oldest first, stopping at the first newer one (age order): O(dropped). */
  dropBefore(cutoff: number): void {
    let n = 0;
    while (n < this.count && (this.time[(this.head + n) % this.time.length] as number) < cutoff) n++;
    this.dropOldest(n);
  }

  /** Each column made when read (core/state/made-when-read.ts), the strings renumbered afresh by each. */
  snapshot(): LogonSessionsSnapshot {
    return madeWhenRead<LogonSessionsSnapshot>({
      strings: () => this.renumbered(),
      rows: () => {
        const rows: number[] = [];
        this.renumbered(rows);
        return rows;
      },
    });
  }

  /**
   * The strings sessions name, oldest session first, in order of first use, numbered densely
   * from 1 (only those still named: the pool holds no other); each session's fields, so
   * numbered, pushed to `rows` when given. A string is one entry whichever fields name it:
   * an IPv4 address (held as its number) is the pooled string of the same text when there is
   * one (a workstation named by its address).
   */
  private renumbered(rows?: number[]): string[] {
    const strings: string[] = [];
    // By old id, not by text: a typed array, no Map of 100 k strings per walk.
    const fresh = new Int32Array(this.pool.maxId + 1);
    const addresses = new Map<string, number>();
    const id = (old: number): number => {
      if (old === 0) return 0;
      let n = fresh[old] as number;
      if (n === 0) {
        strings.push(this.pool.text(old) as string);
        n = strings.length;
        fresh[old] = n;
      }
      return n;
    };
    const address = (text: string): number => {
      const pooled = this.pool.find(text);
      if (pooled !== 0) return id(pooled);
      let n = addresses.get(text);
      if (n === undefined) {
        strings.push(text);
        n = strings.length;
        addresses.set(text, n);
      }
      return n;
    };
    for (let n = 0; n < this.count; n++) {
      const s = (this.head + n) % this.time.length;
      const high = this.idHigh[s] as number;
      const host = id(this.host[s] as number);
      const low = high === TEXT_ID ? id(this.idLow[s] as number) : (this.idLow[s] as number) >>> 0;
      const account = id(this.account[s] as number);
      const ip = this.ip[s] === IPV4 ? address(this.ipOf(s) as string) : id(this.ip[s] as number);
      const workstation = id(this.workstation[s] as number);
      rows?.push(host, high === TEXT_ID ? TEXT_ID : high >>> 0, low, this.time[s] as number, account, ip, workstation, this.logonType[s] as number);
    }
    return strings;
  }

  private ipOf(slot: number): string | undefined {
    const id = this.ip[slot] as number;
    return id === IPV4 ? formatIpv4(this.ipv4[slot] as number) : this.pool.text(id);
  }

  /** The slot of the session, or -1; a host or a text logon id no session names has none. */
  private lookup(host: string, logonId: string, luid: readonly [number, number] | undefined): number {
    const hostId = this.pool.find(host);
    const low = luid ? luid[1] : this.pool.find(logonId);
    return hostId === 0 || (low === 0 && !luid) ? -1 : this.find(hostId, luid ? luid[0] : TEXT_ID, low);
  }

  /** The strings a session's fields name, let go before they are overwritten. */
  private releaseFields(slot: number): void {
    this.pool.release(this.account[slot] as number);
    if (this.ip[slot] !== IPV4) this.pool.release(this.ip[slot] as number);
    this.pool.release(this.workstation[slot] as number);
  }

  /** The slot of a session, or -1. */
  private find(host: number, high: number, low: number): number {
    const mask = this.index.length - 1;
    for (let i = hashOf(host, high, low) & mask; ; i = (i + 1) & mask) {
      const e = this.index[i] as number;
      if (e === EMPTY) return -1;
      if (e === DELETED) continue;
      const s = e - 1;
      if (this.host[s] === host && this.idLow[s] === low && this.idHigh[s] === high) return s;
    }
  }

  private insert(slot: number): void {
    const mask = this.index.length - 1;
    let i = hashOf(this.host[slot] as number, this.idHigh[slot] as number, this.idLow[slot] as number) & mask;
    while ((this.index[i] as number) > 0) i = (i + 1) & mask;
    if (this.index[i] === DELETED) this.deleted--;
    this.index[i] = slot + 1;
  }

  private unindex(slot: number): void {
    const mask = this.index.length - 1;
    for (let i = hashOf(this.host[slot] as number, this.idHigh[slot] as number, this.idLow[slot] as number) & mask; ; i = (i + 1) & mask) {
      const e = this.index[i] as number;
      if (e === EMPTY) return;
      if (e === slot + 1) {
        this.index[i] = DELETED;
        this.deleted++;
        return;
      }
    }
  }

  /** The index rebuilt from the live slots: on growth, and once deleted marks fill a quarter of it. */
  private reindex(): void {
    this.index = new Int32Array(indexSize(this.time.length));
    this.deleted = 0;
    for (let n = 0; n < this.count; n++) this.insert((this.head + n) % this.time.length);
  }

  private dropOldest(n: number): void {
    const cap = this.time.length;
    for (let i = 0; i < n && this.count > 0; i++) {
      const s = this.head;
      this.unindex(s);
      this.releaseFields(s);
      this.pool.release(this.host[s] as number);
      if (this.idHigh[s] === TEXT_ID) this.pool.release(this.idLow[s] as number);
      this.head = (s + 1) % cap;
      this.count--;
    }
    if (this.deleted > this.index.length / 4) this.reindex();
  }

  /** Grows the ring (up to the bound, core/state/growth.ts), unrolling it so the oldest session is slot 0 again. */
  private grow(): void {
    const cap = this.time.length;
    const next = Math.min(this.max, grownLength(cap));
    const order = Array.from({ length: this.count }, (_, n) => (this.head + n) % cap);
    const move = <T extends Float64Array | Int32Array | Uint32Array | Int16Array>(old: T, fresh: T): T => {
      order.forEach((s, n) => { fresh[n] = old[s] as number; });
      return fresh;
    };
    this.host = move(this.host, new Int32Array(next));
    this.idHigh = move(this.idHigh, new Int32Array(next));
    this.idLow = move(this.idLow, new Int32Array(next));
    this.time = move(this.time, new Float64Array(next));
    this.account = move(this.account, new Int32Array(next));
    this.ip = move(this.ip, new Int32Array(next));
    this.ipv4 = move(this.ipv4, new Uint32Array(next));
    this.workstation = move(this.workstation, new Int32Array(next));
    this.logonType = move(this.logonType, new Int16Array(next));
    this.head = 0;
    this.reindex();
  }

  /** A saved table is checked whole before any of it is used: a bad one is an error, never a cast. */
  private restore(saved: LogonSessionsSnapshot, where: string): void {
    if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.strings) || !Array.isArray(saved.rows)) {
      throw new StateInvalidError(where, where, 'must be {"strings": [...], "rows": [...]}');
    }
    const { strings, rows } = saved;
    strings.forEach((s, i) => { if (typeof s !== 'string') throw new StateInvalidError(where, `${where}.strings[${i}]`, 'must be a string'); });
    if (rows.length % FIELDS !== 0) throw new StateInvalidError(where, `${where}.rows`, `must hold ${FIELDS} numbers per session (${FIELD_NAMES.join(', ')})`);
    const isId = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= strings.length;
    const isHalf = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
    const text = (id: number): string | undefined => (id === 0 ? undefined : strings[id - 1]);
    for (let i = 0; i < rows.length / FIELDS; i++) {
      const [host, high, low, time, account, ip, ws, type] = rows.slice(i * FIELDS, i * FIELDS + FIELDS);
      const bad = (field: typeof FIELD_NAMES[number], problem: string): never => {
        throw new StateInvalidError(where, `${where}.rows[${i * FIELDS + FIELD_NAMES.indexOf(field)}]`, `(${field} of session ${i}) ${problem}`);
      };
      if (!isId(host, 1)) bad('host', 'must be a string id');
      if (high !== TEXT_ID && !isHalf(high)) bad('logonIdHigh', 'must be a 32-bit unsigned integer, or -1 for a logon id held as text');
      if (high === TEXT_ID ? !isId(low, 1) : !isHalf(low)) bad('logonIdLow', high === TEXT_ID ? 'must be a string id' : 'must be a 32-bit unsigned integer');
      if (typeof time !== 'number' || !Number.isFinite(time)) bad('time', 'must be a finite number');
      if (!isId(account, 1)) bad('account', 'must be a string id');
      if (!isId(ip, 0)) bad('ip', 'must be a string id or 0');
      if (!isId(ws, 0)) bad('workstation', 'must be a string id or 0');
      if (!Number.isInteger(type) || (type as number) < NO_TYPE || (type as number) >= 32_768) bad('logonType', 'must be an integer, -1 when absent');
    }
    for (let i = 0; i < rows.length; i += FIELDS) {
      const r = rows.slice(i, i + FIELDS) as number[];
      const high = r[1] as number;
      const id = high === TEXT_ID ? text(r[2] as number) as string : formatLogonId(high, r[2] as number);
      const before = this.count;
      this.set(text(r[0] as number) as string, id, r[3] as number, text(r[4] as number) as string, text(r[5] as number), text(r[6] as number), r[7] === NO_TYPE ? undefined : r[7]);
      if (this.count === before) throw new StateInvalidError(where, `${where}.rows[${i + 2}]`, `(logonIdLow of session ${i / FIELDS}) repeats the session ${text(r[0] as number) as string}|${id}`);
    }
  }
}

const CANONICAL_LOGON_ID = /^0x(?:0|[1-9a-f][0-9a-f]{0,15})$/;

/** A logon id in canonical hex as its two 32-bit halves (signed, as the Int32 columns hold them); else undefined. */
export function parseLogonId(logonId: string): readonly [number, number] | undefined {
  if (!CANONICAL_LOGON_ID.test(logonId)) return undefined;
  const digits = logonId.slice(2);
  const split = Math.max(0, digits.length - 8);
  return [split === 0 ? 0 : parseInt(digits.slice(0, split), 16) | 0, parseInt(digits.slice(split), 16) | 0];
}

/** The canonical text of a logon id from its halves (either signed or unsigned). */
export function formatLogonId(high: number, low: number): string {
  const h = high >>> 0;
  const l = (low >>> 0).toString(16);
  return h === 0 ? `0x${l}` : `0x${h.toString(16)}${l.padStart(8, '0')}`;
}

function indexSize(capacity: number): number {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  return size;
}

/** A 32-bit mix of the three ints (murmur3's finaliser): spreads consecutive logon ids over the index. */
function hashOf(host: number, high: number, low: number): number {
  let h = Math.imul(low, 0xcc9e2d51) ^ Math.imul(host + 0x9e3779b9, 0x1b873593) ^ high;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
