import { StateInvalidError } from '../state/state-errors';
import type { LogonSession } from './directory-view';

/**
 * Logon sessions (4624 TargetLogonId → who, from where) in compact form (issue 13, item 2): a
 * ring of typed columns in arrival order, and one pool of interned strings for accounts,
 * addresses and workstations. At 3 M events the object-per-session form was 19 MB of state
 * JSON and a heap object of five fields plus three duplicated strings per session; here a
 * session is one Map entry and 26 bytes of columns, and "10.0.0.9" is held once.
 *
 * Arrival order doubles as age order (logon ids are unique per host boot), so both bounds cut
 * from the oldest end: the count bound, and the horizon of a ticket lifetime passed by the owner.
 */
export interface LogonSessionsSnapshot {
  /** Interned strings; id 0 means absent, id n is `strings[n - 1]`. */
  readonly strings: readonly string[];
  /** `host|logonId`, oldest first. */
  readonly keys: readonly string[];
  /** Per key, in key order: time, account id, ip id, workstation id, logon type (-1: absent). */
  readonly rows: readonly number[];
}

const FIELDS = 5;
const NO_TYPE = -1;

export class LogonSessions {
  private readonly slots = new Map<string, number>();
  private keys: (string | undefined)[] = [];
  private time: Float64Array;
  private account: Int32Array;
  private ip: Int32Array;
  private workstation: Int32Array;
  private logonType: Int16Array;
  /** Ring bounds: `head` is the oldest slot, `count` live slots follow it. */
  private head = 0;
  private count = 0;
  private pool = new StringPool();

  constructor(private readonly max: number, saved?: LogonSessionsSnapshot, where = 'directory.sessions') {
    const capacity = Math.min(max, 1024);
    this.time = new Float64Array(capacity);
    this.account = new Int32Array(capacity);
    this.ip = new Int32Array(capacity);
    this.workstation = new Int32Array(capacity);
    this.logonType = new Int16Array(capacity);
    this.keys = new Array<string | undefined>(capacity);
    if (saved !== undefined) this.restore(saved, where);
  }

  get size(): number {
    return this.count;
  }

