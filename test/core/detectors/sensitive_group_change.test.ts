import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { sensitiveGroupChange } from '../../../core/detectors/sensitive_group_change';
import { DAYS, detect, securityEvent } from './harness';

const DOMAIN = 'S-1-5-21-1-2-3';
const testMode = { testMode: true };

/** A stable RID per name, so distinct fixture accounts never share a SID. */
function rid(name: string): number {
  return [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100_000, 7) + 1_000;
}

function actor(name: string, logonId = '0x5a1'): Record<string, string> {
  return { SubjectUserName: name, SubjectDomainName: 'CORP', SubjectUserSid: `${DOMAIN}-${rid(name)}`, SubjectLogonId: logonId };
}

/** 4728/4732/4756: `member` added to `group` (name, SID) by `by`. */
function memberAdded(at: number, group: string, groupSid: string, member: string, by = 'bob', eventId = 4728, computer = 'DC01.corp.example'): object {
  return securityEvent(eventId, at, {
    ...actor(by), TargetUserName: group, TargetDomainName: 'CORP', TargetSid: groupSid,
    MemberName: `CN=${member},OU=Staff,DC=corp,DC=example`, MemberSid: `${DOMAIN}-${rid(member)}`, PrivilegeList: '-',
  }, computer);
}

function memberAttribute(at: number, groupDn: string, memberDn: string, by = 'bob', op = '%%14674'): object {
  return securityEvent(5136, at, {
    ...actor(by), OpCorrelationID: '{c41eade4-162a-4d70-8488-f92f6af8ff49}', DSName: 'corp.example', DSType: '%%14676',
    ObjectDN: groupDn, ObjectGUID: '{eac0f94e-a686-463d-801c-91a1b85fe87d}', ObjectClass: 'group',
    AttributeLDAPDisplayName: 'member', AttributeSyntaxOID: '2.5.5.1', AttributeValue: memberDn, OperationType: op,
  });
}

function networkLogon(at: number, user: string, logonId: string, ip: string): object {
  return securityEvent(4624, at, { TargetUserName: user, TargetDomainName: 'CORP', TargetLogonId: logonId, LogonType: '3', IpAddress: ip, AuthenticationPackageName: 'Kerberos' });
}

