import { migrateCountedDays } from '../migrate-v4-rows';

/**
 * adfs_dkm_key_read: `{since, readers: {reader: {firstSeen, lastSeen, days}}}` becomes the table
 * `readers` (`[lastSeen, days as a day set, day count]`; firstSeen was never read and goes).
 */
export function migrateAdfsDkmKeyRead(section: unknown): unknown {
  return migrateCountedDays(section, 'readers', () => []);
}
