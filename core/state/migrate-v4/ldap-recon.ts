import { isJsonRecord } from '../json-record';
import { actorRow, flatPairs, habitTables, origin } from '../migrate-v4-rows';

/**
 * ldap_recon: `{since, actors: [[actor, {objects, profile, evidence, sourceIp, sourceName, lastSeen}]]}`
 * becomes the tables `actors` (profile and source, for the state TTL) and `windows` (the objects
 * read within the window, flat `[key, time, …]`, and the evidence).
 */
export function migrateLdapRecon(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['actors'])) return section;
  const split = habitTables(section['actors'], actorRow, (r) => {
    const objects = flatPairs(r['objects']);
    return objects && Array.isArray(r['evidence']) ? [r['lastSeen'], objects, r['evidence'].map(origin)] : undefined;
  });
  if (!split) return section;
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), actors: split.habits, windows: split.windows };
}
