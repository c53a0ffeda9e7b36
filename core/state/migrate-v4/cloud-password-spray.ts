import { isJsonRecord } from '../json-record';
import { migrateRecords } from '../migrate-v4-rows';

/**
 * cloud_password_spray: `{sources: {source: {users: {upn: {n, last}}, lastSeen, ips, sprayedAt, sprayed}}, seen}` becomes the
 * table `sources` (`[lastSeen, [upn, attempts, last, …], ips, sprayedAt, sprayed]`); `seen` stays.
 * A user entry of the wrong shape is carried as it is, for the restore to refuse.
 */
export function migrateCloudPasswordSpray(section: unknown): unknown {
  return migrateRecords(section, 'sources', (s) => [
    s['lastSeen'],
    Object.entries(isJsonRecord(s['users']) ? s['users'] : {}).flatMap(([upn, a]) => (isJsonRecord(a) ? [upn, a['n'], a['last']] : [upn, a])),
    s['ips'] ?? null, s['sprayedAt'] ?? null, s['sprayed'] ?? null,
  ]);
}
