import { isJsonRecord } from '../json-record';
import { migrateRecords } from '../migrate-v4-rows';

/**
 * unfamiliar_signin: `{users: {upn: {firstSeen, lastSeen, signIns, seen: {country, asn, device, app}}}, asnUsers}` becomes the
 * table `users` (`[lastSeen, firstSeen, signIns, [value, last, …] per property]`); `asnUsers` stays.
 */
export function migrateUnfamiliarSignin(section: unknown): unknown {
  return migrateRecords(section, 'users', (u) => {
    const seen = isJsonRecord(u['seen']) ? u['seen'] : {};
    return [u['lastSeen'], u['firstSeen'], u['signIns'], ...['country', 'asn', 'device', 'app'].map((k) => Object.entries(isJsonRecord(seen[k]) ? seen[k] : {}).flat())];
  });
}
