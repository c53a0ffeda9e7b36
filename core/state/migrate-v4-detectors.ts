import { fromDays } from './day-bits';
import { isJsonRecord, type JsonRecord } from './json-record';
import { migratePassTheTicket } from './migrate-v4/pass-the-ticket';
import { account, actorRow, countedDaysRows, flatPairs, habitTables, isDayList, migrateCountedDays, migrateRecords, origin, profileOf, profileRow, recordRows, sourceEntry, table } from './migrate-v4-rows';

/**
 * Version 4 → 5 of the detector sections converted to keyed tables (core/state/keyed-table.ts),
 * one function per detector id; the v4 → v5 step (core/state/migrate-v4.ts) calls the one of each section present.
 * Each maps the hand-written v4 snapshot onto the detector's tables, row for row, so every
 * learned baseline (profiles, usual users) carries over. A section of the wrong shape is
 * returned as it is: the detector's validated restore then refuses it naming the bad path;
 * nothing is guessed.
 */
export const migrateV4Detectors: Readonly<Record<string, (section: unknown) => unknown>> = {
  password_spray: migratePasswordSpray,
  account_enumeration: migrateAccountEnumeration,
  brute_force: migrateBruteForce,
  dpapi_backup_key: migrateDpapiBackupKey,
  remote_code_execution: migrateRemoteCodeExecution,
  pass_the_hash: migratePassTheHash,
  samr_recon: migrateSamrRecon,
  smb_session_enumeration: migrateSmbSessionEnumeration,
  ldap_recon: migrateLdapRecon,
  replication_rights_granted: migrateReplicationRightsGranted,
  mfa_fatigue: migrateMfaFatigue,
  authentication_coercion: migrateAuthenticationCoercion,
  dcsync: migrateDcsync,
  asrep_roasting: migrateAsrepRoasting,
  adfs_dkm_key_read: migrateAdfsDkmKeyRead,
  dsrm_password_change: migrateDsrmPasswordChange,
  security_log_cleared: migrateSecurityLogCleared,
  samaccountname_spoofing: migrateSamaccountnameSpoofing,
  zerologon: migrateZerologon,
  containment_reverted: migrateContainmentReverted,
  rbcd_modification: migrateRbcdModification,
  cloud_password_spray: migrateCloudPasswordSpray,
  impossible_travel: migrateImpossibleTravel,
  unfamiliar_signin: migrateUnfamiliarSignin,
  sensitive_group_change: migrateSensitiveGroupChange,
  dcshadow: migrateDcshadow,
  pass_the_ticket: migratePassTheTicket,
};

/** How each converted detector's v4 section is told from its v5 one: by the field v5 writes as a table. */
const isV4: Readonly<Record<string, (section: JsonRecord) => boolean>> = {
  password_spray: (s) => Array.isArray(s['sources']),
  account_enumeration: (s) => Array.isArray(s['sources']),
  brute_force: (s) => s['streaks'] === undefined && s['sources'] !== undefined,
  dpapi_backup_key: (s) => isJsonRecord(s['pipes']) && !Array.isArray(s['pipes']['keys']),
  remote_code_execution: (s) => s['baseline'] !== undefined,
  pass_the_hash: (s) => isJsonRecord(s['habits']) && !Array.isArray(s['habits']['keys']),
  samr_recon: (s) => Array.isArray(s['actors']),
  smb_session_enumeration: (s) => Array.isArray(s['sources']),
  ldap_recon: (s) => Array.isArray(s['actors']),
  replication_rights_granted: (s) => isJsonRecord(s['descriptors']) && !Array.isArray(s['descriptors']['keys']),
  mfa_fatigue: (s) => isJsonRecord(s['users']) && !Array.isArray(s['users']['keys']),
  authentication_coercion: (s) => isJsonRecord(s['sources']) && !Array.isArray(s['sources']['keys']),
  dcsync: (s) => isJsonRecord(s['principals']) && !Array.isArray(s['principals']['keys']),
  asrep_roasting: (s) => isJsonRecord(s['oldUac']) && !Array.isArray(s['oldUac']['keys']),
  adfs_dkm_key_read: (s) => isJsonRecord(s['readers']) && !Array.isArray(s['readers']['keys']),
  dsrm_password_change: (s) => isJsonRecord(s['changes']) && !Array.isArray(s['changes']['keys']),
  security_log_cleared: (s) => isJsonRecord(s['stories']) && !Array.isArray(s['stories']['keys']),
  samaccountname_spoofing: (s) => isJsonRecord(s['runs']) && !Array.isArray(s['runs']['keys']),
  zerologon: (s) => isJsonRecord(s['preludes']) && !Array.isArray(s['preludes']['keys']),
  containment_reverted: (s) => isJsonRecord(s['disabled']) && !Array.isArray(s['disabled']['keys']),
  rbcd_modification: (s) => isJsonRecord(s['computers']) && !Array.isArray(s['computers']['keys']),
  cloud_password_spray: (s) => isJsonRecord(s['sources']) && !Array.isArray(s['sources']['keys']),
  impossible_travel: (s) => isJsonRecord(s['users']) && !Array.isArray(s['users']['keys']),
  unfamiliar_signin: (s) => isJsonRecord(s['users']) && !Array.isArray(s['users']['keys']),
  sensitive_group_change: (s) => s['groups'] !== undefined,
  dcshadow: (s) => isJsonRecord(s['registrations']) && !Array.isArray(s['registrations']['keys']),
  pass_the_ticket: (s) => isJsonRecord(s['accounts']) && !Array.isArray(s['accounts']['keys']),
};