describe('sensitive_group_change', () => {
  it('fires when an account is added to Domain Admins, naming actor, member, group and source', async () => {
    const alerts = await detect(sensitiveGroupChange, [networkLogon(0, 'bob', '0x5a1', '10.0.4.21'), memberAdded(0.1, 'Domain Admins', `${DOMAIN}-512`, 'mallory')], { config: testMode });
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['bob', 'actor'], ['mallory', 'member'], ['Domain Admins', 'group']]);
    assert.ok(a?.entities.hosts.some((h) => h.role === 'source' && h.ip === '10.0.4.21'));
    assert.match(a?.description ?? '', /CORP\\bob from 10.0.4.21 added mallory to Domain Admins \(a built-in tier-0 group\)/);
  });

  it('recognises a built-in group by its well-known SID whatever it is called', async () => {
    const alerts = await detect(sensitiveGroupChange, [memberAdded(0, 'Administrateurs', 'S-1-5-32-544', 'mallory', 'bob', 4732)], { config: testMode });
    assert.equal(alerts[0]?.entities.accounts.find((a) => a.role === 'group')?.name, 'Administrators');
  });

  it('ignores additions to ordinary groups and removals from sensitive ones', async () => {
    const removed = { ...(memberAdded(1, 'Domain Admins', `${DOMAIN}-512`, 'mallory') as Record<string, unknown>), EventID: 4729 };
    const alerts = await detect(sensitiveGroupChange, [memberAdded(0, 'Marketing', `${DOMAIN}-1300`, 'mallory'), removed], { config: testMode });
    assert.deepEqual(alerts, []);
  });

  it('merges the SAM event and the directory-change event of one addition into one alert', async () => {
    const alerts = await detect(sensitiveGroupChange, [
      memberAdded(0, 'Domain Admins', `${DOMAIN}-512`, 'mallory'),
      memberAttribute(0, 'CN=Domain Admins,CN=Users,DC=corp,DC=example', 'CN=mallory,OU=Staff,DC=corp,DC=example'),
    ], { config: testMode });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.count, 2);
  });

  it('catches an LDAP member add seen only as 5136, by the group\'s DN', async () => {
    const alerts = await detect(sensitiveGroupChange, [memberAttribute(0, 'CN=Enterprise Admins,CN=Users,DC=corp,DC=example', 'CN=mallory,OU=Staff,DC=corp,DC=example')], { config: testMode });
    assert.equal(alerts[0]?.entities.accounts.find((a) => a.role === 'group')?.name, 'Enterprise Admins');
  });

  it('does not take an ordinary group called "Administrators" outside CN=Builtin for the built-in one', async () => {
    const alerts = await detect(sensitiveGroupChange, [memberAttribute(0, 'CN=Administrators,OU=App1,DC=corp,DC=example', 'CN=mallory,OU=Staff,DC=corp,DC=example')], { config: testMode });
    assert.deepEqual(alerts, []);
  });

  it('learns a group nested in Domain Admins and reports additions to it', async () => {
    const alerts = await detect(sensitiveGroupChange, [
      memberAdded(0, 'Domain Admins', `${DOMAIN}-512`, 'Tier0-Ops'),
      memberAdded(60, 'Tier0-Ops', `${DOMAIN}-${rid('Tier0-Ops')}`, 'eve', 'carol'),
    ], { config: testMode });
    assert.equal(alerts.length, 2);
    assert.match(alerts[1]?.description ?? '', /Tier0-Ops \(nested in Domain Admins/);
  });

  it('remembers nesting across passes', async () => {
    const store = new MemoryStateStore();
    await detect(sensitiveGroupChange, [memberAdded(0, 'Domain Admins', `${DOMAIN}-512`, 'Tier0-Ops')], { store, config: testMode });
    const later = await detect(sensitiveGroupChange, [memberAttribute(2 * DAYS, 'CN=Tier0-Ops,OU=Staff,DC=corp,DC=example', 'CN=eve,OU=Staff,DC=corp,DC=example')], { store, config: testMode });
    assert.equal(later.length, 1);
    assert.equal(later[0]?.evidence.details?.['nestedIn'], 'Domain Admins');
  });

  it('forgets the nesting once the group is taken out of Domain Admins', async () => {
    const removed = { ...(memberAdded(1, 'Domain Admins', `${DOMAIN}-512`, 'Tier0-Ops') as Record<string, unknown>), EventID: 4729 };
    const alerts = await detect(sensitiveGroupChange, [
      memberAdded(0, 'Domain Admins', `${DOMAIN}-512`, 'Tier0-Ops'), removed,
      memberAdded(2, 'Tier0-Ops', `${DOMAIN}-${rid('Tier0-Ops')}`, 'eve'),
    ], { config: testMode });
    assert.equal(alerts.length, 1, 'only the first addition');
  });

  it('treats configured groups as sensitive, by name with or without domain', async () => {
    const config = { ...testMode, sensitiveGroups: ['CORP\\SQL Admins'] };
    const alerts = await detect(sensitiveGroupChange, [memberAdded(0, 'SQL Admins', `${DOMAIN}-1500`, 'mallory')], { config });
    assert.match(alerts[0]?.description ?? '', /SQL Admins \(configured as sensitive\)/);
  });

  it('reports a member machine\'s own Administrators group at medium, as local admin rights', async () => {
    const alerts = await detect(sensitiveGroupChange, [memberAdded(0, 'Administrators', 'S-1-5-32-544', 'IEUser', 'WIN-QALA5Q3KJ43$', 4732, 'IE8Win7')], { config: testMode });
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /local Administrators group of IE8Win7/);
  });

  it('reports a sensitive group\'s SID put into an account\'s SID history', async () => {
    const sidHistory = securityEvent(4765, 0, {
      ...actor('Administrator'), SourceUserName: 'corp.example\\Domain Admins', SourceSid: `${DOMAIN}-512`,
      TargetUserName: 'Andrei', TargetDomainName: 'CORP', TargetSid: `${DOMAIN}-1104`, SidList: '-',
    });
    const alerts = await detect(sensitiveGroupChange, [sidHistory], { config: testMode });
    assert.equal(alerts[0]?.title, 'Sensitive group SID added to SID history');
    assert.deepEqual(alerts[0]?.entities.accounts.map((a) => [a.name, a.role]), [['Administrator', 'actor'], ['Andrei', 'member'], ['Domain Admins', 'group']]);
  });

  it('lowers the severity while the actor profiles are still learning', async () => {
    const alerts = await detect(sensitiveGroupChange, [memberAdded(0, 'Domain Admins', `${DOMAIN}-512`, 'mallory')]);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'high');
  });

  it('learns a provisioning service that manages a group routinely, and still reports a newcomer', async () => {
    const store = new MemoryStateStore();
    const routine = [0, 3, 6, 9].map((d, i) => memberAdded(d * DAYS, 'Domain Admins', `${DOMAIN}-512`, `admin${i}`, 'svc-iam'));
    await detect(sensitiveGroupChange, routine, { store });
    const later = await detect(sensitiveGroupChange, [
      memberAdded(40 * DAYS, 'Domain Admins', `${DOMAIN}-512`, 'newadmin', 'svc-iam'),
      memberAdded(40 * DAYS + 5, 'Domain Admins', `${DOMAIN}-512`, 'mallory', 'bob'),
    ], { store });
    assert.deepEqual(later.map((a) => [a.entities.accounts.find((x) => x.role === 'actor')?.name, a.severity, a.learning]), [['bob', 'high', undefined]]);
  });

  it('never learns an actor first seen after the learning period, however often it returns', async () => {
    const store = new MemoryStateStore();
    await detect(sensitiveGroupChange, [memberAdded(0, 'Marketing', `${DOMAIN}-1300`, 'x')], { store });
    await detect(sensitiveGroupChange, [memberAdded(0.1, 'Backup Operators', 'S-1-5-32-551', 'y', 'svc-iam', 4732)], { store });
    const after = [30, 31, 32, 33].map((d, i) => memberAdded(d * DAYS, 'Backup Operators', 'S-1-5-32-551', `u${i}`, 'mallory', 4732));
    const alerts = await detect(sensitiveGroupChange, after, { store });
    assert.equal(alerts.filter((a) => !a.learning).length, 4);
  });
});
