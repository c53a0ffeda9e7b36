import type { CoverageState } from './kerberos-coverage';
import type { EtypeDaysSnapshot } from './kerberos-etype-days';
import { MAX_ADDRESSES, STRIDE, IP, DC, RENEWED } from './tgt-lists';
import { StateInvalidError } from '../state/state-errors';

/**
 * The Kerberos ledger as saved (core/estate/kerberos-ledger.ts): the TGT half as interned
 * strings and one flat list of numbers per account, the etype half as two columnar tables.
 * The TGT half's fields are all present or all absent (no TGT reader ever ran); so is `etypes`.
 * A saved half is checked whole before any of it is used: a bad one is an error naming its key.
 */
export interface KerberosLedgerSnapshot extends Partial<TicketsSnapshot> {
  readonly etypes?: EtypeDaysSnapshot;
}

export interface TicketsSnapshot {
  /** Interned addresses and DC names: id n is `strings[n - 1]`; 0 is "none". */
  readonly strings: readonly string[];
  readonly keys: readonly string[];
  /** Per key, STRIDE numbers per TGT address: [ip id, time, dc id, etype, pre-auth, renewed]. */
  readonly tgts: readonly (readonly number[])[];
  readonly coverage: CoverageState;
}

export const TICKET_FIELDS = ['strings', 'keys', 'tgts', 'coverage'] as const;

export function checkLedgerShape(saved: unknown, where: string): Record<string, unknown> {
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw new StateInvalidError(where, 'kerberos', 'must be an object');
  return saved as Record<string, unknown>;
}

/** Whether a saved ledger holds the TGT half (a ledger only overpass_the_hash fed holds none). */
export function hasTickets(s: Record<string, unknown>): boolean {
  return TICKET_FIELDS.some((f) => s[f] !== undefined);
}

/** A saved TGT half, checked whole, never cast. */
export function checkLedgerSnapshot(saved: unknown, where: string): TicketsSnapshot {
  const bad = (key: string, problem: string): never => {
    throw new StateInvalidError(where, key, problem);
  };
  const s = checkLedgerShape(saved, where);
  const { strings, keys, tgts, coverage } = s;
  if (!Array.isArray(strings) || !strings.every((x) => typeof x === 'string') || new Set(strings).size !== strings.length) bad('kerberos.strings', 'must be distinct strings');
  if (!Array.isArray(keys) || !keys.every((x) => typeof x === 'string') || new Set(keys).size !== keys.length) bad('kerberos.keys', 'must be distinct strings');
  const nStrings = (strings as string[]).length;
  if (!Array.isArray(tgts) || tgts.length !== (keys as string[]).length) bad('kerberos.tgts', `must be ${(keys as string[]).length} lists, one per key`);
  (tgts as unknown[]).forEach((a, i) => {
    const key = `kerberos.tgts[${i}]`;
    if (!Array.isArray(a) || a.length === 0 || a.length % STRIDE !== 0 || a.length > MAX_ADDRESSES * STRIDE || !a.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      bad(key, `must be 1 to ${MAX_ADDRESSES} groups of ${STRIDE} finite numbers`);
    }
    const list = a as number[];
    for (let j = 0; j < list.length; j += STRIDE) {
      for (const slot of [IP, DC]) {
        const id = list[j + slot] as number;
        if (!Number.isInteger(id) || id < 0 || id > nStrings) bad(key, `refers to string ${id}, the ledger has ${nStrings}`);
      }
      if (list[j + RENEWED] !== 0 && list[j + RENEWED] !== 1) bad(key, 'has a renewed flag that is not 0 or 1');
    }
  });
  checkCoverage(coverage, bad);
  return saved as TicketsSnapshot;
}

function checkCoverage(c: unknown, bad: (key: string, problem: string) => never): void {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) bad('kerberos.coverage', 'must be an object');
  const { start, last, dcs } = c as Record<string, unknown>;
  for (const [name, v] of [['start', start], ['last', last]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) bad(`kerberos.coverage.${name}`, 'must be a time');
  }
  if (dcs === undefined) return;
  if (dcs === null || typeof dcs !== 'object' || Array.isArray(dcs)) bad('kerberos.coverage.dcs', 'must be an object');
  for (const [k, dc] of Object.entries(dcs as Record<string, unknown>)) {
    const d = dc as Record<string, unknown> | null;
    if (d === null || typeof d !== 'object' || typeof d['first'] !== 'number' || typeof d['last'] !== 'number') bad(`kerberos.coverage.dcs.${k}`, 'must be {"first": time, "last": time}');
  }
}