/**
 * A detector's section migrated by the v4 → v5 step (core/state/migrate-v4.ts). A converted
 * detector's section is migrated only in its version 4 shape (recognised by the field v5 writes
 * as a table): builds between the tables and the version bump wrote v5 sections into version 4
 * documents, and those pass as they are. Sections of detectors not converted pass untouched.
 */
export function migrateV4Section(id: string, section: unknown): unknown {
  const migrate = migrateV4Detectors[id];
  if (!migrate || !isJsonRecord(section)) return section;
  return isV4[id]?.(section) === true ? migrate(section) : section;
}

/**
 * password_spray: `{since, sources: [[source, {accounts, attempts, …, profile, usual, lastSeen}]]}`
 * becomes two tables: `sources` (the learned habits: profile, usual users, front-end flag, kept for
 * the state TTL) and `bursts` (the accounts failing now and the spray judged on them, kept for
 * the window). The counters (attempts, tested, unknown, recovered) are no longer saved: they are
 * the sums over the accounts.
 */
export function migratePasswordSpray(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['sources'])) return section;
  const sources = table();
  const bursts = table();
  for (const entry of section['sources'] as unknown[]) {
    const s = sourceEntry(entry);
    if (!s || !Array.isArray(s.row['accounts']) || !Array.isArray(s.row['usual']) || !Array.isArray(s.row['evidence'])) return section;
    const r = s.row;
    const profile = profileOf(r['profile']);
    if (!profile) return section;
    sources.keys.push(s.key);
    sources.rows.push([r['lastSeen'], profile, r['usual'], r['frontEnd'] === true ? 1 : 0]);
    const accounts: unknown[] = [];
    for (const a of r['accounts'] as unknown[]) {
      if (!Array.isArray(a) || !isJsonRecord(a[1])) return section;
      const t = a[1];
      accounts.push([a[0], t['name'], t['attempts'], t['last'], t['seen'], (t['tested'] === true ? 1 : 0) | (t['unknown'] === true ? 2 : 0) | (t['recovered'] === true ? 4 : 0)]);
    }
    if (accounts.length === 0 && r['sprayedAt'] === undefined) continue;
    bursts.keys.push(s.key);
    bursts.rows.push([
      r['lastSeen'], r['first'], accounts, (r['evidence'] as unknown[]).map(origin), r['actor'] === undefined ? null : account(r['actor']),
      r['sourceIp'] ?? null, r['sourceName'] ?? null, r['sprayedAt'] ?? null, r['sprayedAccounts'] ?? null, r['sprayLearning'] === true ? 1 : 0,
    ]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources, bursts };
}

/**
 * account_enumeration: `{since, sources: [[source, {unknown, known, found, evidence, …, profile, lastSeen}]]}`
 * becomes the tables `sources` (profile, kept for the state TTL) and `windows` (the names tried
 * within the window, flat `[key, time, …]`, with what the alert reports of them).
 */
export function migrateAccountEnumeration(section: unknown): unknown {
  if (!isJsonRecord(section) || !Array.isArray(section['sources'])) return section;
  const split = habitTables(section['sources'], profileRow, (r) => {
    const unknown = flatPairs(r['unknown']);
    const known = flatPairs(r['known']);
    if (!unknown || !known || !Array.isArray(r['evidence'])) return undefined;
    if (unknown.length === 0 && known.length === 0) return null;
    return [r['lastSeen'], unknown, known, r['found'], r['evidence'].map(origin), r['actor'] === undefined ? null : account(r['actor']), r['sourceIp'] ?? null, r['sourceName'] ?? null];
  });
  if (!split) return section;
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources: split.habits, windows: split.windows };
}

