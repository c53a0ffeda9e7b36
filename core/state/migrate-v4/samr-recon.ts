import { isJsonRecord } from '../json-record';
import { actorRow, flatPairs, habitTables, origin, table } from '../migrate-v4-rows';

/**
 * samr_recon: `{since, actors: [[actor, {objects, binds, profile, evidence, sourceIp, sourceName, lastSeen}]], sessions: [[host|logonId, ip]]}`
 * becomes the tables `actors` (profile and source, for the state TTL), `windows` (the objects
 * and binds within the window, flat `[key, time, …]`, and the evidence) and `sessions`
 * (`[lastSeen, ip]`). Version 4 kept no time per session: each gets the section's latest
 * actor time, the newest it can be, so none goes before it would have.
 */
export function migrateSamrRecon(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['actors']) || !Array.isArray(section['sessions'])) return section;
  const split = habitTables(section['actors'], actorRow, (r) => {
    const objects = flatPairs(r['objects']);
    const binds = flatPairs(r['binds']);
    return objects && binds && Array.isArray(r['evidence']) ? [r['lastSeen'], objects, binds, r['evidence'].map(origin)] : undefined;
  });
  if (!split) return section;
  const sessions = table();
  for (const entry of section['sessions'] as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) return section;
    sessions.keys.push(entry[0]);
    sessions.rows.push([split.latest, entry[1]]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), actors: split.habits, windows: split.windows, sessions };
}
