import { migrateRecords, origin } from '../migrate-v4-rows';

/** dsrm_password_change: `{changes: {dc: {time, event}}}` becomes the table `changes` (`[time, origin]`). */
export function migrateDsrmPasswordChange(section: unknown): unknown {
  return migrateRecords(section, 'changes', (c) => [c['time'], origin(c['event'])]);
}
