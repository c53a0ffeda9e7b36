import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { migrateV3 } from '../../../core/state/migrate-v3';
import { migrateV4 } from '../../../core/state/migrate-v4';
import { checkState, STATE_VERSION } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { migrateV4Detectors, migrateV4Section } from '../../../core/state/migrate-v4-detectors';
import { migrateGoldenTicket } from '../../../core/state/migrate-v4/golden-ticket';
import { StateInvalidError } from '../../../core/state/state-errors';
import { passwordSpray } from '../../../core/detectors/password_spray';
import { accountEnumeration } from '../../../core/detectors/account_enumeration';
import { bruteForce } from '../../../core/detectors/brute_force';
import { dpapiBackupKey } from '../../../core/detectors/dpapi_backup_key';
import { remoteCodeExecution } from '../../../core/detectors/remote_code_execution';
import { passTheHash } from '../../../core/detectors/pass_the_hash';
import { samrRecon } from '../../../core/detectors/samr_recon';
import { smbSessionEnumeration } from '../../../core/detectors/smb_session_enumeration';
import { ldapRecon } from '../../../core/detectors/ldap_recon';
import { replicationRightsGranted } from '../../../core/detectors/replication_rights_granted';
import { mfaFatigue } from '../../../core/detectors/mfa_fatigue';
import { authenticationCoercion } from '../../../core/detectors/authentication_coercion';
import { dcsync } from '../../../core/detectors/dcsync';
import { asrepRoasting } from '../../../core/detectors/asrep_roasting';
import { adfsDkmKeyRead } from '../../../core/detectors/adfs_dkm_key_read';
import { dsrmPasswordChange } from '../../../core/detectors/dsrm_password_change';
import { securityLogCleared } from '../../../core/detectors/security_log_cleared';
import { samaccountnameSpoofing } from '../../../core/detectors/samaccountname_spoofing';
import { zerologon } from '../../../core/detectors/zerologon';
import { containmentReverted } from '../../../core/detectors/containment_reverted';
import { rbcdModification } from '../../../core/detectors/rbcd_modification';
import { cloudPasswordSpray } from '../../../core/detectors/cloud_password_spray';
import { impossibleTravel } from '../../../core/detectors/impossible_travel';
import { unfamiliarSignin } from '../../../core/detectors/unfamiliar_signin';
import { sensitiveGroupChange } from '../../../core/detectors/sensitive_group_change';
import { dcshadow } from '../../../core/detectors/dcshadow';
import { passTheTicket } from '../../../core/detectors/pass_the_ticket';
import { DC, logon as logonEvent, service7045 } from '../detectors/remote_code_execution.fixtures';
import { daysOf } from '../../../core/state/day-bits';
import type { DetectorModule, DetectorSettings } from '../../../core/detectors/detector';

const MIN = 60_000;
const DAY = 86_400_000;
const T = 20 * DAY;

function settings(m: DetectorModule): DetectorSettings {
  return { thresholds: Object.fromEntries(Object.entries(m.declaration.thresholds).map(([k, t]) => [k, t.default])), learningPeriodMs: 7 * DAY, testMode: false };
}

const origin = { time: T, host: 'DC01.corp.example', eventId: 4771, recordId: 7 };

/** A password_spray section as version 4 wrote it: one source with a learned profile and a live burst. */
const sprayV4 = {
  since: T - 10 * DAY,
  sources: [['10.0.8.66', {
    accounts: [['alice', { name: 'Alice', attempts: 2, last: T, seen: ['dc01|4771'], tested: true, unknown: false }],
      ['ghost', { name: 'ghost', attempts: 1, last: T, seen: [], tested: false, unknown: true, recovered: true }]],
    attempts: 3, tested: 1, unknown: 1, recovered: 1, frontEnd: true, first: T - MIN, evidence: [origin],
    actor: { name: 'bob', domain: 'CORP' }, sourceIp: '10.0.8.66', sourceName: 'WS05', sprayedAt: T, sprayedAccounts: 2,
    usual: ['carol'], profile: { days: [[18, 4], [19, 6]], known: [] }, lastSeen: T,
  }]],
};

const enumerationV4 = {
  since: T - 3 * DAY,
  sources: [['10.0.9.9', {
    unknown: [['nobody', T - MIN], ['noone', T]], known: [['alice', T]], found: ['Alice'], evidence: [origin],
    sourceIp: '10.0.9.9', profile: { days: [[19, 12]], known: [['dc01', 18]] }, lastSeen: T,
  }]],
};

