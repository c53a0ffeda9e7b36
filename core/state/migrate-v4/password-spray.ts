import { isJsonRecord } from '../json-record';
import { account, origin, profileOf, sourceEntry, table } from '../migrate-v4-rows';

/**
 * password_spray: `{since, sources: [[source, {accounts, attempts, …, profile, usual, lastSeen}]]}`
 * becomes two tables: `sources` (the learned habits: profile, usual users, front-end flag, kept for
 * the state TTL) and `bursts` (the accounts failing now and the spray judged on them, kept for
 * the window). The counters (attempts, tested, unknown, recovered) are no longer saved: they are
 * the sums over the accounts.
 */
export function migratePasswordSpray(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['sources'])) return section;
  const sources = table();
  const bursts = table();
  for (const entry of section['sources'] as unknown[]) {
    const s = sourceEntry(entry);
    if (!s || !Array.isArray(s.row['accounts']) || !Array.isArray(s.row['usual']) || !Array.isArray(s.row['evidence'])) return section;
    const r = s.row;
    const profile = profileOf(r['profile']);
    if (!profile) return section;
    sources.keys.push(s.key);
    sources.rows.push([r['lastSeen'], profile, r['usual'], r['frontEnd'] === true ? 1 : 0]);
    const accounts: unknown[] = [];
    for (const a of r['accounts'] as unknown[]) {
      if (!Array.isArray(a) || !isJsonRecord(a[1])) return section;
      const t = a[1];
      accounts.push([a[0], t['name'], t['attempts'], t['last'], t['seen'], (t['tested'] === true ? 1 : 0) | (t['unknown'] === true ? 2 : 0) | (t['recovered'] === true ? 4 : 0)]);
    }
    if (accounts.length === 0 && r['sprayedAt'] === undefined) continue;
    bursts.keys.push(s.key);
    bursts.rows.push([
      r['lastSeen'], r['first'], accounts, (r['evidence'] as unknown[]).map(origin), r['actor'] === undefined ? null : account(r['actor']),
      r['sourceIp'] ?? null, r['sourceName'] ?? null, r['sprayedAt'] ?? null, r['sprayedAccounts'] ?? null, r['sprayLearning'] === true ? 1 : 0,
    ]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources, bursts };
}
