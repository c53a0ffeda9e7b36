import { StateInvalidError } from '../state/state-errors';
import { addDay, dayCount, NO_DAYS, type DayBits } from '../state/day-bits';
import { formatIpv4, parseIpv4 } from './ipv4-number';
import { copiedInto, grownLength } from '../state/growth';
import { madeWhenRead } from '../state/made-when-read';
import { KeySlots } from '../state/key-slots';

/**
 * Machines whose `HOST$` account logged on from an address (4624), held once for every
 * detector (issue 13), in typed columns: per machine its first and last sighting and a chain
 * of at most four addresses, first one first; per address its first and last use and the days
 * it was used (a day bitset, core/state/day-bits.ts). An IPv4 address is held as its 32-bit
 * number, any other as text. The object-per-machine form was a Machine, an array and an
 * object per address (~190 bytes of heap per machine at 1 M events). The host keys are a
 * KeySlots (core/state/key-slots.ts), a machine's row its slot: the Map of host strings it
 * replaced was 3.5 MB of table and 3 MB of strings on the V8 heap at 10 M events over 100 k
 * accounts (issue 13, bench/heap-snapshot-groups.ts).
 */
export interface MachineTableSnapshot {
  /** Host keys, in row order (a restored table keeps its saved order). */
  readonly keys: readonly string[];
  /** Per key: first seen, last seen, number of addresses (at most four). */
  readonly rows: readonly number[];
  /** The addresses, machine after machine, first one first. */
  readonly ips: readonly string[];
  /** Per address: first seen, last seen, days (a day bitset). */
  readonly addressRows: readonly number[];
}

export interface MachineAddress {
  readonly ip: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly days: DayBits;
}

export const MAX_ADDRESSES_PER_MACHINE = 4;
const NONE = -1;
/** An address held as text (see `textIps`): its number column says so. */
const TEXT_IP = -1;

export class MachineTable {
  /** Host key → row. */
  private readonly hosts = new KeySlots();
  private firstSeen = new Float64Array(64);
  private lastSeen = new Float64Array(64);
  /** The machine's first address (slot), or NONE. */
  private head = new Int32Array(64);
  private readonly freeSlots: number[] = [];
  private slots = 0;
  private ipNumber = new Float64Array(64);
  private readonly textIps = new Map<number, string>();
  private addrFirst = new Float64Array(64);
  private addrLast = new Float64Array(64);
  private addrDays = new Float64Array(64);
  private next = new Int32Array(64);

  constructor(saved?: MachineTableSnapshot, where = 'directory.machines') {
    if (saved !== undefined) this.restore(saved, where);
  }

  get size(): number {
    return this.hosts.size;
  }