  /** Records a session; a logon id seen again keeps its place in age order, as a Map would. */
  set(key: string, time: number, account: string, ip: string | undefined, workstation: string | undefined, logonType: number | undefined): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (this.count === this.max) this.dropOldest(this.max / 10);
      if (this.count === this.time.length) this.grow();
      slot = (this.head + this.count) % this.time.length;
      this.count++;
      this.slots.set(key, slot);
      this.keys[slot] = key;
    }
    this.time[slot] = time;
    this.account[slot] = this.pool.id(account);
    this.ip[slot] = ip ? this.pool.id(ip) : 0;
    this.workstation[slot] = workstation ? this.pool.id(workstation) : 0;
    this.logonType[slot] = logonType !== undefined && Number.isInteger(logonType) && logonType >= 0 && logonType < 32_768 ? logonType : NO_TYPE;
  }

  get(key: string): LogonSession | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    const session: { -readonly [K in keyof LogonSession]: LogonSession[K] } = { account: this.pool.text(this.account[slot] as number) as string, time: this.time[slot] as number };
    const ip = this.pool.text(this.ip[slot] as number);
    if (ip !== undefined) session.ip = ip;
    const ws = this.pool.text(this.workstation[slot] as number);
    if (ws !== undefined) session.workstation = ws;
    const type = this.logonType[slot] as number;
    if (type !== NO_TYPE) session.logonType = type;
    return session;
  }

  /** Drops sessions older than `cutoff`, oldest first, stopping at the first newer one (age order). */
  dropBefore(cutoff: number): void {
    let n = 0;
    while (n < this.count && (this.time[(this.head + n) % this.time.length] as number) < cutoff) n++;
    this.dropOldest(n);
  }

  snapshot(): LogonSessionsSnapshot {
    const pool = new StringPool();
    const keys: string[] = [];
    const rows: number[] = [];
    for (let n = 0; n < this.count; n++) {
      const s = (this.head + n) % this.time.length;
      keys.push(this.keys[s] as string);
      rows.push(this.time[s] as number, pool.reintern(this.pool, this.account[s] as number), pool.reintern(this.pool, this.ip[s] as number),
        pool.reintern(this.pool, this.workstation[s] as number), this.logonType[s] as number);
    }
    return { strings: pool.strings(), keys, rows };
  }

  private dropOldest(n: number): void {
    const cap = this.time.length;
    for (let i = 0; i < n && this.count > 0; i++) {
      this.slots.delete(this.keys[this.head] as string);
      this.keys[this.head] = undefined;
      this.head = (this.head + 1) % cap;
      this.count--;
    }
    // Strings of dropped sessions stay in the pool until it is rebuilt: once it holds more than
    // four per live session (each session names at most three), rebuilding is amortised O(1) a session.
    if (n > 0 && this.pool.size > 4 * this.count + 1024) this.compactPool();
  }

  private compactPool(): void {
    const next = new StringPool();
    for (let n = 0; n < this.count; n++) {
      const s = (this.head + n) % this.time.length;
      this.account[s] = next.reintern(this.pool, this.account[s] as number);
      this.ip[s] = next.reintern(this.pool, this.ip[s] as number);
      this.workstation[s] = next.reintern(this.pool, this.workstation[s] as number);
    }
    this.pool = next;
  }

  /** Doubles the ring (up to the bound), unrolling it so the oldest session is slot 0 again. */
  private grow(): void {
    const cap = this.time.length;
    const next = Math.min(this.max, cap * 2);
    const order = Array.from({ length: this.count }, (_, n) => (this.head + n) % cap);
    const move = <T extends Float64Array | Int32Array | Int16Array>(old: T, fresh: T): T => {
      order.forEach((s, n) => { fresh[n] = old[s] as number; });
      return fresh;
    };
    this.time = move(this.time, new Float64Array(next));
    this.account = move(this.account, new Int32Array(next));
    this.ip = move(this.ip, new Int32Array(next));
    this.workstation = move(this.workstation, new Int32Array(next));
    this.logonType = move(this.logonType, new Int16Array(next));
    const keys = new Array<string | undefined>(next);
    order.forEach((s, n) => {
      keys[n] = this.keys[s];
      this.slots.set(this.keys[s] as string, n);
    });
    this.keys = keys;
    this.head = 0;
  }

  /** A saved table is checked whole before any of it is used: a bad one is an error, never a cast. */
  private restore(saved: LogonSessionsSnapshot, where: string): void {
    if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.strings) || !Array.isArray(saved.keys) || !Array.isArray(saved.rows)) {
      throw new StateInvalidError(where, where, 'must be {"strings": [...], "keys": [...], "rows": [...]}');
    }
    const { strings, keys, rows } = saved;
    strings.forEach((s, i) => { if (typeof s !== 'string') throw new StateInvalidError(where, `${where}.strings[${i}]`, 'must be a string'); });
    if (new Set(keys).size !== keys.length) throw new StateInvalidError(where, `${where}.keys`, 'must be distinct');
    keys.forEach((k, i) => { if (typeof k !== 'string') throw new StateInvalidError(where, `${where}.keys[${i}]`, 'must be a string'); });
    if (rows.length !== keys.length * FIELDS) throw new StateInvalidError(where, `${where}.rows`, `must hold ${FIELDS} numbers per key (${keys.length * FIELDS})`);
    const isId = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= strings.length;
    for (let i = 0; i < keys.length; i++) {
      const [time, account, ip, ws, type] = rows.slice(i * FIELDS, i * FIELDS + FIELDS);
      const bad = (field: string, problem: string): never => { throw new StateInvalidError(where, `${where}.rows[${i * FIELDS + ['time', 'account', 'ip', 'workstation', 'logonType'].indexOf(field)}]`, `(${field} of ${keys[i]}) ${problem}`); };
      if (typeof time !== 'number' || !Number.isFinite(time)) bad('time', 'must be a finite number');
      if (!isId(account, 1)) bad('account', 'must be a string id');
      if (!isId(ip, 0)) bad('ip', 'must be a string id or 0');
      if (!isId(ws, 0)) bad('workstation', 'must be a string id or 0');
      if (!Number.isInteger(type) || (type as number) < NO_TYPE || (type as number) >= 32_768) bad('logonType', 'must be an integer, -1 when absent');
    }
    for (let i = 0; i < keys.length; i++) {
      const r = rows.slice(i * FIELDS, i * FIELDS + FIELDS) as number[];
      const text = (id: number): string | undefined => (id === 0 ? undefined : strings[id - 1]);
      this.set(keys[i] as string, r[0] as number, text(r[1] as number) as string, text(r[2] as number), text(r[3] as number), r[4] === NO_TYPE ? undefined : r[4]);
    }
  }
}

/** Interned strings: id 0 is "absent", ids from 1. */
class StringPool {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      this.texts.push(s);
      id = this.texts.length;
      this.ids.set(s, id);
    }
    return id;
  }

  text(id: number): string | undefined {
    return id === 0 ? undefined : this.texts[id - 1];
  }

  /** The id in this pool of what `id` names in `from`. */
  reintern(from: StringPool, id: number): number {
    return id === 0 ? 0 : this.id(from.text(id) as string);
  }

  strings(): readonly string[] {
    return this.texts;
  }
}
