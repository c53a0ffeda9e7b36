import { migrateRecords } from '../migrate-v4-rows';

/** containment_reverted: `{disabled: {id: {at, by, upn, objectId}}}` becomes the table `disabled` (`[at, by, upn, objectId]`). */
export function migrateContainmentReverted(section: unknown): unknown {
  return migrateRecords(section, 'disabled', (d) => [d['at'], d['by'], d['upn'] ?? null, d['objectId'] ?? null]);
}