/**
 * brute_force: `{since, sources: {source: {accounts: {account: pair}, hot, lastSeen}}, accountSources}`
 * becomes four tables keyed by `source\taccount` (pairs) or by source / account: `streaks` (the
 * pair's run of failures, window and success window), `burstDays` (the days the pair burst, as
 * a day set, kept for the TTL; only pairs with a burst day have a row), `hot` and
 * `accountSources` (the horizontal and distributed indexes, for the window).
 */
export function migrateBruteForce(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['sources']) || !isJsonRecord(section['accountSources'])) return section;
  const streaks = table();
  const burstDays = table();
  const hot = table();
  const accountSources = table();
  for (const [source, s] of Object.entries(section['sources'])) {
    if (!isJsonRecord(s) || !isJsonRecord(s['accounts']) || !isJsonRecord(s['hot'])) return section;
    for (const [account, p] of Object.entries(s['accounts'])) {
      if (!isJsonRecord(p) || !Array.isArray(p['days']) || !Array.isArray(p['firstEvents']) || !(p['days'] as unknown[]).every((d) => Number.isSafeInteger(d))) return section;
      const key = `${source}\t${account}`;
      streaks.keys.push(key);
      streaks.rows.push([p['lastSeen'], p['failures'], p['streak'], p['streakStart'], (p['firstEvents'] as unknown[]).map(origin), p['attackedAt'] ?? null]);
      if ((p['days'] as number[]).length === 0) continue;
      burstDays.keys.push(key);
      burstDays.rows.push([p['lastSeen'], fromDays(p['days'] as number[])]);
    }
    hot.keys.push(source);
    hot.rows.push([s['lastSeen'], Object.entries(s['hot']).flat()]);
  }
  for (const [account, e] of Object.entries(section['accountSources'])) {
    if (!isJsonRecord(e)) return section;
    accountSources.keys.push(account);
    accountSources.rows.push([e['lastSeen'], e['sources']]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), streaks, burstDays, hot, accountSources };
}

/** dpapi_backup_key: `{pipes: {"host|logonId": {ip, pipe, time, event}}}` → `{pipes: {keys, rows: [[time, ip, pipe, origin]]}}`. */
export function migrateDpapiBackupKey(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['pipes'])) return section;
  const pipes = table();
  for (const [key, p] of Object.entries(section['pipes'])) {
    if (!isJsonRecord(p)) return section;
    pipes.keys.push(key);
    pipes.rows.push([p['time'], p['ip'], p['pipe'], origin(p['event'])]);
  }
  return { pipes };
}

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

/**
 * pass_the_hash: `{since, habits: {key: {days, lastSeen}}, accounts: {account: {firstSeen, lastSeen, devices: {device: time}}}, injections: [{host, identity, time}]}`
 * becomes the tables `habits` (`[lastSeen, days as a day set, day count]`) and `accounts`
 * (`[lastSeen, firstSeen, [device, lastUse, …]]`), and `injections` as `[host, identity, time]` tuples.
 */
export function migratePassTheHash(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['habits']) || !isJsonRecord(section['accounts'])) return section;
  const injections = section['injections'] ?? [];
  if (!Array.isArray(injections)) return section;
  const habits = countedDaysRows(section['habits']);
  const accounts = recordRows(section['accounts'], (a) => (isJsonRecord(a['devices']) ? [a['lastSeen'], a['firstSeen'], Object.entries(a['devices']).flat()] : undefined));
  if (!habits || !accounts) return section;
  return {
    ...(section['since'] !== undefined ? { since: section['since'] } : {}),
    habits, accounts,
    injections: injections.map((i) => isJsonRecord(i) ? [i['host'], i['identity'], i['time']] : i),
  };
}

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

/** mfa_fatigue's refused outcomes, in the order its table saves them by (core/detectors/mfa_fatigue.ts). */
const MFA_FAILURES = ['denied', 'timeout', 'failed', 'wrong_code'];

/**
 * mfa_fatigue: `{users: {upn: {prompts: [{t, outcome, ip}], lastSeen}}, seen}` becomes the table
 * `users` (`[lastSeen, [[t, outcome index, ip], …]]`); `seen` stays. An outcome that is not a
 * refusal is carried as it is, for the restore to refuse.
 */
export function migrateMfaFatigue(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['users'])) return section;
  const users = table();
  for (const [upn, u] of Object.entries(section['users'])) {
    if (!isJsonRecord(u) || !Array.isArray(u['prompts'])) return section;
    users.keys.push(upn);
    users.rows.push([u['lastSeen'], u['prompts'].map((p) => {
      if (!isJsonRecord(p)) return p;
      const code = MFA_FAILURES.indexOf(p['outcome'] as string);
      return [p['t'], code >= 0 ? code : p['outcome'], p['ip'] ?? null];
    })]);
  }
  return { users, ...(section['seen'] !== undefined ? { seen: section['seen'] } : {}) };
}

