import { isJsonRecord } from '../json-record';
import { countedDaysRows, recordRows } from '../migrate-v4-rows';

/**
 * pass_the_hash: `{since, habits: {key: {days, lastSeen}}, accounts: {account: {firstSeen, lastSeen, devices: {device: time}}}, injections: [{host, identity, time}]}`
 * becomes the tables `habits` (`[lastSeen, days as a day set, day count]`) and `accounts`
 * (`[lastSeen, firstSeen, [device, lastUse, …]]`), and `injections` as `[host, identity, time]` tuples.
 */
export function migratePassTheHash(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['habits']) || !isJsonRecord(section['accounts'])) return section;
  const injections = section['injections'] ?? [];
  if (!Array.isArray(injections)) return section;
  const habits = countedDaysRows(section['habits']);
  const accounts = recordRows(section['accounts'], (a) => (isJsonRecord(a['devices']) ? [a['lastSeen'], a['firstSeen'], Object.entries(a['devices']).flat()] : undefined));
  if (!habits || !accounts) return section;
  return {
    ...(section['since'] !== undefined ? { since: section['since'] } : {}),
    habits, accounts,
    injections: injections.map((i) => isJsonRecord(i) ? [i['host'], i['identity'], i['time']] : i),
  };
}
