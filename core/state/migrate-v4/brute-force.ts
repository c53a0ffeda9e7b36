import { fromDays } from '../day-bits';
import { isJsonRecord } from '../json-record';
import { origin, table } from '../migrate-v4-rows';

/**
 * brute_force: `{since, sources: {source: {accounts: {account: pair}, hot, lastSeen}}, accountSources}`
 * becomes four tables keyed by `source\taccount` (pairs) or by source / account: `streaks` (the
 * pair's run of failures, window and success window), `burstDays` (the days the pair burst, as
 * a day set, kept for the TTL; only pairs with a burst day have a row), `hot` and
 * `accountSources` (the horizontal and distributed indexes, for the window).
 */
export function migrateBruteForce(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['sources']) || !isJsonRecord(section['accountSources'])) return section;
  const streaks = table();
  const burstDays = table();
  const hot = table();
  const accountSources = table();
  for (const [source, s] of Object.entries(section['sources'])) {
    if (!isJsonRecord(s) || !isJsonRecord(s['accounts']) || !isJsonRecord(s['hot'])) return section;
    for (const [account, p] of Object.entries(s['accounts'])) {
      if (!isJsonRecord(p) || !Array.isArray(p['days']) || !Array.isArray(p['firstEvents']) || !(p['days'] as unknown[]).every((d) => Number.isSafeInteger(d))) return section;
      const key = `${source}\t${account}`;
      streaks.keys.push(key);
      streaks.rows.push([p['lastSeen'], p['failures'], p['streak'], p['streakStart'], (p['firstEvents'] as unknown[]).map(origin), p['attackedAt'] ?? null]);
      if ((p['days'] as number[]).length === 0) continue;
      burstDays.keys.push(key);
      burstDays.rows.push([p['lastSeen'], fromDays(p['days'] as number[])]);
    }
    hot.keys.push(source);
    hot.rows.push([s['lastSeen'], Object.entries(s['hot']).flat()]);
  }
  for (const [account, e] of Object.entries(section['accountSources'])) {
    if (!isJsonRecord(e)) return section;
    accountSources.keys.push(account);
    accountSources.rows.push([e['lastSeen'], e['sources']]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), streaks, burstDays, hot, accountSources };
}