/**
 * authentication_coercion: `{since, sources: {key: {days, lastSeen}}, served: {key: {sources, lastSeen}}, printServers: {host: time},
 * pending: {machine$: {source: {source, target, pipe, keys, actor, time, event}}}}` becomes the tables `sources`
 * (`[lastSeen, days as a day set, day count]`), `served` (`[lastSeen, sources]`), `printServers`
 * (when last seen) and `pending` (`[latest open, [[source, target, pipe, origin, actor], …]]`).
 */
export function migrateAuthenticationCoercion(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['sources']) || !isJsonRecord(section['served']) || !isJsonRecord(section['pending'])) return section;
  const printIn = section['printServers'] ?? {};
  if (!isJsonRecord(printIn)) return section;
  const sources = countedDaysRows(section['sources']);
  const served = recordRows(section['served'], (r) => [r['lastSeen'], r['sources']]);
  if (!sources || !served) return section;
  const printServers = table();
  for (const [host, time] of Object.entries(printIn)) {
    printServers.keys.push(host);
    printServers.rows.push(time);
  }
  const pending = table();
  for (const [machine, bySource] of Object.entries(section['pending'])) {
    if (!isJsonRecord(bySource)) return section;
    const opens = Object.values(bySource);
    if (!opens.every(isJsonRecord)) return section;
    pending.keys.push(machine);
    pending.rows.push([
      Math.max(...opens.map((o) => (typeof o['time'] === 'number' ? o['time'] : 0)), 0),
      opens.map((o) => [o['source'], o['target'], o['pipe'], origin(o['event']), o['actor'] === undefined ? null : account(o['actor'])]),
    ]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources, served, printServers, pending };
}

/**
 * dcsync: `{since, principals: {principal: {firstSeen, lastSeen, days, sources}}}` becomes the table
 * `principals` (`[lastSeen, days as a day set, day count, sources]`; firstSeen was never read and goes).
 */
export function migrateDcsync(section: unknown): unknown {
  return migrateCountedDays(section, 'principals', (p) => [p['sources']]);
}

/**
 * adfs_dkm_key_read: `{since, readers: {reader: {firstSeen, lastSeen, days}}}` becomes the table
 * `readers` (`[lastSeen, days as a day set, day count]`; firstSeen was never read and goes).
 */
export function migrateAdfsDkmKeyRead(section: unknown): unknown {
  return migrateCountedDays(section, 'readers', () => []);
}

/** dsrm_password_change: `{changes: {dc: {time, event}}}` becomes the table `changes` (`[time, origin]`). */
export function migrateDsrmPasswordChange(section: unknown): unknown {
  return migrateRecords(section, 'changes', (c) => [c['time'], origin(c['event'])]);
}

/** security_log_cleared: `{stories: {host|account: {logs, clears, first, last, backups}}}` becomes the table `stories` (`[last, first, clears, logs, backups]`). */
export function migrateSecurityLogCleared(section: unknown): unknown {
  return migrateRecords(section, 'stories', (s) => [s['last'], s['first'], s['clears'], s['logs'], s['backups']]);
}

/** samaccountname_spoofing: `{runs: {computer: {actor, names, created, spnsCleared, spoofedDcName, steps, last}}}` becomes the table `runs` (`[last, actor, names, created, spnsCleared, spoofedDcName, steps]`). */
export function migrateSamaccountnameSpoofing(section: unknown): unknown {
  return migrateRecords(section, 'runs', (r) => [
    r['last'], account(r['actor']), r['names'], r['created'] === undefined ? null : origin(r['created']),
    r['spnsCleared'] === undefined ? null : origin(r['spnsCleared']), r['spoofedDcName'] ?? null, r['steps'],
  ]);
}

/** zerologon: `{preludes: {dc: [{time, event, ip, workstation}]}}` becomes the table `preludes` (`[latest, [[origin, ip, workstation], …]]`). */
export function migrateZerologon(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['preludes'])) return section;
  const preludes = table();
  for (const [dc, list] of Object.entries(section['preludes'])) {
    if (!Array.isArray(list) || !list.every(isJsonRecord)) return section;
    preludes.keys.push(dc);
    preludes.rows.push([Math.max(0, ...list.map((p) => (typeof p['time'] === 'number' ? p['time'] : 0))), list.map((p) => [origin(p['event']), p['ip'] ?? null, p['workstation'] ?? null])]);
  }
  return { preludes };
}

