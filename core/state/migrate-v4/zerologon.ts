import { isJsonRecord } from '../json-record';
import { origin, table } from '../migrate-v4-rows';

/** zerologon: `{preludes: {dc: [{time, event, ip, workstation}]}}` becomes the table `preludes` (`[latest, [[origin, ip, workstation], …]]`). */
export function migrateZerologon(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['preludes'])) return section;
  const preludes = table();
  for (const [dc, list] of Object.entries(section['preludes'])) {
    if (!Array.isArray(list) || !list.every(isJsonRecord)) return section;
    preludes.keys.push(dc);
    preludes.rows.push([Math.max(0, ...list.map((p) => (typeof p['time'] === 'number' ? p['time'] : 0))), list.map((p) => [origin(p['event']), p['ip'] ?? null, p['workstation'] ?? null])]);
  }
  return { preludes };
}