describe('migrate v4 → v5: detector sections on keyed tables', () => {
  it('carries password_spray\'s learned habits and its live burst over, counters derived from the accounts', () => {
    const migrated = migrateV4Detectors['password_spray']?.(sprayV4);
    assert.deepEqual(migrated, {
      since: T - 10 * DAY,
      sources: { keys: ['10.0.8.66'], rows: [[T, [[18, 4, 19, 6], []], ['carol'], 1]] },
      bursts: { keys: ['10.0.8.66'], rows: [[T, T - MIN, [['alice', 'Alice', 2, T, ['dc01|4771'], 1], ['ghost', 'ghost', 1, T, [], 6]],
        [[T, 'DC01.corp.example', 4771, 7]], ['bob', 'CORP', null], '10.0.8.66', 'WS05', T, 2, 0]] },
    });
    const d = passwordSpray.create(settings(passwordSpray), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
  });

  it('keeps password_spray\'s habits for the TTL and lets its burst go at window + success window', () => {
    const d = passwordSpray.create(settings(passwordSpray), migrateV4Detectors['password_spray']?.(sprayV4));
    d.evictIdle(T - 30 * DAY, T + 119 * MIN);
    assert.equal((d.snapshot() as { bursts: { keys: string[] } }).bursts.keys.length, 1, 'within 60 + 60 minutes the burst stays');
    d.evictIdle(T - 30 * DAY, T + 121 * MIN);
    const s = d.snapshot() as { sources: { keys: string[] }; bursts: { keys: string[] } };
    assert.deepEqual([s.sources.keys, s.bursts.keys], [['10.0.8.66'], []]);
  });

  it('carries account_enumeration\'s profile and the names tried within the window over', () => {
    const migrated = migrateV4Detectors['account_enumeration']?.(enumerationV4);
    assert.deepEqual(migrated, {
      since: T - 3 * DAY,
      sources: { keys: ['10.0.9.9'], rows: [[T, [[19, 12], ['dc01', 18]]]] },
      windows: { keys: ['10.0.9.9'], rows: [[T, ['nobody', T - MIN, 'noone', T], ['alice', T], ['Alice'], [[T, 'DC01.corp.example', 4771, 7]], null, '10.0.9.9', null]] },
    });
    const d = accountEnumeration.create(settings(accountEnumeration), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated);
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    assert.deepEqual((d.snapshot() as { windows: { keys: string[] } }).windows.keys, [], 'the names go after the window');
  });

  it('leaves a section of the wrong shape as it is, and the restore refuses it naming the path', () => {
    for (const [id, module] of [['password_spray', passwordSpray], ['account_enumeration', accountEnumeration]] as const) {
      const broken = { sources: [['10.0.0.1', { profile: 'not a profile' }]] };
      const migrated = migrateV4Detectors[id]?.(broken);
      assert.equal(migrated, broken);
      assert.throws(() => module.create(settings(module), migrated), (e: unknown) => e instanceof StateInvalidError && e.where === `detectors.${id}` && e.key === 'sources');
    }
  });

  it('refuses a bad row in a v5 section naming it', () => {
    const migrated = migrateV4Detectors['password_spray']?.(sprayV4) as { bursts: { rows: unknown[][] } };
    (migrated.bursts.rows[0] as unknown[])[2] = [['alice', 'Alice', 'two', T, [], 1]];
    assert.throws(() => passwordSpray.create(settings(passwordSpray), migrated), /detectors\.password_spray is invalid: bursts\.rows\.0\.2\.0\.2 must be a non-negative integer/);
  });

  it('carries brute_force\'s burst days over as a day set, and lets the streaks go after their window', () => {
    const v4 = {
      since: T - 9 * DAY,
      sources: { '10.0.8.66': {
        accounts: {
          alice: { failures: [T - MIN, T], streak: 2, streakStart: T - MIN, firstEvents: [origin], days: [17, 18, 19], attackedAt: T, lastSeen: T },
          bob: { failures: [T], streak: 1, streakStart: T, firstEvents: [], days: [], lastSeen: T },
        },
        hot: { alice: T }, lastSeen: T,
      } },
      accountSources: { alice: { sources: ['10.0.8.66'], lastSeen: T } },
    };
    const migrated = migrateV4Detectors['brute_force']?.(v4) as { burstDays: { keys: string[]; rows: [number, number][] } };
    assert.deepEqual(migrated.burstDays.keys, ['10.0.8.66\talice'], 'only a pair that burst keeps days');
    assert.deepEqual(daysOf((migrated.burstDays.rows[0] as [number, number])[1]), [17, 18, 19]);
    const d = bruteForce.create(settings(bruteForce), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated);
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    const s = d.snapshot() as Record<string, { keys: string[] }>;
    assert.deepEqual([s['streaks']?.keys, s['burstDays']?.keys, s['hot']?.keys, s['accountSources']?.keys], [[], ['10.0.8.66\talice'], [], []]);
    assert.throws(() => bruteForce.create(settings(bruteForce), { ...migrated, burstDays: { keys: ['x'], rows: [[T, -1]] } }), /burstDays\.rows\.0\.1 must be a day set/);
  });

  it('migrates a v4-shaped section, and passes v5 and unconverted sections as they are', () => {
    const v5 = migrateV4Detectors['password_spray']?.(sprayV4);
    assert.deepEqual(migrateV4Section('password_spray', sprayV4), v5);
    assert.equal(migrateV4Section('password_spray', v5), v5);
    const other = { sources: [] };
    assert.equal(migrateV4Section('golden_ticket', other), other);
  });

  it('carries dpapi_backup_key\'s pipe sessions over and lets them go an hour after they opened', () => {
    const v4 = { pipes: { 'dc01|0x51': { ip: '172.18.39.5', pipe: 'lsarpc', time: T, event: origin } } };
    const migrated = migrateV4Detectors['dpapi_backup_key']?.(v4);
    assert.deepEqual(migrated, { pipes: { keys: ['dc01|0x51'], rows: [[T, '172.18.39.5', 'lsarpc', [T, 'DC01.corp.example', 4771, 7]]] } });
    assert.deepEqual(migrateV4Section('dpapi_backup_key', v4), migrated);
    const d = dpapiBackupKey.create(settings(dpapiBackupKey), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated);
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    assert.deepEqual(d.snapshot(), { pipes: { keys: [], rows: [] } });
    assert.throws(() => dpapiBackupKey.create(settings(dpapiBackupKey), { pipes: { keys: ['k'], rows: [[T, 5, 'lsarpc', [T, 'DC01', 1, null]]] } }), /pipes\.rows\.0\.1 must be a string/);
  });
});

describe('migrate v4 → v5: remote_code_execution', () => {
  const logon = {
    time: T, host: 'SRV01.corp.example', eventId: 4624, recordId: 4015326, kind: 'logon',
    account: { name: 'alice', domain: 'CORP', sid: 'S-1-5-21-1-2-3-1104' }, logonType: 3, ip: '10.16.27.250',
    authPackage: 'Kerberos', logonProcess: 'Kerberos', keyLength: 0, logonId: '0x162502',
  };
  const pipe = { time: T - 1000, host: 'SRV01.corp.example', eventId: 5145, recordId: 90 };
  /** As version 4 wrote it: a host with evidence of each kind, a learned pair, a deployer and a push system. */
  const rceV4 = {
    since: T - 20 * DAY,
    hosts: {
      srv01: {
        touches: [{ kind: 'scm', time: T - 1000, account: { name: 'alice', domain: 'CORP' }, ip: '10.16.27.250', logonId: '0x162502', origin: pipe }],
        logons: [logon], wmiPids: [{ pid: 4242, time: T - 5000 }], remotePids: [77],
        pending: [{ method: 'service', target: 'SRV01.corp.example', origin: { ...pipe, eventId: 7045, recordId: 91 }, what: 'installed the service "x" (x.exe)',
          details: { service: 'x', imagePath: 'x.exe' }, sid: 'S-1-5-21-1-2-3-1104' }],
        scmOpens: { '10.16.27.250|alice': [T - 1000] }, lastSeen: T,
      },
      srv02: { touches: [], logons: [], wmiPids: [], pending: [], scmOpens: {}, lastSeen: T - DAY },
    },
    baseline: {
      pairs: { 'dc01|10.0.1.8|svc-backup': { firstSeen: T - 2 * DAY, lastSeen: T, days: [18, 19, 20], fromLearning: true }, 'srv01|10.0.1.9|bob': { firstSeen: T, lastSeen: T, days: [20] } },
      deployers: { '10.0.1.8|svc-backup': { targets: ['dc01'], lastSeen: T } },
      pushes: { '10.0.5.5|svc-sccm': { targets: ['ws01', 'ws02'], days: [19, 20], payloads: { 'ccmsetup': 19, 'pdqdeployrunner-#': 20 }, lastSeen: T } },
    },
    tickets: [['SRV01$', 'alice', '10.16.27.250', T - 2000]],
  };

  it('carries every host\'s evidence and the learned baseline over row for row', () => {
    type Row = [number, number, number, number];
    const migrated = migrateV4Detectors['remote_code_execution']?.(rceV4) as Record<string, { keys: string[]; rows: unknown[][] }>;
    assert.deepEqual(migrated['hosts']?.keys, ['srv01', 'srv02']);
    assert.deepEqual(migrated['hosts']?.rows[0], [
      T,
      [['scm', [T - 1000, 'SRV01.corp.example', 5145, 90], ['alice', 'CORP', null], '10.16.27.250', null, '0x162502', null]],
      [[[T, 'SRV01.corp.example', 4624, 4015326], ['alice', 'CORP', 'S-1-5-21-1-2-3-1104'], '10.16.27.250', null, '0x162502']],
      [4242, T - 5000], [77],
      [['service', 'SRV01.corp.example', 'installed the service "x" (x.exe)', [T - 1000, 'SRV01.corp.example', 7045, 91], { service: 'x', imagePath: 'x.exe' }, null, 'S-1-5-21-1-2-3-1104', null]],
      ['10.16.27.250|alice', [T - 1000]],
    ]);
    assert.deepEqual(migrated['pairs']?.keys, ['dc01|10.0.1.8|svc-backup', 'srv01|10.0.1.9|bob']);
    const [learned, once] = migrated['pairs']?.rows as [Row, Row];
    assert.deepEqual([daysOf(learned[1]), learned[2], learned[3]], [[18, 19, 20], 3, 1]);
    assert.deepEqual([daysOf(once[1]), once[2], once[3]], [[20], 1, 0]);
    assert.deepEqual(migrated['deployers'], { keys: ['10.0.1.8|svc-backup'], rows: [[T, ['dc01']]] });
    const push = migrated['pushes']?.rows[0] as unknown[];
    assert.deepEqual([push[1], daysOf(push[2] as number), push[3], push[4]], [['ws01', 'ws02'], [19, 20], 2, ['ccmsetup', 19, 'pdqdeployrunner-#', 20]]);
    assert.deepEqual(migrated['tickets'], rceV4.tickets);
    assert.deepEqual(migrateV4Section('remote_code_execution', rceV4), migrated);
    const d = remoteCodeExecution.create(settings(remoteCodeExecution), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.equal(migrateV4Section('remote_code_execution', migrated), migrated, 'a v5 section passes as it is');
  });

  // Two weeks after the harness epoch (2024-03-04T09:00Z): after the fixture's own events.
  const AT_MIN = 14 * 24 * 60;
  const AT = Date.UTC(2024, 2, 4, 9) + AT_MIN * MIN;
  const BACKUP = { user: 'svc-backup', sid: 'S-1-5-21-1-2-3-5000', ip: '10.0.1.8', computer: DC };

  /** A pass on the v4 fixture with `pairs` as remote_code_execution's learned pairs: svc-backup installs a service on DC01 from 10.0.1.8. */
  async function backupPass(pairs: object): Promise<{ titles: string[]; pairs: string[] }> {
    const store = new MemoryStateStore();
    const section = { since: AT - 20 * DAY, hosts: {}, baseline: { pairs, deployers: {} } };
    await store.save(checkState({ ...v4Doc(), detectors: { remote_code_execution: section } }, 'state-v4'), null);
    const sink = new MemorySink();
    const result = await runPass({
      source: new MemorySource([logonEvent(AT_MIN, '0x99', BACKUP), service7045(AT_MIN + 0.001, 'VeeamVssSupport', 'C:\\Windows\\Veeam.exe', BACKUP)]),
      sink, store, quarantine: new MemoryQuarantine(), config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => AT + 60 * MIN,
    });
    assert.equal(result.state.version, 5);
    const rce = result.state.detectors['remote_code_execution'] as { pairs: { keys: string[] } };
    return { titles: sink.alerts.filter((x) => x.detector === 'remote_code_execution').map((x) => x.title), pairs: rce.pairs.keys };
  }

  it('keeps a learned pair routine after the migration: no alert for the backup account on the DC', async () => {
    const day = Math.floor(AT / DAY);
    const kept = await backupPass({ 'dc01|10.0.1.8|svc-backup': { firstSeen: AT - 2 * DAY, lastSeen: AT - DAY, days: [day - 3, day - 2, day - 1], fromLearning: true } });
    assert.ok(kept.pairs.includes('dc01|10.0.1.8|svc-backup'));
    assert.deepEqual(kept.titles, []);
    const unlearned = await backupPass({});
    assert.deepEqual(unlearned.titles, ['Remote code execution: service installed from another machine'], 'without the pair the same pass alerts');
  });

  it('leaves a v4 section of the wrong shape as it is for the restore to refuse', () => {
    const broken = { hosts: { srv01: { touches: 'none' } }, baseline: { pairs: {}, deployers: {} } };
    assert.equal(migrateV4Detectors['remote_code_execution']?.(broken), broken);
    assert.throws(() => remoteCodeExecution.create(settings(remoteCodeExecution), broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'hosts');
  });
});

describe('migrate v4 → v5: pass_the_hash', () => {
  const pthV4 = {
    since: T - 12 * DAY,
    habits: { 'adm01|alice|alice-adm': { days: [17, 18, 19, 20], lastSeen: T }, 'ws05|bob|?': { days: [20], lastSeen: T - DAY } },
    accounts: { 'alice': { firstSeen: T - 12 * DAY, lastSeen: T, devices: { 'n:adm01': T, 'i:10.0.4.21': T - DAY } } },
    injections: [{ host: 'ws05', identity: 'carol', time: T - MIN }],
  };

  it('carries the habits\' days, the device sets and the recent injections over row for row', () => {
    const migrated = migrateV4Detectors['pass_the_hash']?.(pthV4) as { habits: { keys: string[]; rows: [number, number, number][] } };
    assert.deepEqual(migrated.habits.keys, Object.keys(pthV4.habits));
    assert.deepEqual(migrated.habits.rows.map(([seen, days, n]) => [seen, daysOf(days), n]), [[T, [17, 18, 19, 20], 4], [T - DAY, [20], 1]]);
    assert.deepEqual(migrated, {
      since: T - 12 * DAY,
      habits: migrated.habits,
      accounts: { keys: ['alice'], rows: [[T, T - 12 * DAY, ['n:adm01', T, 'i:10.0.4.21', T - DAY]]] },
      injections: [['ws05', 'carol', T - MIN]],
    });
    assert.deepEqual(migrateV4Section('pass_the_hash', pthV4), migrated);
    assert.equal(migrateV4Section('pass_the_hash', migrated), migrated, 'a v5 section passes as it is');
    const d = passTheHash.create(settings(passTheHash), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
  });

  it('keeps a learned runas /netonly habit silent after the migration, and alerts on an unlearned one', () => {
    const d = passTheHash.create({ ...settings(passTheHash), learningPeriodMs: 0 }, migrateV4Detectors['pass_the_hash']?.(pthV4));
    const alerts: string[] = [];
    const ctx = { emit: (a: { keys: readonly string[] }) => alerts.push(a.keys[0] ?? ''), directory: { machineAddresses: () => [] } } as never;
    const netonly = (host: string, user: string, identity: string) => ({
      kind: 'logon', time: T + MIN, host, eventId: 4624, recordId: 1, logonType: 9, logonProcess: 'seclogo',
      account: { name: user, domain: 'CORP' }, subject: { name: user, domain: 'CORP' }, outboundAccount: { name: identity, domain: 'CORP' },
    }) as never;
    d.handle(netonly('ADM01', 'alice', 'alice-adm'), ctx);
    assert.deepEqual(alerts, [], 'seen on 4 days: a habit');
    d.handle(netonly('WS05', 'bob', 'bob-adm'), ctx);
    assert.deepEqual(alerts, ['ws05']);
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(passTheHash);
    assert.throws(() => passTheHash.create(s, { habits: { keys: ['k'], rows: [[T, -3, 1]] } }), /detectors\.pass_the_hash is invalid: habits\.rows\.0\.1 must be a day set/);
    assert.throws(() => passTheHash.create(s, { accounts: { keys: ['a'], rows: [[T, T, ['n:adm01']]] } }), /accounts\.rows\.0\.2 must be a flat list of pairs/);
    assert.throws(() => passTheHash.create(s, { injections: [['ws05', 'carol', 'now']] }), /injections\.0\.2 must be a finite number/);
    const broken = { habits: { k: { days: 'all' } }, accounts: {}, injections: [] };
    assert.equal(migrateV4Detectors['pass_the_hash']?.(broken), broken);
    assert.throws(() => passTheHash.create(s, broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'habits');
  });
});

describe('migrate v4 → v5: samr_recon', () => {
  const samrV4 = {
    since: T - 9 * DAY,
    actors: [['eve', {
      objects: [['cn=domain admins', T - 2 * MIN], ['cn=alice', T]], binds: [['dc01|88', T - MIN]],
      profile: { days: [[17, 3], [18, 5]], known: [['sensitive:Domain Admins', 17]] }, evidence: [origin],
      sourceIp: '10.0.7.7', sourceName: 'WS07', lastSeen: T,
    }], ['bob', { objects: [], binds: [], profile: { days: [[15, 1]], known: [] }, evidence: [], lastSeen: T - 3 * DAY }]],
    sessions: [['dc01|0x51', '10.0.7.7']],
  };

  it('carries every actor\'s profile, window and source and the pipe sessions over row for row', () => {
    const migrated = migrateV4Detectors['samr_recon']?.(samrV4);
    assert.deepEqual(migrated, {
      since: T - 9 * DAY,
      actors: { keys: ['eve', 'bob'], rows: [[T, [[17, 3, 18, 5], ['sensitive:Domain Admins', 17]], '10.0.7.7', 'WS07'], [T - 3 * DAY, [[15, 1], []], null, null]] },
      windows: { keys: ['eve', 'bob'], rows: [[T, ['cn=domain admins', T - 2 * MIN, 'cn=alice', T], ['dc01|88', T - MIN], [[T, 'DC01.corp.example', 4771, 7]]], [T - 3 * DAY, [], [], []]] },
      sessions: { keys: ['dc01|0x51'], rows: [[T, '10.0.7.7']] },
    });
    assert.deepEqual(migrateV4Section('samr_recon', samrV4), migrated);
    assert.equal(migrateV4Section('samr_recon', migrated), migrated, 'a v5 section passes as it is');
    const d = samrRecon.create(settings(samrRecon), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
  });

  it('keeps the profiles for the TTL and lets the windows go after the window', () => {
    const d = samrRecon.create(settings(samrRecon), migrateV4Detectors['samr_recon']?.(samrV4));
    d.evictIdle(T - 30 * DAY, T + 11 * MIN);
    const s = d.snapshot() as Record<string, { keys: string[] }>;
    assert.deepEqual([s['actors']?.keys, s['windows']?.keys, s['sessions']?.keys], [['eve', 'bob'], [], ['dc01|0x51']]);
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(samrRecon);
    assert.throws(() => samrRecon.create(s, { windows: { keys: ['eve'], rows: [[T, ['a', T, 'b'], [], []]] } }), /detectors\.samr_recon is invalid: windows\.rows\.0\.1 must alternate keys and times/);
    assert.throws(() => samrRecon.create(s, { sessions: { keys: ['dc01|0x51'], rows: [[T, 7]] } }), /sessions\.rows\.0\.1 must be a string/);
    const broken = { actors: [['eve', { profile: 'none' }]], sessions: [] };
    assert.equal(migrateV4Detectors['samr_recon']?.(broken), broken);
    assert.throws(() => samrRecon.create(s, broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'actors');
  });
});

describe('migrate v4 → v5: smb_session_enumeration', () => {
  const smbV4 = {
    since: T - 9 * DAY,
    sources: [['10.0.7.7', {
      hosts: [['srv01', T - MIN], ['dc01', T]], dcs: [['dc01|eve', T]], profile: { days: [[18, 2], [19, 3]], known: [['dc', 18]] },
      evidence: [origin], actor: { name: 'eve', domain: 'CORP', sid: 'S-1-5-21-1-2-3-1107' }, lastSeen: T,
    }], ['10.0.7.8', { hosts: [], profile: { days: [[12, 1]], known: [] }, evidence: [], lastSeen: T - 5 * DAY }]],
    dcOpeners: [[19, ['10.0.7.7', '10.0.7.9']], [20, ['10.0.7.7']]],
  };

  it('carries every source\'s profile and window and the estate\'s DC openers over row for row', () => {
    const migrated = migrateV4Detectors['smb_session_enumeration']?.(smbV4);
    assert.deepEqual(migrated, {
      since: T - 9 * DAY,
      sources: { keys: ['10.0.7.7', '10.0.7.8'], rows: [[T, [[18, 2, 19, 3], ['dc', 18]]], [T - 5 * DAY, [[12, 1], []]]] },
      windows: { keys: ['10.0.7.7', '10.0.7.8'], rows: [
        [T, ['srv01', T - MIN, 'dc01', T], ['dc01|eve', T], [[T, 'DC01.corp.example', 4771, 7]], ['eve', 'CORP', 'S-1-5-21-1-2-3-1107']],
        [T - 5 * DAY, [], [], [], null],
      ] },
      dcOpeners: smbV4.dcOpeners,
    });
    assert.deepEqual(migrateV4Section('smb_session_enumeration', smbV4), migrated);
    assert.equal(migrateV4Section('smb_session_enumeration', migrated), migrated, 'a v5 section passes as it is');
    const d = smbSessionEnumeration.create(settings(smbSessionEnumeration), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 59 * MIN);
    assert.deepEqual((d.snapshot() as { windows: { keys: string[] } }).windows.keys, ['10.0.7.7'], 'within the hour the window stays');
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    const s = d.snapshot() as Record<string, { keys: string[] }>;
    assert.deepEqual([s['sources']?.keys, s['windows']?.keys], [['10.0.7.7', '10.0.7.8'], []], 'profiles for the TTL, windows for the window');
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(smbSessionEnumeration);
    assert.throws(() => smbSessionEnumeration.create(s, { windows: { keys: ['ip'], rows: [[T, [], ['dc01|eve'], [], null]] } }), /detectors\.smb_session_enumeration is invalid: windows\.rows\.0\.2 must be a flat list of pairs/);
    assert.throws(() => smbSessionEnumeration.create(s, { dcOpeners: [[19, '10.0.7.7']] }), /dcOpeners\.0\.1 must be an array/);
    const broken = { sources: [['10.0.7.7', { hosts: 'x' }]] };
    assert.equal(migrateV4Detectors['smb_session_enumeration']?.(broken), broken);
    assert.throws(() => smbSessionEnumeration.create(s, broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'sources');
  });
});

describe('migrate v4 → v5: ldap_recon', () => {
  const ldapV4 = {
    since: T - 9 * DAY,
    actors: [['eve', {
      objects: [['CN=Alice,CN=Users,DC=corp', T - MIN], ['CN=Bob,CN=Users,DC=corp', T]], profile: { days: [[18, 40], [19, 55]], known: [] },
      evidence: [origin], sourceIp: '10.0.7.7', lastSeen: T,
    }]],
  };

  it('carries every actor\'s profile, source and read window over row for row', () => {
    const migrated = migrateV4Detectors['ldap_recon']?.(ldapV4);
    assert.deepEqual(migrated, {
      since: T - 9 * DAY,
      actors: { keys: ['eve'], rows: [[T, [[18, 40, 19, 55], []], '10.0.7.7', null]] },
      windows: { keys: ['eve'], rows: [[T, ['CN=Alice,CN=Users,DC=corp', T - MIN, 'CN=Bob,CN=Users,DC=corp', T], [[T, 'DC01.corp.example', 4771, 7]]]] },
    });
    assert.deepEqual(migrateV4Section('ldap_recon', ldapV4), migrated);
    assert.equal(migrateV4Section('ldap_recon', migrated), migrated, 'a v5 section passes as it is');
    const d = ldapRecon.create(settings(ldapRecon), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + DAY);
    const s = d.snapshot() as Record<string, { keys: string[] }>;
    assert.deepEqual([s['actors']?.keys, s['windows']?.keys], [['eve'], []], 'the profile for the TTL, the window for the window');
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(ldapRecon);
    assert.throws(() => ldapRecon.create(s, { actors: { keys: ['eve'], rows: [[T, [[18, 40], []], 7, null]] } }), /detectors\.ldap_recon is invalid: actors\.rows\.0\.2 must be a string/);
    assert.throws(() => ldapRecon.create(s, { windows: { keys: ['eve'], rows: [[T, [], [['DC01', T]]]] } }), /windows\.rows\.0\.2\.0 must be an array of 4/);
    const broken = { actors: [['eve', { objects: {} }]] };
    assert.equal(migrateV4Detectors['ldap_recon']?.(broken), broken);
    assert.throws(() => ldapRecon.create(s, broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'actors');
  });
});

describe('migrate v4 → v5: replication_rights_granted', () => {
  const guid = '6f9a5c4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f';
  const rightsV4 = {
    descriptors: { [guid]: { grants: ['GenericAll|S-1-5-21-1-2-3-1106'], lastSeen: T } },
    granted: { [`${guid}|S-1-5-21-1-2-3-1106`]: { rights: ['GenericAll'], since: T - MIN } },
  };

  it('carries the last descriptor of each domain object and the bucket\'s grants over row for row', () => {
    const migrated = migrateV4Detectors['replication_rights_granted']?.(rightsV4);
    assert.deepEqual(migrated, {
      descriptors: { keys: [guid], rows: [[T, ['GenericAll|S-1-5-21-1-2-3-1106']]] },
      granted: { keys: [`${guid}|S-1-5-21-1-2-3-1106`], rows: [[T - MIN, ['GenericAll']]] },
    });
    assert.deepEqual(migrateV4Section('replication_rights_granted', rightsV4), migrated);
    assert.equal(migrateV4Section('replication_rights_granted', migrated), migrated, 'a v5 section passes as it is');
    const d = replicationRightsGranted.create(settings(replicationRightsGranted), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 25 * 60 * MIN);
    assert.deepEqual(d.snapshot(), { descriptors: migrated && (migrated as { descriptors: unknown }).descriptors, granted: { keys: [], rows: [] } }, 'the grants go with their bucket, the descriptor stays');
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(replicationRightsGranted);
    assert.throws(() => replicationRightsGranted.create(s, { descriptors: { keys: [guid], rows: [[T, 'GenericAll']] } }), /detectors\.replication_rights_granted is invalid: descriptors\.rows\.0\.1 must be an array/);
    const broken = { descriptors: { [guid]: 'x' } };
    assert.equal(migrateV4Detectors['replication_rights_granted']?.(broken), broken);
    assert.throws(() => replicationRightsGranted.create(s, broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'descriptors');
  });
});

describe('migrate v4 → v5: mfa_fatigue', () => {
  const mfaV4 = {
    users: { 'alice@corp.example': { prompts: [{ t: T - 2 * MIN, outcome: 'denied', ip: '203.0.113.9' }, { t: T - MIN, outcome: 'timeout' }, { t: T, outcome: 'wrong_code', ip: '203.0.113.9' }], lastSeen: T } },
    seen: ['rec-1', 'rec-2'],
  };

  it('carries every user\'s refused prompts and the records seen over row for row', () => {
    const migrated = migrateV4Detectors['mfa_fatigue']?.(mfaV4);
    assert.deepEqual(migrated, {
      users: { keys: ['alice@corp.example'], rows: [[T, [[T - 2 * MIN, 0, '203.0.113.9'], [T - MIN, 1, null], [T, 3, '203.0.113.9']]]] },
      seen: ['rec-1', 'rec-2'],
    });
    assert.deepEqual(migrateV4Section('mfa_fatigue', mfaV4), migrated);
    assert.equal(migrateV4Section('mfa_fatigue', migrated), migrated, 'a v5 section passes as it is');
    const d = mfaFatigue.create(settings(mfaFatigue), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    assert.deepEqual((d.snapshot() as { users: unknown }).users, { keys: [], rows: [] }, 'the prompts go after the window');
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(mfaFatigue);
    const v4 = { users: { 'alice@corp.example': { prompts: [{ t: T, outcome: 'approved' }], lastSeen: T } }, seen: [] };
    assert.throws(() => mfaFatigue.create(s, migrateV4Detectors['mfa_fatigue']?.(v4)), /detectors\.mfa_fatigue is invalid: users\.rows\.0\.1\.0\.1 must be a non-negative integer, is "approved"/);
    assert.throws(() => mfaFatigue.create(s, { users: { keys: ['a'], rows: [[T, [[T, 9, null]]]] } }), /users\.rows\.0\.1\.0\.1 must be 0 … 3/);
    assert.throws(() => mfaFatigue.create(s, { seen: [7] }), /seen\.0 must be a string/);
  });
});

describe('migrate v4 → v5: authentication_coercion', () => {
  const pipe = { time: T, host: 'DC01.corp.example', eventId: 5145, recordId: 42 };
  const coercionV4 = {
    since: T - 20 * DAY,
    sources: { '10.0.3.3|dc': { days: [17, 18, 19], lastSeen: T - DAY }, '10.0.6.6|member': { days: [20], lastSeen: T } },
    served: { 'prn01|spoolss': { sources: ['10.0.4.1', '10.0.4.2'], lastSeen: T } },
    printServers: { prn01: T - MIN },
    pending: { 'dc01$': { '10.0.6.6': { source: '10.0.6.6', target: 'dc01', pipe: 'efsrpc', keys: ['10.0.6.6', 'dc01'], actor: { name: 'eve', domain: 'CORP' }, time: T, event: pipe } } },
  };

  it('carries the learned management servers, the served pipes, the print servers and the pending opens over row for row', () => {
    const migrated = migrateV4Detectors['authentication_coercion']?.(coercionV4) as Record<string, { keys: string[]; rows: unknown[][] }>;
    assert.deepEqual(migrated['sources']?.keys, ['10.0.3.3|dc', '10.0.6.6|member']);
    assert.deepEqual(migrated['sources']?.rows.map(([seen, days, n]) => [seen, daysOf(days as number), n]), [[T - DAY, [17, 18, 19], 3], [T, [20], 1]]);
    assert.deepEqual(migrated['served'], { keys: ['prn01|spoolss'], rows: [[T, ['10.0.4.1', '10.0.4.2']]] });
    assert.deepEqual(migrated['printServers'], { keys: ['prn01'], rows: [T - MIN] });
    assert.deepEqual(migrated['pending'], { keys: ['dc01$'], rows: [[T, [['10.0.6.6', 'dc01', 'efsrpc', [T, 'DC01.corp.example', 5145, 42], ['eve', 'CORP', null]]]]] });
    assert.deepEqual(migrateV4Section('authentication_coercion', coercionV4), migrated);
    assert.equal(migrateV4Section('authentication_coercion', migrated), migrated, 'a v5 section passes as it is');
    const d = authenticationCoercion.create(settings(authenticationCoercion), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), { since: T - 20 * DAY, ...migrated }, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 3 * MIN);
    assert.deepEqual((d.snapshot() as { pending: unknown }).pending, { keys: [], rows: [] }, 'an open goes after the corroboration window');
  });

  it('confirms a migrated pending open when the target authenticates to the caller', () => {
    const d = authenticationCoercion.create(settings(authenticationCoercion), migrateV4Detectors['authentication_coercion']?.(coercionV4));
    const titles: string[] = [];
    const ctx = { emit: (a: { title?: string }) => titles.push(a.title ?? ''), directory: { machineAddresses: () => [] } } as never;
    d.handle({ kind: 'logon', time: T + 30_000, host: 'CA01.corp.example', eventId: 4624, recordId: 9, account: { name: 'DC01$', domain: 'CORP' }, logonType: 3, ip: '10.0.6.6' } as never, ctx);
    assert.deepEqual(titles, ['Authentication coercion confirmed: the target authenticated to the caller']);
  });

  it('refuses a malformed section naming the bad value', () => {
    const s = settings(authenticationCoercion);
    assert.throws(() => authenticationCoercion.create(s, { pending: { keys: ['dc01$'], rows: [[T, [['10.0.6.6', 'dc01', 'efsrpc', [T, 'DC01', 5145, 42]]]]] } }), /detectors\.authentication_coercion is invalid: pending\.rows\.0\.1\.0 must be an array of 5/);
    assert.throws(() => authenticationCoercion.create(s, { sources: { keys: ['k'], rows: [[T, 0.5, 1]] } }), /sources\.rows\.0\.1 must be a day set/);
    const broken = { sources: { k: { days: [1.5] } }, served: {}, pending: {} };
    assert.equal(migrateV4Detectors['authentication_coercion']?.(broken), broken);
    assert.throws(() => authenticationCoercion.create(s, broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'sources');
  });
});

describe('migrate v4 → v5: dcsync', () => {
  const dcsyncV4 = {
    since: T - 5 * DAY,
    principals: { 'svc-sync': { firstSeen: T - 3 * DAY, lastSeen: T, days: [17, 18, 19, 20], sources: ['10.0.2.2'] } },
  };

  it('carries every principal being learned over row for row, and it stays learned', () => {
    const migrated = migrateV4Detectors['dcsync']?.(dcsyncV4) as { principals: { keys: string[]; rows: [number, number, number, string[]][] } };
    assert.deepEqual(migrated.principals.keys, ['svc-sync']);
    const [row] = migrated.principals.rows;
    assert.deepEqual([row?.[0], daysOf(row?.[1] ?? 0), row?.[2], row?.[3]], [T, [17, 18, 19, 20], 4, ['10.0.2.2']]);
    assert.deepEqual(migrateV4Section('dcsync', dcsyncV4), migrated);
    assert.equal(migrateV4Section('dcsync', migrated), migrated, 'a v5 section passes as it is');
    const d = dcsync.create(settings(dcsync), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    const alerts: string[] = [];
    const directory = { logonSession: () => ({ ip: '10.0.2.2' }), isDomainControllerAccount: () => false, isDomainControllerAddress: () => false, isDirectorySyncAccount: () => false };
    const replicate = (name: string) => ({
      kind: 'directory_object_access', time: T + MIN, host: 'DC01.corp.example', eventId: 4662, recordId: 1, accessMask: 0x100,
      properties: ['1131f6ad-9c07-11d1-f79f-00c04fc2dcd2'], subject: { name, domain: 'CORP' }, logonId: '0x7', objectName: 'DC=corp',
    }) as never;
    const ctx = { emit: (a: { keys: readonly string[] }) => alerts.push(a.keys[0] ?? ''), directory } as never;
    d.handle(replicate('svc-sync'), ctx);
    d.handle(replicate('eve'), ctx);
    assert.deepEqual(alerts, ['eve'], 'the learned sync account replicates silently; a new principal alerts');
  });

  it('refuses a malformed section naming the bad value', () => {
    assert.throws(() => dcsync.create(settings(dcsync), { principals: { keys: ['x'], rows: [[T, 0, 1, ['a', 'b', 'c', 'd', 'e']]] } }), /detectors\.dcsync is invalid: principals\.rows\.0\.3 must hold at most 4 items/);
    const broken = { principals: { x: { days: 'often' } } };
    assert.equal(migrateV4Detectors['dcsync']?.(broken), broken);
    assert.throws(() => dcsync.create(settings(dcsync), broken), (e: unknown) => e instanceof StateInvalidError && e.key === 'principals');
  });
});

describe('migrate v4 → v5: asrep_roasting', () => {
  const asrepV4 = {
    since: T - 20 * DAY,
    sources: { 'legacy-svc': { '10.0.9.1': T - DAY, '10.0.9.2': T } },
    sweeps: { '10.0.9.2': { 'legacy-svc': T, 'old-app': T - MIN } },
    oldUac: { 'cn=bob,dc=corp|{c0}': { value: 512, time: T } },
  };

  it('carries every account\'s known sources, the recent sweeps and the pending UAC changes over row for row', () => {
    const migrated = migrateV4Detectors['asrep_roasting']?.(asrepV4);
    assert.deepEqual(migrated, {
      since: T - 20 * DAY,
      sources: { keys: ['legacy-svc\t10.0.9.1', 'legacy-svc\t10.0.9.2'], rows: [T - DAY, T] },
      sweeps: { keys: ['10.0.9.2'], rows: [[T, ['legacy-svc', T, 'old-app', T - MIN]]] },
      oldUac: { keys: ['cn=bob,dc=corp|{c0}'], rows: [[T, 512]] },
    });
    assert.deepEqual(migrateV4Section('asrep_roasting', asrepV4), migrated);
    assert.equal(migrateV4Section('asrep_roasting', migrated), migrated, 'a v5 section passes as it is');
    const d = asrepRoasting.create(settings(asrepRoasting), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    const alerts: string[] = [];
    const ctx = { emit: (a: { keys: readonly string[] }) => alerts.push(a.keys[0] ?? ''), directory: { isHoneytoken: () => false } } as never;
    const tgt = (ip: string) => ({ kind: 'kerberos_tgt_request', time: T + 2 * DAY, host: 'DC01.corp.example', eventId: 4768, recordId: 1, status: 0, preAuthType: 0, encryptionType: 0x17, account: { name: 'legacy-svc', domain: 'CORP' }, ip }) as never;
    d.handle(tgt('10.0.9.1'), ctx);
    d.handle(tgt('10.0.9.66'), ctx);
    assert.deepEqual(alerts, ['10.0.9.66'], 'a known source stays known; a new one alerts');
  });

  it('refuses a malformed section naming the bad value', () => {
    assert.throws(() => asrepRoasting.create(settings(asrepRoasting), { sources: { keys: ['a\tb'], rows: ['yesterday'] } }), /detectors\.asrep_roasting is invalid: sources\.rows\.0 must be a finite number/);
    assert.throws(() => asrepRoasting.create(settings(asrepRoasting), { oldUac: { keys: ['k'], rows: [[T, -1]] } }), /oldUac\.rows\.0\.1 must be a non-negative integer/);
  });
});

describe('migrate v4 → v5: adfs_dkm_key_read', () => {
  const dkmV4 = { since: T - 3 * DAY, readers: { 'svc-adfs': { firstSeen: T - 2 * DAY, lastSeen: T, days: [18, 20] } } };

  it('carries every reader being learned over row for row', () => {
    const migrated = migrateV4Detectors['adfs_dkm_key_read']?.(dkmV4) as { readers: { keys: string[]; rows: [number, number, number][] } };
    assert.deepEqual(migrated.readers.keys, ['svc-adfs']);
    assert.deepEqual(migrated.readers.rows.map(([seen, days, n]) => [seen, daysOf(days), n]), [[T, [18, 20], 2]]);
    assert.deepEqual(migrateV4Section('adfs_dkm_key_read', dkmV4), migrated);
    assert.equal(migrateV4Section('adfs_dkm_key_read', migrated), migrated, 'a v5 section passes as it is');
    const d = adfsDkmKeyRead.create(settings(adfsDkmKeyRead), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => adfsDkmKeyRead.create(settings(adfsDkmKeyRead), { readers: { keys: ['x'], rows: [[T, 1, 'two']] } }), /detectors\.adfs_dkm_key_read is invalid: readers\.rows\.0\.2 must be a non-negative integer/);
  });
});

describe('migrate v4 → v5: dsrm_password_change and security_log_cleared', () => {
  it('carries dsrm_password_change\'s password changes over, kept 30 days past the TTL', () => {
    const v4 = { changes: { dc01: { time: T, event: { ...origin, eventId: 4794 } } } };
    const migrated = migrateV4Detectors['dsrm_password_change']?.(v4);
    assert.deepEqual(migrated, { changes: { keys: ['dc01'], rows: [[T, [T, 'DC01.corp.example', 4794, 7]]] } });
    assert.deepEqual(migrateV4Section('dsrm_password_change', v4), migrated);
    assert.equal(migrateV4Section('dsrm_password_change', migrated), migrated, 'a v5 section passes as it is');
    const d = dsrmPasswordChange.create(settings(dsrmPasswordChange), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T + 29 * DAY);
    assert.deepEqual(d.snapshot(), migrated, 'within 30 days past the TTL cut the change stays');
    d.evictIdle(T + 31 * DAY);
    assert.deepEqual(d.snapshot(), { changes: { keys: [], rows: [] } });
    assert.throws(() => dsrmPasswordChange.create(settings(dsrmPasswordChange), { changes: { keys: ['dc01'], rows: [[T, [T, 'DC01', 4794]]] } }), /detectors\.dsrm_password_change is invalid: changes\.rows\.0\.1 must be an array of 4/);
  });

  it('carries security_log_cleared\'s stories over and lets them go after the hour', () => {
    const v4 = { stories: { 'dc01|eve': { logs: ['Security', 'System'], clears: 2, first: T - MIN, last: T, backups: ['C:\\x.evtx'] } } };
    const migrated = migrateV4Detectors['security_log_cleared']?.(v4);
    assert.deepEqual(migrated, { stories: { keys: ['dc01|eve'], rows: [[T, T - MIN, 2, ['Security', 'System'], ['C:\\x.evtx']]] } });
    assert.deepEqual(migrateV4Section('security_log_cleared', v4), migrated);
    const d = securityLogCleared.create(settings(securityLogCleared), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    assert.deepEqual(d.snapshot(), { stories: { keys: [], rows: [] } });
    assert.throws(() => securityLogCleared.create(settings(securityLogCleared), { stories: { keys: ['k'], rows: [[T, T, 1, 'Security', []]] } }), /stories\.rows\.0\.3 must be an array/);
  });
});

describe('migrate v4 → v5: samaccountname_spoofing', () => {
  it('carries every run over row for row and lets it go an hour after its last step', () => {
    const v4 = { runs: { 'S-1-5-21-1-2-3-4444': {
      actor: { name: 'eve', domain: 'CORP' }, names: ['evil$', 'dc01'], created: { ...origin, eventId: 4741 }, spoofedDcName: 'dc01',
      steps: ['created the computer evil$', 'renamed it to dc01'], last: T,
    } } };
    const migrated = migrateV4Detectors['samaccountname_spoofing']?.(v4);
    assert.deepEqual(migrated, { runs: { keys: ['S-1-5-21-1-2-3-4444'], rows: [[
      T, ['eve', 'CORP', null], ['evil$', 'dc01'], [T, 'DC01.corp.example', 4741, 7], null, 'dc01', ['created the computer evil$', 'renamed it to dc01'],
    ]] } });
    assert.deepEqual(migrateV4Section('samaccountname_spoofing', v4), migrated);
    assert.equal(migrateV4Section('samaccountname_spoofing', migrated), migrated, 'a v5 section passes as it is');
    const d = samaccountnameSpoofing.create(settings(samaccountnameSpoofing), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    assert.deepEqual(d.snapshot(), { runs: { keys: [], rows: [] } });
    assert.throws(() => samaccountnameSpoofing.create(settings(samaccountnameSpoofing), { runs: { keys: ['k'], rows: [[T, ['eve', null, null], [], null, null, 7, []]] } }), /detectors\.samaccountname_spoofing is invalid: runs\.rows\.0\.5 must be a string/);
  });
});

describe('migrate v4 → v5: zerologon', () => {
  it('carries every DC\'s preludes over row for row and lets them go after the prelude window', () => {
    const v4 = { preludes: { dc01: [{ time: T - MIN, event: { ...origin, time: T - MIN, eventId: 4624 }, ip: '10.0.6.6' }, { time: T, event: { ...origin, eventId: 5805 } }] } };
    const migrated = migrateV4Detectors['zerologon']?.(v4);
    assert.deepEqual(migrated, { preludes: { keys: ['dc01'], rows: [[T, [[[T - MIN, 'DC01.corp.example', 4624, 7], '10.0.6.6', null], [[T, 'DC01.corp.example', 5805, 7], null, null]]]] } });
    assert.deepEqual(migrateV4Section('zerologon', v4), migrated);
    assert.equal(migrateV4Section('zerologon', migrated), migrated, 'a v5 section passes as it is');
    const d = zerologon.create(settings(zerologon), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + DAY);
    assert.deepEqual(d.snapshot(), { preludes: { keys: [], rows: [] } });
    assert.throws(() => zerologon.create(settings(zerologon), { preludes: { keys: ['dc01'], rows: [[T, [[[T, 'DC01', 5805, 7], 6, null]]]] } }), /detectors\.zerologon is invalid: preludes\.rows\.0\.1\.0\.1 must be a string/);
  });
});

describe('migrate v4 → v5: containment_reverted', () => {
  it('carries every containment over row for row', () => {
    const v4 = { disabled: { 'oid-1': { at: T, by: 'soc@corp.example', upn: 'alice@corp.example', objectId: 'oid-1' } } };
    const migrated = migrateV4Detectors['containment_reverted']?.(v4);
    assert.deepEqual(migrated, { disabled: { keys: ['oid-1'], rows: [[T, 'soc@corp.example', 'alice@corp.example', 'oid-1']] } });
    assert.deepEqual(migrateV4Section('containment_reverted', v4), migrated);
    assert.equal(migrateV4Section('containment_reverted', migrated), migrated, 'a v5 section passes as it is');
    const d = containmentReverted.create(settings(containmentReverted), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => containmentReverted.create(settings(containmentReverted), { disabled: { keys: ['x'], rows: [[T, null, null, null]] } }), /detectors\.containment_reverted is invalid: disabled\.rows\.0\.1 must be a string/);
  });
});

describe('migrate v4 → v5: rbcd_modification', () => {
  it('carries the new computers and the recent delegations over row for row', () => {
    const computer = { name: 'EVIL$', sid: 'S-1-5-21-1-2-3-4444', creator: 'CORP\\eve', creatorKey: 'eve', time: T - MIN, event: { ...origin, eventId: 4741 } };
    const v4 = {
      computers: { 'name:evil$': computer, 'sid:S-1-5-21-1-2-3-4444': computer },
      delegations: { srv01: { keys: ['srv01', 'eve'], computer: 'srv01', writer: { name: 'eve', domain: 'CORP' }, time: T, escalated: false } },
    };
    const row = [T - MIN, 'EVIL$', 'S-1-5-21-1-2-3-4444', 'CORP\\eve', 'eve', [T, 'DC01.corp.example', 4741, 7]];
    const migrated = migrateV4Detectors['rbcd_modification']?.(v4);
    assert.deepEqual(migrated, {
      computers: { keys: ['name:evil$', 'sid:S-1-5-21-1-2-3-4444'], rows: [row, row] },
      delegations: { keys: ['srv01'], rows: [[T, 'srv01', ['eve', 'CORP', null], 0]] },
    });
    assert.deepEqual(migrateV4Section('rbcd_modification', v4), migrated);
    assert.equal(migrateV4Section('rbcd_modification', migrated), migrated, 'a v5 section passes as it is');
    const d = rbcdModification.create(settings(rbcdModification), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    d.evictIdle(T - 30 * DAY, T + 61 * MIN);
    assert.deepEqual((d.snapshot() as { delegations: unknown }).delegations, { keys: [], rows: [] }, 'a delegation goes after s4uMinutes');
    assert.throws(() => rbcdModification.create(settings(rbcdModification), { delegations: { keys: ['x'], rows: [[T, 'srv01', 'eve', 0]] } }), /detectors\.rbcd_modification is invalid: delegations\.rows\.0\.2 must be an array of 3/);
  });
});

describe('migrate v4 → v5: cloud_password_spray', () => {
  it('carries every source\'s users, addresses and spray and the records seen over row for row', () => {
    const v4 = {
      sources: { 'asn:64500': { users: { 'a@corp.example': { n: 1, last: T }, 'b@corp.example': { n: 2, last: T - MIN } }, lastSeen: T, ips: ['203.0.113.1', '203.0.113.2'], sprayedAt: T, sprayed: ['a@corp.example'] } },
      seen: ['r1'],
    };
    const migrated = migrateV4Detectors['cloud_password_spray']?.(v4);
    assert.deepEqual(migrated, {
      sources: { keys: ['asn:64500'], rows: [[T, ['a@corp.example', 1, T, 'b@corp.example', 2, T - MIN], ['203.0.113.1', '203.0.113.2'], T, ['a@corp.example']]] },
      seen: ['r1'],
    });
    assert.deepEqual(migrateV4Section('cloud_password_spray', v4), migrated);
    assert.equal(migrateV4Section('cloud_password_spray', migrated), migrated, 'a v5 section passes as it is');
    const d = cloudPasswordSpray.create(settings(cloudPasswordSpray), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => cloudPasswordSpray.create(settings(cloudPasswordSpray), { sources: { keys: ['ip:x'], rows: [[T, ['a', 1], null, null, null]] } }), /detectors\.cloud_password_spray is invalid: sources\.rows\.0\.1 must be \[user, attempts, last, …\] triples/);
  });
});

describe('migrate v4 → v5: impossible_travel', () => {
  it('carries every user\'s recent visits and familiar countries over row for row', () => {
    const v4 = { users: { 'a@corp.example': {
      firstSeen: T - 9 * DAY, lastSeen: T, visits: [{ t: T, lat: 52.5, lon: 13.4, country: 'DE', city: 'Berlin', asn: 3320, ip: '198.51.100.7' }],
      countries: { DE: [18, 19, 20], FR: [12] },
    } } };
    const migrated = migrateV4Detectors['impossible_travel']?.(v4) as { users: { keys: string[]; rows: unknown[][] } };
    const [row] = migrated.users.rows;
    assert.deepEqual(row?.slice(0, 3), [T, T - 9 * DAY, [[T, 52.5, 13.4, 'DE', 'Berlin', 3320, '198.51.100.7', null]]]);
    const c = row?.[3] as unknown[];
    assert.deepEqual([c[0], daysOf(c[1] as number), c[2], c[3], daysOf(c[4] as number), c[5]], ['DE', [18, 19, 20], 3, 'FR', [12], 1]);
    assert.deepEqual(migrateV4Section('impossible_travel', v4), migrated);
    assert.equal(migrateV4Section('impossible_travel', migrated), migrated, 'a v5 section passes as it is');
    const d = impossibleTravel.create(settings(impossibleTravel), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => impossibleTravel.create(settings(impossibleTravel), { users: { keys: ['u'], rows: [[T, T, [], ['DE', 1]]] } }), /detectors\.impossible_travel is invalid: users\.rows\.0\.3 must be \[country, days, dayCount, …\] triples/);
  });
});

describe('migrate v4 → v5: unfamiliar_signin', () => {
  it('carries every user\'s baseline and the ASN users over row for row', () => {
    const v4 = {
      users: { 'a@corp.example': { firstSeen: T - 30 * DAY, lastSeen: T, signIns: 41, seen: { country: { DE: T }, asn: { '3320': T }, device: {}, app: { Outlook: T - DAY } } } },
      asnUsers: { '3320': ['a@corp.example'] },
    };
    const migrated = migrateV4Detectors['unfamiliar_signin']?.(v4);
    assert.deepEqual(migrated, {
      users: { keys: ['a@corp.example'], rows: [[T, T - 30 * DAY, 41, ['DE', T], ['3320', T], [], ['Outlook', T - DAY]]] },
      asnUsers: { '3320': ['a@corp.example'] },
    });
    assert.deepEqual(migrateV4Section('unfamiliar_signin', v4), migrated);
    assert.equal(migrateV4Section('unfamiliar_signin', migrated), migrated, 'a v5 section passes as it is');
    const d = unfamiliarSignin.create(settings(unfamiliarSignin), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => unfamiliarSignin.create(settings(unfamiliarSignin), { users: { keys: ['u'], rows: [[T, T, 1, ['DE'], [], [], []]] } }), /detectors\.unfamiliar_signin is invalid: users\.rows\.0\.3 must be a flat list of pairs/);
    assert.throws(() => unfamiliarSignin.create(settings(unfamiliarSignin), { asnUsers: { '3320': 'a' } }), /asnUsers\.3320 must be an array/);
  });
});

describe('migrate v4 → v5: sensitive_group_change', () => {
  it('carries every group\'s actors over row for row', () => {
    const v4 = { since: T - 20 * DAY, groups: { 'domain admins': { 'S-1-5-21-1-2-3-500': { firstSeen: T - 9 * DAY, lastSeen: T, days: [11, 15, 20] } } } };
    const migrated = migrateV4Detectors['sensitive_group_change']?.(v4) as { since: number; actors: { keys: string[]; rows: [number, number, number][] } };
    assert.deepEqual(migrated.actors.keys, ['domain admins\tS-1-5-21-1-2-3-500']);
    assert.deepEqual(migrated.actors.rows.map(([seen, days, n]) => [seen, daysOf(days), n]), [[T, [11, 15, 20], 3]]);
    assert.deepEqual(migrateV4Section('sensitive_group_change', v4), migrated);
    assert.equal(migrateV4Section('sensitive_group_change', migrated), migrated, 'a v5 section passes as it is');
    const d = sensitiveGroupChange.create(settings(sensitiveGroupChange), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => sensitiveGroupChange.create(settings(sensitiveGroupChange), { actors: { keys: ['g\ta'], rows: [[T, 'x', 1]] } }), /detectors\.sensitive_group_change is invalid: actors\.rows\.0\.1 must be a day set/);
  });
});

describe('migrate v4 → v5: dcshadow', () => {
  it('carries every open registration, the site objects and the ACLs over row for row', () => {
    const v4 = {
      registrations: { ws09: {
        name: 'WS09', firstSeen: T - MIN, lastSeen: T, actors: [{ name: 'eve', domain: 'CORP', host: 'DC01.corp.example', logonId: '0x9' }],
        spns: ['GC/ws09.corp.example/corp.example'], evidence: [origin], removedAt: T, reported: true,
      } },
      objects: { 'guid-1': { host: 'ws09', lastSeen: T } },
      acls: { 'guid-2': { aces: ['1131f6ac|S-1-5-21-1-2-3-1107'], lastSeen: T - DAY } },
      nextDeadline: T + DAY,
    };
    const migrated = migrateV4Detectors['dcshadow']?.(v4);
    assert.deepEqual(migrated, {
      registrations: { keys: ['ws09'], rows: [[T, T - MIN, 'WS09', [['eve', 'DC01.corp.example', 'CORP', null, '0x9']], ['GC/ws09.corp.example/corp.example'], [[T, 'DC01.corp.example', 4771, 7]], T, 2]] },
      objects: { keys: ['guid-1'], rows: [[T, 'ws09']] },
      acls: { keys: ['guid-2'], rows: [[T - DAY, ['1131f6ac|S-1-5-21-1-2-3-1107']]] },
      nextDeadline: T + DAY,
    });
    assert.deepEqual(migrateV4Section('dcshadow', v4), migrated);
    assert.equal(migrateV4Section('dcshadow', migrated), migrated, 'a v5 section passes as it is');
    const d = dcshadow.create(settings(dcshadow), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
    assert.throws(() => dcshadow.create(settings(dcshadow), { registrations: { keys: ['ws09'], rows: [[T, T, 'WS09', [], [], [], null, 'x']] } }), /detectors\.dcshadow is invalid: registrations\.rows\.0\.7 must be a non-negative integer/);
  });
});

describe('migrate v4 → v5: pass_the_ticket', () => {
  /** The real v4 section (one roaming machine account), with a forwarding, a learned front-end and a waiting ticket added. */
  function v4Section(): Record<string, unknown> {
    const real = (v4Doc()['detectors'] as Record<string, Record<string, unknown>>)['pass_the_ticket'] as { accounts: Record<string, object> };
    const ticket = {
      kind: 'kerberos_service_ticket', time: T, host: 'DC01.corp.example', eventId: 4769, recordId: 31,
      account: { name: 'alice', domain: 'CORP', sid: 'S-1-5-21-1-2-3-1104' }, ip: '10.0.0.7', serviceName: 'cifs/fs01', status: 0, ticketOptions: 0x40810000,
    };
    return {
      ...real,
      accounts: { ...real.accounts, alice: { lastSeen: T, roaming: 0, forwardedAt: T - MIN } },
      sources: { '10.0.0.50': { accounts: ['alice', 'bob'], lastSeen: T - DAY } },
      unexplained: [{ due: T + 5 * MIN, item: ticket }],
    };
  }

  it('carries every account\'s roaming days and forwarding, the front-ends and the waiting tickets over row for row', () => {
    const v4 = v4Section();
    const real = v4['accounts'] as Record<string, { lastSeen: number; roaming: number }>;
    const machine = real['ws9504$'];
    assert.ok(machine && machine.roaming !== 0, 'the real fixture has a roaming account');
    const migrated = migrateV4Section('pass_the_ticket', v4);
    assert.deepEqual(migrated, {
      since: v4['since'],
      accounts: { keys: ['ws9504$', 'alice'], rows: [[machine.lastSeen, machine.roaming, null], [T, 0, T - MIN]] },
      sources: { keys: ['10.0.0.50'], rows: [[T - DAY, ['alice', 'bob']]] },
      unexplained: [[T + 5 * MIN, [T, 'DC01.corp.example', 4769, 31], ['alice', 'CORP', 'S-1-5-21-1-2-3-1104'], '10.0.0.7', 'cifs/fs01']],
    });
    assert.equal(migrateV4Section('pass_the_ticket', migrated), migrated, 'a v5 section passes as it is');
    const d = passTheTicket.create(settings(passTheTicket), JSON.parse(JSON.stringify(migrated)));
    assert.deepEqual(d.snapshot(), migrated, 'the restore reads every row of it back');
  });

  it('carries a part of the wrong shape, and the restore refuses it naming the path', () => {
    const bad = migrateV4Section('pass_the_ticket', { ...v4Section(), sources: { '10.0.0.50': 'alice' } }) as Record<string, unknown>;
    assert.deepEqual(bad['sources'], { '10.0.0.50': 'alice' });
    assert.throws(() => passTheTicket.create(settings(passTheTicket), bad), /detectors\.pass_the_ticket is invalid: sources must be \{"keys"/);
    assert.throws(() => passTheTicket.create(settings(passTheTicket), { accounts: { keys: ['a'], rows: [[T, 'x', null]] } }), /detectors\.pass_the_ticket is invalid: accounts\.rows\.0\.1 must be a day set/);
    assert.throws(() => passTheTicket.create(settings(passTheTicket), { unexplained: [[T, [T, 'DC01', 4769, null], ['alice', null, 'not-a-sid'], null, 'cifs/x']] }), /detectors\.pass_the_ticket is invalid: unexplained\.0\.2\.2 must be a SID/);
  });
});

/** The real version 1 fixture carried to version 4. */
function v4Doc(): Record<string, unknown> {
  return migrateV3(migrateV2(migrateV1(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'state-v1.json'), 'utf8')) as Record<string, unknown>)));
}

describe('state version 4 → 5 (whole document)', () => {
  /** The real version 1 fixture carried to version 4, with password_spray's section as version 4 wrote it. */
  function v4(): Record<string, unknown> {
    const doc = migrateV3(migrateV2(migrateV1(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'state-v1.json'), 'utf8')) as Record<string, unknown>)));
    return { ...doc, detectors: { ...(doc['detectors'] as Record<string, unknown>), password_spray: sprayV4 } };
  }

  it('is checked to version 5 with each converted section migrated and the others as they were', () => {
    const doc = v4();
    const before = doc['detectors'] as Record<string, unknown>;
    const state = checkState(doc, 'state-v4');
    assert.equal(state.version, 5);
    assert.equal(STATE_VERSION, 5);
    assert.deepEqual(state.detectors['password_spray'], migrateV4Detectors['password_spray']?.(sprayV4));
    // The Kerberos detectors' sections have their own step, tested in migrate-v4-kerberos.test.ts.
    const ownStep = ['password_spray', 'overpass_the_hash', 'kerberoasting', 'golden_ticket'];
    for (const id of Object.keys(before).filter((i) => !ownStep.includes(i))) assert.deepEqual(state.detectors[id], migrateV4Section(id, before[id]), id);
    // golden_ticket's name↔SID pairs moved to the account table (core/state/migrate-v4-accounts.ts).
    const { sidNames: _pairs, nameRids: _rids, ...verdicts } = before['golden_ticket'] as Record<string, unknown>;
    assert.deepEqual(state.detectors['golden_ticket'], migrateGoldenTicket(verdicts));
    assert.equal(migrateV4({ ...doc, detectors: 7 })['detectors'], 7, 'a malformed detectors section is carried for the schema to refuse');
  });

  it('runs a pass on the migrated document and writes version 5 with the spray source\'s habits kept', async () => {
    const store = new MemoryStateStore();
    await store.save(checkState(v4(), 'state-v4'), null);
    const result = await runPass({
      source: new MemorySource([]), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
      config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => T + 60 * MIN,
    });
    assert.equal(result.state.version, 5);
    const spray = result.state.detectors['password_spray'] as { sources: { keys: string[] } };
    assert.deepEqual(spray.sources.keys, ['10.0.8.66']);
    const ptt = result.state.detectors['pass_the_ticket'] as { accounts: { keys: string[] } };
    assert.deepEqual(ptt.accounts.keys, ['ws9504$'], 'pass_the_ticket\'s roaming account kept through the pass');
    // The account table's part of the step (core/state/migrate-v4-accounts.ts): identities and golden_ticket's pairs kept.
    const before = v4() as { identities: { records: unknown[] }; detectors: { golden_ticket: { sidNames: object } } };
    assert.equal(result.state.identities?.seqs.length, before.identities.records.length);
    assert.equal(result.state.identities?.nameSids.pairs.domains.length, Object.keys(before.detectors.golden_ticket.sidNames).length);
  });
});
