import { strict as assert } from 'node:assert';
import { dcsync } from '../../../core/detectors/dcsync';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { DAYS, detect, securityEvent } from './harness';

const GET_CHANGES = '{1131f6aa-9c07-11d1-f79f-00c04fc2dcd2}';
const GET_CHANGES_ALL = '{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}';
const DOMAIN_DNS = '{19195a5b-6da0-11d0-afd3-00c04fd930c9}';

function replication(at: number, subject: string, logonId: string, rights: string[], computer = 'DC01.corp.example'): object {
  return securityEvent(4662, at, {
    SubjectUserSid: 'S-1-5-21-1-2-3-1105', SubjectUserName: subject, SubjectDomainName: 'CORP', SubjectLogonId: logonId,
    ObjectServer: 'DS', ObjectType: `%${DOMAIN_DNS}`, ObjectName: '%{c6faf700-bfe4-452a-a766-424f84c29583}',
    AccessMask: '0x100', Properties: `%%7688\n\t\t${rights.join('\n\t')}\n\t${DOMAIN_DNS}\n`,
  }, computer);
}

function networkLogon(at: number, user: string, logonId: string, ip: string, computer = 'DC01.corp.example'): object {
  return securityEvent(4624, at, {
    TargetUserName: user, TargetDomainName: 'CORP', TargetLogonId: logonId, LogonType: '3',
    IpAddress: `::ffff:${ip}`, AuthenticationPackageName: 'Kerberos', WorkstationName: '-',
  }, computer);
}

describe('dcsync', () => {
  it('fires when a user account requests replication of secrets, naming the source address', async () => {
    const alerts = await detect(dcsync, [
      networkLogon(0, 'jdoe', '0x5a1', '10.0.4.21'),
      replication(0.1, 'jdoe', '0x5a1', [GET_CHANGES]),
      replication(0.1, 'jdoe', '0x5a1', [GET_CHANGES_ALL]),
    ]);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.equal(a?.evidence.count, 2);
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'actor']]);
    assert.ok(a?.entities.hosts.some((h) => h.ip === '10.0.4.21' && h.role === 'source'));
    assert.match(a?.description ?? '', /not a domain controller/);
  });

  it('ignores replication by a domain controller learned from its own events', async () => {
    const alerts = await detect(dcsync, [
      replication(0, 'DC02$', '0x3e7', [GET_CHANGES, GET_CHANGES_ALL], 'DC02.corp.example'),
      replication(1, 'DC02$', '0x9f1', [GET_CHANGES, GET_CHANGES_ALL], 'DC01.corp.example'),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('catches a non-DC machine account replicating, which name-based rules let through', async () => {
    const alerts = await detect(dcsync, [replication(0, 'WS0042$', '0x77', [GET_CHANGES_ALL])]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /machine account CORP\\WS0042\$, which is not a known domain controller/);
  });

  it('catches a domain controller account used from an address that is not a DC', async () => {
    const alerts = await detect(dcsync, [
      networkLogon(0, 'DC02$', '0x10', '10.0.0.2', 'DC01.corp.example'),
      replication(1, 'DC02$', '0x10', [GET_CHANGES_ALL], 'DC02.corp.example'),
      networkLogon(2, 'DC02$', '0x11', '10.0.9.66'),
      replication(2.1, 'DC02$', '0x11', [GET_CHANGES_ALL]),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.title, 'DCSync with a domain controller\'s credentials from another machine');
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '10.0.9.66'));
  });

  it('ignores a configured directory-sync account', async () => {
    const events = [replication(0, 'MSOL_0a1b2c3d4e5f', '0x5', [GET_CHANGES, GET_CHANGES_ALL])];
    assert.deepEqual(await detect(dcsync, events, { config: { directorySyncAccounts: ['CORP\\MSOL_0a1b2c3d4e5f'] } }), []);
    assert.equal((await detect(dcsync, events)).length, 1);
  });

  it('ignores access to the domain object without the replication rights', async () => {
    const event = replication(0, 'jdoe', '0x1', []) as Record<string, string>;
    const readProperty = { ...event, AccessMask: '0x10', Properties: `%%7684\n\t\t{bf9679c0-0de6-11d0-a285-00aa003049e2}\n\t${DOMAIN_DNS}\n` };
    assert.deepEqual(await detect(dcsync, [readProperty]), []);
  });

  it('ignores the DCShadow rights (Manage-Topology, DS-Install-Replica), which are not secret replication', async () => {
    const alerts = await detect(dcsync, [replication(0, 'jdoe', '0x1', ['{1131f6ac-9c07-11d1-f79f-00c04fc2dcd2}', '{9923a32a-3607-11d2-b9be-0000f87a36b2}'])]);
    assert.deepEqual(alerts, []);
  });

  it('rates Get-Changes without Get-Changes-All as medium: no secrets are returned', async () => {
    const alerts = await detect(dcsync, [replication(0, 'jdoe', '0x1', [GET_CHANGES])]);
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('learns a sync service that replicates daily from one host during the learning period', async () => {
    const store = new MemoryStateStore();
    const events = [0, 1, 2, 3, 4].flatMap((day) => [
      networkLogon(day * DAYS, 'svc-sync', `0x${day}a`, '10.0.7.7'),
      replication(day * DAYS + 0.1, 'svc-sync', `0x${day}a`, [GET_CHANGES, GET_CHANGES_ALL]),
    ]);
    const alerts = await detect(dcsync, events, { store });
    // Day 0 is new; day 1 recurs during learning (lowered); its third day (learnAfterDays) makes it learned.
    assert.deepEqual(alerts.map((a) => a.firstSeen.slice(0, 10)), ['2024-03-04', '2024-03-05']);
    assert.equal(alerts[0]?.learning, undefined);
    assert.equal(alerts[1]?.learning, true);
    const fromElsewhere = await detect(dcsync, [
      networkLogon(6 * DAYS, 'svc-sync', '0x99', '10.0.66.6'),
      replication(6 * DAYS + 0.1, 'svc-sync', '0x99', [GET_CHANGES_ALL]),
    ], { store });
    assert.equal(fromElsewhere.length, 1, 'a learned sync account replicating from a new host is an alert');
  });

  it('never learns a principal that first replicates after the learning period', async () => {
    const events = [0, 8, 9, 10, 11].flatMap((day) => [replication(day * DAYS, day === 0 ? 'DC01$' : 'intruder', `0x${day}`, [GET_CHANGES_ALL])]);
    const alerts = await detect(dcsync, events);
    assert.equal(alerts.length, 4);
    assert.ok(alerts.every((a) => a.learning === undefined && a.severity === 'high'));
  });

  it('alerts at full severity from the first event in test mode', async () => {
    const events = [1, 2].flatMap((day) => [replication(day * DAYS, 'svc-sync', `0x${day}`, [GET_CHANGES_ALL])]);
    const alerts = await detect(dcsync, events, { config: { testMode: true } });
    assert.ok(alerts.every((a) => a.learning === undefined));
  });
});
