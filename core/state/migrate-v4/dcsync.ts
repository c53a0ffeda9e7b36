import { migrateCountedDays } from '../migrate-v4-rows';

/**
 * dcsync: `{since, principals: {principal: {firstSeen, lastSeen, days, sources}}}` becomes the table
 * `principals` (`[lastSeen, days as a day set, day count, sources]`; firstSeen was never read and goes).
 */
export function migrateDcsync(section: unknown): unknown {
  return migrateCountedDays(section, 'principals', (p) => [p['sources']]);
}
