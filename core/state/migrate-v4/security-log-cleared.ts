import { migrateRecords } from '../migrate-v4-rows';

/** security_log_cleared: `{stories: {host|account: {logs, clears, first, last, backups}}}` becomes the table `stories` (`[last, first, clears, logs, backups]`). */
export function migrateSecurityLogCleared(section: unknown): unknown {
  return migrateRecords(section, 'stories', (s) => [s['last'], s['first'], s['clears'], s['logs'], s['backups']]);
}
