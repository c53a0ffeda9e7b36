import { isJsonRecord } from '../json-record';
import { origin, recordRows } from '../migrate-v4-rows';

/**
 * dcshadow: `{registrations: {host: {name, firstSeen, lastSeen, actors, spns, evidence, promoted, removedAt, reported}},
 * objects: {guid: {host, lastSeen}}, acls: {guid: {aces, lastSeen}}, nextDeadline}` becomes the tables `registrations`
 * (`[lastSeen, firstSeen, name, actors as tuples, spns, evidence, removedAt, flags]`), `objects` (`[lastSeen, host]`)
 * and `acls` (`[lastSeen, aces]`); `nextDeadline` stays.
 */
export function migrateDcshadow(section: unknown): unknown {
  if (!isJsonRecord(section)) return section;
  const registrations = recordRows(section['registrations'], (r) => [
    r['lastSeen'], r['firstSeen'], r['name'],
    Array.isArray(r['actors']) ? r['actors'].map((a) => (isJsonRecord(a) ? [a['name'], a['host'], a['domain'] ?? null, a['sid'] ?? null, a['logonId'] ?? null] : a)) : r['actors'],
    r['spns'], Array.isArray(r['evidence']) ? r['evidence'].map(origin) : r['evidence'], r['removedAt'] ?? null,
    (r['promoted'] === true ? 1 : 0) | (r['reported'] === true ? 2 : 0),
  ]);
  const objects = recordRows(section['objects'] ?? {}, (o) => [o['lastSeen'], o['host']]);
  const acls = recordRows(section['acls'] ?? {}, (a) => [a['lastSeen'], a['aces']]);
  if (!registrations || !objects || !acls) return section;
  return { registrations, objects, acls, ...(section['nextDeadline'] !== undefined ? { nextDeadline: section['nextDeadline'] } : {}) };
}
