import { isJsonRecord } from '../json-record';
import { table } from '../migrate-v4-rows';

/**
 * replication_rights_granted: `{descriptors: {object: {grants, lastSeen}}, granted: {object|trustee: {rights, since}}}`
 * becomes the tables `descriptors` (`[lastSeen, grants]`) and `granted` (`[since, rights]`), in the same order.
 */
export function migrateReplicationRightsGranted(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['descriptors'])) return section;
  const granted = section['granted'] ?? {};
  if (!isJsonRecord(granted)) return section;
  const descriptors = table();
  for (const [key, d] of Object.entries(section['descriptors'])) {
    if (!isJsonRecord(d)) return section;
    descriptors.keys.push(key);
    descriptors.rows.push([d['lastSeen'], d['grants']]);
  }
  const bucket = table();
  for (const [key, g] of Object.entries(granted)) {
    if (!isJsonRecord(g)) return section;
    bucket.keys.push(key);
    bucket.rows.push([g['since'], g['rights']]);
  }
  return { descriptors, granted: bucket };
}