  /** The machine's account logged on from `ip` at `time`. */
  observe(host: string, ip: string, time: number): void {
    const day = Math.floor(time / 86_400_000);
    let r = this.hosts.find(host);
    if (r < 0) {
      r = this.addMachine(host, time, time);
      this.head[r] = this.addAddress(ip, time, time, addDay(NO_DAYS, day));
      return;
    }
    // The machine is seen even from a fifth address that is not kept: its baseline is not idle.
    this.lastSeen[r] = Math.max(this.lastSeen[r] as number, time);
    let count = 0;
    let last = NONE;
    const n = parseIpv4(ip) ?? TEXT_IP;
    for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) {
      if (this.ipNumber[a] === n && (n !== TEXT_IP || this.textIps.get(a) === ip)) {
        this.addrLast[a] = time;
        this.addrDays[a] = addDay(this.addrDays[a] as number, day);
        return;
      }
      count++;
      last = a;
    }
    if (count >= MAX_ADDRESSES_PER_MACHINE) return;
    const a = this.addAddress(ip, time, time, addDay(NO_DAYS, day));
    if (last === NONE) this.head[r] = a;
    else this.next[last] = a;
  }

  /** The machine's addresses, first one first. */
  addresses(host: string): readonly MachineAddress[] {
    const r = this.hosts.find(host);
    const out: MachineAddress[] = [];
    if (r < 0) return out;
    for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) {
      out.push({ ip: this.ipOf(a), firstSeen: this.addrFirst[a] as number, lastSeen: this.addrLast[a] as number, days: this.addrDays[a] as number });
    }
    return out;
  }

  /** The first address, and those used on at least `trustedAfterDays` days. */
  trustedAddresses(host: string, trustedAfterDays: number): readonly string[] {
    const r = this.hosts.find(host);
    const out: string[] = [];
    if (r < 0) return out;
    for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) {
      if (a === this.head[r] || dayCount(this.addrDays[a] as number) >= trustedAfterDays) out.push(this.ipOf(a));
    }
    return out;
  }

  firstSeenOf(host: string): number | undefined {
    const r = this.hosts.find(host);
    return r < 0 ? undefined : this.firstSeen[r];
  }

  /**
   * Machines idle since `before` go; a machine that stays keeps its first sighting (its
   * baseline's age outlives an address it stopped using), its idle addresses go.
   */
  evictIdle(before: number): void {
    for (const r of [...this.hosts.slots()]) {
      if ((this.lastSeen[r] as number) < before) {
        for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) this.freeAddress(a);
        this.hosts.delete(r);
        continue;
      }
      let prev = NONE;
      for (let a = this.head[r] as number; a !== NONE;) {
        const after = this.next[a] as number;
        if ((this.addrLast[a] as number) < before) {
          if (prev === NONE) this.head[r] = after;
          else this.next[prev] = after;
          this.freeAddress(a);
        } else {
          prev = a;
        }
        a = after;
      }
    }
  }

  /** Each column made when read (core/state/made-when-read.ts), by its own walk of the machines in row order. */
  snapshot(): MachineTableSnapshot {
    return madeWhenRead<MachineTableSnapshot>({
      keys: () => [...this.hosts.slots()].map((r) => this.hosts.key(r)),
      rows: () => {
        const rows: number[] = [];
        for (const r of this.hosts.slots()) {
          let count = 0;
          for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) count++;
          rows.push(this.firstSeen[r] as number, this.lastSeen[r] as number, count);
        }
        return rows;
      },
      ips: () => {
        const ips: string[] = [];
        for (const r of this.hosts.slots()) for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) ips.push(this.ipOf(a));
        return ips;
      },
      addressRows: () => {
        const addressRows: number[] = [];
        for (const r of this.hosts.slots()) {
          for (let a = this.head[r] as number; a !== NONE; a = this.next[a] as number) addressRows.push(this.addrFirst[a] as number, this.addrLast[a] as number, this.addrDays[a] as number);
        }
        return addressRows;
      },
    });
  }

  private ipOf(a: number): string {
    const n = this.ipNumber[a] as number;
    return n === TEXT_IP ? this.textIps.get(a) as string : formatIpv4(n);
  }

  private addMachine(host: string, firstSeen: number, lastSeen: number): number {
    const r = this.hosts.add(host);
    if (r >= this.firstSeen.length) {
      const n = Math.max(grownLength(this.firstSeen.length), this.hosts.capacity);
      this.firstSeen = copiedInto(this.firstSeen, new Float64Array(n));
      this.lastSeen = copiedInto(this.lastSeen, new Float64Array(n));
      this.head = copiedInto(this.head, new Int32Array(n));
    }
    this.firstSeen[r] = firstSeen;
    this.lastSeen[r] = lastSeen;
    this.head[r] = NONE;
    return r;
  }

  private addAddress(ip: string, firstSeen: number, lastSeen: number, days: DayBits): number {
    let a = this.freeSlots.pop();
    if (a === undefined) {
      a = this.slots++;
      if (a >= this.ipNumber.length) {
        const n = grownLength(this.ipNumber.length);
        this.ipNumber = copiedInto(this.ipNumber, new Float64Array(n));
        this.addrFirst = copiedInto(this.addrFirst, new Float64Array(n));
        this.addrLast = copiedInto(this.addrLast, new Float64Array(n));
        this.addrDays = copiedInto(this.addrDays, new Float64Array(n));
        this.next = copiedInto(this.next, new Int32Array(n));
      }
    }
    const n = parseIpv4(ip);
    this.ipNumber[a] = n ?? TEXT_IP;
    if (n === undefined) this.textIps.set(a, ip);
    this.addrFirst[a] = firstSeen;
    this.addrLast[a] = lastSeen;
    this.addrDays[a] = days;
    this.next[a] = NONE;
    return a;
  }

  private freeAddress(a: number): void {
    this.textIps.delete(a);
    this.freeSlots.push(a);
  }

  /** A saved table is checked whole before any of it is used: a bad one is an error, never a cast. */
  private restore(saved: MachineTableSnapshot, where: string): void {
    if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.keys) || !Array.isArray(saved.rows) || !Array.isArray(saved.ips) || !Array.isArray(saved.addressRows)) {
      throw new StateInvalidError(where, where, 'must be {"keys": [...], "rows": [...], "ips": [...], "addressRows": [...]}');
    }
    const { keys, rows, ips, addressRows } = saved;
    const fail = (path: string, problem: string): never => { throw new StateInvalidError(where, `${where}.${path}`, problem); };
    if (rows.length !== keys.length * 3) fail('rows', 'must hold 3 numbers per key (firstSeen, lastSeen, addresses)');
    if (addressRows.length !== ips.length * 3) fail('addressRows', 'must hold 3 numbers per address (firstSeen, lastSeen, days)');
    const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
    let used = 0;
    keys.forEach((host, i) => {
      if (typeof host !== 'string') fail(`keys[${i}]`, 'must be a string');
      if (this.hosts.find(host) >= 0) fail(`keys[${i}]`, `repeats ${JSON.stringify(host)}`);
      const [first, last, count] = rows.slice(i * 3, i * 3 + 3);
      if (!isTime(first)) fail(`rows[${i * 3}]`, `(firstSeen of ${host}) must be a finite number`);
      if (!isTime(last)) fail(`rows[${i * 3 + 1}]`, `(lastSeen of ${host}) must be a finite number`);
      if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > MAX_ADDRESSES_PER_MACHINE) fail(`rows[${i * 3 + 2}]`, `(addresses of ${host}) must be an integer from 0 to ${MAX_ADDRESSES_PER_MACHINE}`);
      if (used + (count as number) > ips.length) fail('ips', `must hold the addresses the rows count (more than ${ips.length})`);
      const r = this.addMachine(host, first as number, last as number);
      let prev = NONE;
      for (let k = used; k < used + (count as number); k++) {
        const [aFirst, aLast, days] = addressRows.slice(k * 3, k * 3 + 3);
        if (typeof ips[k] !== 'string' || ips[k] === '') fail(`ips[${k}]`, `(an address of ${host}) must be a non-empty string`);
        if (!isTime(aFirst)) fail(`addressRows[${k * 3}]`, `(firstSeen of ${ips[k]} of ${host}) must be a finite number`);
        if (!isTime(aLast)) fail(`addressRows[${k * 3 + 1}]`, `(lastSeen of ${ips[k]} of ${host}) must be a finite number`);
        if (!Number.isSafeInteger(days) || (days as number) < 0) fail(`addressRows[${k * 3 + 2}]`, `(days of ${ips[k]} of ${host}) must be a day set (a non-negative integer)`);
        const a = this.addAddress(ips[k] as string, aFirst as number, aLast as number, days as number);
        if (prev === NONE) this.head[r] = a;
        else this.next[prev] = a;
        prev = a;
      }
      used += count as number;
    });
    if (used !== ips.length) fail('ips', `must hold the ${used} addresses the rows count`);
  }
}
