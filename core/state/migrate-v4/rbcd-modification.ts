import { account, migrateRecords, origin } from '../migrate-v4-rows';

/**
 * rbcd_modification: `{computers: {key: {name, sid, creator, creatorKey, time, event}}, delegations: {computer: {keys, computer, writer, time, escalated}}}`
 * becomes the tables `computers` (`[time, name, sid, creator, creatorKey, origin]`) and
 * `delegations` (`[time, computer, writer, escalated]`; the alert keys are derived again).
 */
export function migrateRbcdModification(section: unknown): unknown {
  const computers = migrateRecords(section, 'computers', (c) => [c['time'], c['name'], c['sid'] ?? null, c['creator'] ?? null, c['creatorKey'] ?? null, origin(c['event'])]);
  if (computers === section) return section;
  const migrated = migrateRecords(computers, 'delegations', (d) => [d['time'], d['computer'], account(d['writer']), d['escalated'] === true ? 1 : 0]);
  return migrated === computers ? section : migrated;
}
