import { fnv1a } from '../estate/accounts-today';
import { parseLogonId } from '../estate/logon-sessions';
import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * Version 4 → 5 of the `directory` section (issue 13): the directory model's parts in compact
 * typed tables. Version 4 documents always carry the old shapes (main never wrote these as
 * v4), so each part is mapped row for row; a part of the wrong shape is carried as it is, for
 * its validated restore to refuse naming the key. Nothing learned restarts: every session,
 * every source's bar days and today's accounts carry over.
 *
 * - `sessions` `{strings, keys: ["host|logonId"], rows: [5 per key]}` → `{strings, rows: [8 per session]}`:
 *   the host and a non-hex logon id interned, a hex logon id as its two 32-bit halves.
 * - `machines` `[[host, {firstSeen, lastSeen, addresses: [{ip, firstSeen, lastSeen, days}]}]]` →
 *   `{keys, rows, ips, addressRows}`: the same numbers in columns, addresses in order.
 * - `frontEnds` `[[source, {day, today: [names], days: [bar days]}]]` → `{keys, rows, accounts}`:
 *   the last two bar days, today's accounts as 32-bit FNV-1a hashes.
 */
export function migrateV4Directory(doc: JsonRecord): JsonRecord {
  const directory = doc['directory'];
  if (!isJsonRecord(directory)) return doc;
  const out: JsonRecord = { ...directory };
  if (directory['machines'] !== undefined) out['machines'] = migrateMachines(directory['machines']);
  if (directory['sessions'] !== undefined) out['sessions'] = migrateSessions(directory['sessions']);
  if (directory['frontEnds'] !== undefined) out['frontEnds'] = migrateFrontEnds(directory['frontEnds']);
  return { ...doc, directory: out };
}

/** v4 session rows: time, account, ip, workstation, logon type. */
const V4_FIELDS = 5;

export function migrateSessions(saved: unknown): unknown {
  if (!isJsonRecord(saved) || !Array.isArray(saved['strings']) || !Array.isArray(saved['keys']) || !Array.isArray(saved['rows'])) return saved;
  const keys = saved['keys'] as unknown[];
  const old = saved['rows'] as unknown[];
  if (old.length !== keys.length * V4_FIELDS || !saved['strings'].every((s) => typeof s === 'string')) return saved;
  const strings = [...saved['strings'] as string[]];
  const ids = new Map<string, number>();
  strings.forEach((s, i) => { if (!ids.has(s)) ids.set(s, i + 1); });
  const id = (s: string): number => {
    let n = ids.get(s);
    if (n === undefined) {
      strings.push(s);
      n = strings.length;
      ids.set(s, n);
    }
    return n;
  };
  const rows: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // `${hostKey(host)}|${logonId}`: a host key has no `|`, a logon id is whatever followed it.
    const bar = typeof key === 'string' ? key.indexOf('|') : -1;
    if (typeof key !== 'string' || bar <= 0) return saved;
    const logonId = key.slice(bar + 1);
    const luid = parseLogonId(logonId);
    rows.push(id(key.slice(0, bar)), luid ? luid[0] >>> 0 : -1, luid ? luid[1] >>> 0 : id(logonId), ...old.slice(i * V4_FIELDS, i * V4_FIELDS + V4_FIELDS));
  }
  return { strings, rows };
}

export function migrateFrontEnds(saved: unknown): unknown {
  if (!Array.isArray(saved)) return saved;
  const keys: unknown[] = [];
  const rows: unknown[] = [];
  const accounts: number[] = [];
  for (const entry of saved as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || !isJsonRecord(entry[1])) return saved;
    const s = entry[1];
    const today = s['today'];
    const days = s['days'];
    if (!Array.isArray(today) || !Array.isArray(days) || !today.every((a) => typeof a === 'string')) return saved;
    // Names that were distinct and now share a hash count once: the restore refuses a repeat,
    // so the migration keeps one (the collision only ever under-counts, front-ends.ts).
    const hashes = [...new Set((today as string[]).map(fnv1a))].sort((a, b) => a - b);
    keys.push(entry[0]);
    rows.push(s['day'], days.length >= 2 ? days[days.length - 2] : -1, days.length >= 1 ? days[days.length - 1] : -1, hashes.length);
    for (const h of hashes) accounts.push(h); // not push(...hashes): a busy front-end's day overflows the stack
  }
  return { keys, rows, accounts };
}

export function migrateMachines(saved: unknown): unknown {
  if (!Array.isArray(saved)) return saved;
  const keys: unknown[] = [];
  const rows: unknown[] = [];
  const ips: unknown[] = [];
  const addressRows: unknown[] = [];
  for (const entry of saved as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || !isJsonRecord(entry[1]) || !Array.isArray(entry[1]['addresses'])) return saved;
    const m = entry[1];
    const addresses = m['addresses'] as unknown[];
    if (!addresses.every(isJsonRecord)) return saved;
    keys.push(entry[0]);
    rows.push(m['firstSeen'], m['lastSeen'], addresses.length);
    for (const a of addresses as JsonRecord[]) {
      ips.push(a['ip']);
      addressRows.push(a['firstSeen'], a['lastSeen'], a['days']);
    }
  }
  return { keys, rows, ips, addressRows };
}
