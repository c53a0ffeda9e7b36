import { isJsonRecord } from '../json-record';
import { account, flatPairs, habitTables, origin, profileRow } from '../migrate-v4-rows';

/**
 * account_enumeration: `{since, sources: [[source, {unknown, known, found, evidence, …, profile, lastSeen}]]}`
 * becomes the tables `sources` (profile, kept for the state TTL) and `windows` (the names tried
 * within the window, flat `[key, time, …]`, with what the alert reports of them).
 */
export function migrateAccountEnumeration(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['sources'])) return section;
  const split = habitTables(section['sources'], profileRow, (r) => {
    const unknown = flatPairs(r['unknown']);
    const known = flatPairs(r['known']);
    if (!unknown || !known || !Array.isArray(r['evidence'])) return undefined;
    if (unknown.length === 0 && known.length === 0) return null;
    return [r['lastSeen'], unknown, known, r['found'], r['evidence'].map(origin), r['actor'] === undefined ? null : account(r['actor']), r['sourceIp'] ?? null, r['sourceName'] ?? null];
  });
  if (!split) return section;
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources: split.habits, windows: split.windows };
}