/** containment_reverted: `{disabled: {id: {at, by, upn, objectId}}}` becomes the table `disabled` (`[at, by, upn, objectId]`). */
export function migrateContainmentReverted(section: unknown): unknown {
  return migrateRecords(section, 'disabled', (d) => [d['at'], d['by'], d['upn'] ?? null, d['objectId'] ?? null]);
}

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

/**
 * cloud_password_spray: `{sources: {source: {users: {upn: {n, last}}, lastSeen, ips, sprayedAt, sprayed}}, seen}` becomes the
 * table `sources` (`[lastSeen, [upn, attempts, last, …], ips, sprayedAt, sprayed]`); `seen` stays.
 * A user entry of the wrong shape is carried as it is, for the restore to refuse.
 */
export function migrateCloudPasswordSpray(section: unknown): unknown {
  return migrateRecords(section, 'sources', (s) => [
    s['lastSeen'],
    Object.entries(isJsonRecord(s['users']) ? s['users'] : {}).flatMap(([upn, a]) => (isJsonRecord(a) ? [upn, a['n'], a['last']] : [upn, a])),
    s['ips'] ?? null, s['sprayedAt'] ?? null, s['sprayed'] ?? null,
  ]);
}

/**
 * impossible_travel: `{users: {upn: {firstSeen, lastSeen, visits: [{t, lat, lon, country, city, asn, ip, device}], countries: {country: days}}}}`
 * becomes the table `users` (`[lastSeen, firstSeen, visits as tuples, [country, day set, day count, …]]`).
 * A country whose days are not day numbers is carried as it is, for the restore to refuse.
 */
export function migrateImpossibleTravel(section: unknown): unknown {
  return migrateRecords(section, 'users', (u) => [
    u['lastSeen'], u['firstSeen'],
    Array.isArray(u['visits']) ? u['visits'].map((v) => (isJsonRecord(v)
      ? [v['t'], v['lat'], v['lon'], v['country'] ?? null, v['city'] ?? null, v['asn'] ?? null, v['ip'] ?? null, v['device'] ?? null] : v)) : u['visits'],
    Object.entries(isJsonRecord(u['countries']) ? u['countries'] : {}).flatMap(([c, days]) => (isDayList(days) ? [c, fromDays(days), days.length] : [c, days])),
  ]);
}

/**
 * unfamiliar_signin: `{users: {upn: {firstSeen, lastSeen, signIns, seen: {country, asn, device, app}}}, asnUsers}` becomes the
 * table `users` (`[lastSeen, firstSeen, signIns, [value, last, …] per property]`); `asnUsers` stays.
 */
export function migrateUnfamiliarSignin(section: unknown): unknown {
  return migrateRecords(section, 'users', (u) => {
    const seen = isJsonRecord(u['seen']) ? u['seen'] : {};
    return [u['lastSeen'], u['firstSeen'], u['signIns'], ...['country', 'asn', 'device', 'app'].map((k) => Object.entries(isJsonRecord(seen[k]) ? seen[k] : {}).flat())];
  });
}

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

/**
 * asrep_roasting: `{since, sources: {account: {source: time}}, sweeps: {source: {account: time}}, oldUac: {key: {value, time}}}`
 * becomes the tables `sources` (keyed `account\tsource`, each row the time), `sweeps`
 * (`[latest, [account, time, …]]`) and `oldUac` (`[time, value]`).
 */
export function migrateAsrepRoasting(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['sources']) || !isJsonRecord(section['sweeps']) || !isJsonRecord(section['oldUac'])) return section;
  const sources = table();
  for (const [account, bySource] of Object.entries(section['sources'])) {
    if (!isJsonRecord(bySource)) return section;
    for (const [source, time] of Object.entries(bySource)) {
      sources.keys.push(`${account}\t${source}`);
      sources.rows.push(time);
    }
  }
  const sweeps = table();
  for (const [source, byAccount] of Object.entries(section['sweeps'])) {
    if (!isJsonRecord(byAccount)) return section;
    const times = Object.values(byAccount);
    sweeps.keys.push(source);
    sweeps.rows.push([Math.max(0, ...times.map((t) => (typeof t === 'number' ? t : 0))), Object.entries(byAccount).flat()]);
  }
  const oldUac = table();
  for (const [key, u] of Object.entries(section['oldUac'])) {
    if (!isJsonRecord(u)) return section;
    oldUac.keys.push(key);
    oldUac.rows.push([u['time'], u['value']]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources, sweeps, oldUac };
}

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
