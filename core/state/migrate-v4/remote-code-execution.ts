import { fromDays } from '../day-bits';
import { isJsonRecord } from '../json-record';
import { account, isDayList, origin, table } from '../migrate-v4-rows';

/**
 * remote_code_execution: `{since, hosts: {host: {touches, logons, wmiPids, remotePids, pending, scmOpens, lastSeen}},
 * baseline: {pairs, deployers, pushes}, tickets}` becomes the tables `hosts` (each host's evidence
 * as one tuple, core/estate/remote-execution/saved-host-state.ts; a remembered 4624 keeps only
 * what the detector reads of it), `pairs`, `deployers` and `pushes` (the learned baseline: days
 * as a day set with their count; a pair's firstSeen was never read and goes); `tickets` stays.
 */
export function migrateRemoteCodeExecution(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['hosts']) || !isJsonRecord(section['baseline'])) return section;
  const b = section['baseline'];
  const pairsIn = b['pairs'];
  const deployersIn = b['deployers'];
  const pushesIn = b['pushes'] ?? {};
  if (!isJsonRecord(pairsIn) || !isJsonRecord(deployersIn) || !isJsonRecord(pushesIn)) return section;
  const hosts = table();
  for (const [key, h] of Object.entries(section['hosts'])) {
    if (!isJsonRecord(h) || !isJsonRecord(h['scmOpens']) || ![h['touches'], h['logons'], h['wmiPids'], h['pending']].every(Array.isArray)) return section;
    hosts.keys.push(key);
    hosts.rows.push([
      h['lastSeen'],
      (h['touches'] as unknown[]).map((t) => isJsonRecord(t) ? [t['kind'], origin(t['origin']), account(t['account']), t['ip'] ?? null, t['workstation'] ?? null, t['logonId'] ?? null, t['file'] ?? null] : t),
      (h['logons'] as unknown[]).map((l) => isJsonRecord(l) ? [origin(l), account(l['account']), l['ip'] ?? null, l['workstation'] ?? null, l['logonId'] ?? null] : l),
      (h['wmiPids'] as unknown[]).flatMap((p) => isJsonRecord(p) ? [p['pid'], p['time']] : [p]),
      h['remotePids'] ?? null,
      (h['pending'] as unknown[]).map((a) => isJsonRecord(a)
        ? [a['method'], a['target'], a['what'], origin(a['origin']), a['details'], a['account'] === undefined ? null : account(a['account']), a['sid'] ?? null, a['logonId'] ?? null]
        : a),
      Object.entries(h['scmOpens']).flat(),
    ]);
  }
  const pairs = table();
  for (const [key, p] of Object.entries(pairsIn)) {
    if (!isJsonRecord(p) || !isDayList(p['days'])) return section;
    pairs.keys.push(key);
    pairs.rows.push([p['lastSeen'], fromDays(p['days']), p['days'].length, p['fromLearning'] === true ? 1 : 0]);
  }
  const deployers = table();
  for (const [key, d] of Object.entries(deployersIn)) {
    if (!isJsonRecord(d)) return section;
    deployers.keys.push(key);
    deployers.rows.push([d['lastSeen'], d['targets']]);
  }
  const pushes = table();
  for (const [key, p] of Object.entries(pushesIn)) {
    if (!isJsonRecord(p) || !isDayList(p['days']) || !isJsonRecord(p['payloads'])) return section;
    pushes.keys.push(key);
    pushes.rows.push([p['lastSeen'], p['targets'], fromDays(p['days']), p['days'].length, Object.entries(p['payloads']).flat()]);
  }
  return {
    ...(section['since'] !== undefined ? { since: section['since'] } : {}),
    hosts, pairs, deployers, pushes,
    ...(section['tickets'] !== undefined ? { tickets: section['tickets'] } : {}),
  };
}
