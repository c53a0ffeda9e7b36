import { isJsonRecord } from '../json-record';
import { account, flatPairs, habitTables, origin, profileRow } from '../migrate-v4-rows';

/**
 * smb_session_enumeration: `{since, sources: [[ip, {hosts, dcs, profile, evidence, actor, lastSeen}]], dcOpeners}`
 * becomes the tables `sources` (the profile, for the state TTL) and `windows` (the hosts and DCs
 * opened within the window, flat `[key, time, …]`, the evidence and the actor); `dcOpeners` stays.
 */
export function migrateSmbSessionEnumeration(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['sources'])) return section;
  const split = habitTables(section['sources'], profileRow, (r) => {
    const hosts = flatPairs(r['hosts']);
    const dcs = flatPairs(r['dcs'] ?? []);
    if (!hosts || !dcs || !Array.isArray(r['evidence'])) return undefined;
    return [r['lastSeen'], hosts, dcs, r['evidence'].map(origin), r['actor'] === undefined ? null : account(r['actor'])];
  });
  if (!split) return section;
  return {
    ...(section['since'] !== undefined ? { since: section['since'] } : {}),
    sources: split.habits, windows: split.windows,
    ...(section['dcOpeners'] !== undefined ? { dcOpeners: section['dcOpeners'] } : {}),
  };
}
