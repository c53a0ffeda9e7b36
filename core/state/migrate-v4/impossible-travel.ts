import { fromDays } from '../day-bits';
import { isJsonRecord } from '../json-record';
import { isDayList, migrateRecords } from '../migrate-v4-rows';

/**
 * impossible_travel: `{users: {upn: {firstSeen, lastSeen, visits: [{t, lat, lon, country, city, asn, ip, device}], countries: {country: days}}}}`
 * becomes the table `users` (`[lastSeen, firstSeen, visits as tuples, [country, day set, day count, …]]`).
 * A country whose days are not day numbers is carried as it is, for the restore to refuse.
 */
export function migrateImpossibleTravel(section: unknown): unknown {
  return migrateRecords(section, 'users', (u) => [
    u['lastSeen'], u['firstSeen'],
    Array.isArray(u['visits']) ? u['visits'].map((v) => (isJsonRecord(v)
      ? [v['t'], v['lat'], v['lon'], v['country'] ?? null, v['city'] ?? null, v['asn'] ?? null, v['ip'] ?? null, v['device'] ?? null] : v)) : u['visits'],
    Object.entries(isJsonRecord(u['countries']) ? u['countries'] : {}).flatMap(([c, days]) => (isDayList(days) ? [c, fromDays(days), days.length] : [c, days])),
  ]);
}
