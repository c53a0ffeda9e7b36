import { fromDays } from '../day-bits';
import { isJsonRecord } from '../json-record';
import { isDayList, table } from '../migrate-v4-rows';

/**
 * sensitive_group_change: `{since, groups: {group: {actor: {firstSeen, lastSeen, days}}}}` becomes the table `actors`
 * keyed `group\tactor` (`[lastSeen, days as a day set, day count]`; firstSeen was never read and goes).
 */
export function migrateSensitiveGroupChange(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['groups'])) return section;
  const actors = table();
  for (const [group, byActor] of Object.entries(section['groups'])) {
    if (!isJsonRecord(byActor)) return section;
    for (const [actor, h] of Object.entries(byActor)) {
      if (!isJsonRecord(h) || !isDayList(h['days'])) return section;
      actors.keys.push(`${group}\t${actor}`);
      actors.rows.push([h['lastSeen'], fromDays(h['days']), h['days'].length]);
    }
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), actors };
}
