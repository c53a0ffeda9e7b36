import { isJsonRecord } from './json-record';

/**
 * Version 3 → 4 (issue 13): the directory holds machines once, with their first sighting, and
 * logon sessions in compact form (core/estate/logon-sessions.ts).
 * - `directory.machines` was `[host, addresses]`; it becomes `[host, {firstSeen, lastSeen, addresses}]`.
 *   ntlm_relay kept its own copy of the same machines (first and last sighting) to age its
 *   baseline; its first sighting is carried over (the earlier of the two), so no machine's
 *   learning period starts again, and ntlm_relay keeps no state of its own.
 * - `directory.sessions` was `[key, {account, time, ip?, workstation?, logonType?}][]`; it
 *   becomes interned strings, keys, and five numbers per session, in the same (age) order.
 * Entries of the wrong shape are carried as they are, for the schema and the restore to refuse
 * naming the key; nothing is guessed.
 */
export function migrateV3(doc: Record<string, unknown>): Record<string, unknown> {
  const detectors = isJsonRecord(doc['detectors']) ? { ...doc['detectors'] } : doc['detectors'];
  const relay = isJsonRecord(detectors) && isJsonRecord(detectors['ntlm_relay']) ? detectors['ntlm_relay'] : undefined;
  const relayMachines = relay && isJsonRecord(relay['machines']) ? relay['machines'] : {};
  if (isJsonRecord(detectors) && relay) detectors['ntlm_relay'] = {};
  const directory = isJsonRecord(doc['directory']) ? { ...doc['directory'] } : doc['directory'];
  if (!isJsonRecord(directory)) return { ...doc, version: 4, detectors };
  const machines = directory['machines'];
  if (Array.isArray(machines)) {
    const seen = new Set<string>();
    const migrated: unknown[] = machines.map((entry: unknown) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) return entry;
      const [host, addresses] = entry as [string, unknown[]];
      seen.add(host);
      const own = relayMachines[host];
      const firsts = [...addresses.map((a) => (isJsonRecord(a) ? a['firstSeen'] : undefined)), isJsonRecord(own) ? own['firstSeen'] : undefined].filter(isTime);
      const lasts = [...addresses.map((a) => (isJsonRecord(a) ? a['lastSeen'] : undefined)), isJsonRecord(own) ? own['lastSeen'] : undefined].filter(isTime);
      if (firsts.length === 0 || lasts.length === 0) return entry;
      return [host, { firstSeen: Math.min(...firsts), lastSeen: Math.max(...lasts), addresses }];
    });
    // A machine ntlm_relay saw whose addresses the directory had already let go: keep its age.
    for (const [host, own] of Object.entries(relayMachines)) {
      if (seen.has(host) || !isJsonRecord(own) || !isTime(own['firstSeen']) || !isTime(own['lastSeen'])) continue;
      migrated.push([host, { firstSeen: own['firstSeen'], lastSeen: own['lastSeen'], addresses: [] }]);
    }
    directory['machines'] = migrated;
  }
  if (Array.isArray(directory['sessions'])) directory['sessions'] = compactSessions(directory['sessions']);
  return { ...doc, version: 4, detectors, directory };
}

function compactSessions(entries: readonly unknown[]): unknown {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const id = (s: unknown): number => {
    if (typeof s !== 'string' || s === '') return 0;
    let n = ids.get(s);
    if (n === undefined) {
      strings.push(s);
      n = strings.length;
      ids.set(s, n);
    }
    return n;
  };
  const keys: string[] = [];
  const rows: number[] = [];
  for (const entry of entries) {
    // One malformed session would be misread as another's: refuse the whole section instead.
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isJsonRecord(entry[1]) || !isTime(entry[1]['time']) || typeof entry[1]['account'] !== 'string') return entries;
    const s = entry[1];
    const type = s['logonType'];
    keys.push(entry[0]);
    rows.push(s['time'] as number, id(s['account']), id(s['ip']), id(s['workstation']), Number.isInteger(type) && (type as number) >= 0 ? type as number : -1);
  }
  return { strings, keys, rows };
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
