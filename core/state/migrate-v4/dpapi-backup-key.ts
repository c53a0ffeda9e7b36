import { isJsonRecord } from '../json-record';
import { origin, table } from '../migrate-v4-rows';

/** dpapi_backup_key: `{pipes: {"host|logonId": {ip, pipe, time, event}}}` → `{pipes: {keys, rows: [[time, ip, pipe, origin]]}}`. */
export function migrateDpapiBackupKey(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['pipes'])) return section;
  const pipes = table();
  for (const [key, p] of Object.entries(section['pipes'])) {
    if (!isJsonRecord(p)) return section;
    pipes.keys.push(key);
    pipes.rows.push([p['time'], p['ip'], p['pipe'], origin(p['event'])]);
  }
  return { pipes };
}
