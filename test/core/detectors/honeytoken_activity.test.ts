import { strict as assert } from 'node:assert';
import { honeytokenActivity } from '../../../core/detectors/honeytoken_activity';
import { detect, securityEvent } from './harness';

const DECOY_GUID = '259162f1-58e4-4ee9-9b9c-2baf2a03d376';
const DECOY_SID = 'S-1-5-21-1-2-3-1666';
const USER_CLASS = '{bf967aba-0de6-11d0-a285-00aa003049e2}';
const config = { honeytokens: [`{${DECOY_GUID}}`, 'svc-backup-old', DECOY_SID] };

function networkLogon(at: number, user: string, logonId: string, ip: string): object {
  return securityEvent(4624, at, {
    TargetUserName: user, TargetDomainName: 'CORP', TargetUserSid: 'S-1-5-21-1-2-3-1158', TargetLogonId: logonId, LogonType: '3',
    IpAddress: ip, AuthenticationPackageName: 'Kerberos', LogonProcessName: 'Kerberos', WorkstationName: '-',
  });
}

function propertyRead(at: number, subject: string, logonId: string, objectGuid: string, subjectSid = 'S-1-5-21-1-2-3-1158'): object {
  return securityEvent(4662, at, {
    SubjectUserSid: subjectSid, SubjectUserName: subject, SubjectDomainName: 'CORP', SubjectLogonId: logonId,
    ObjectServer: 'DS', ObjectType: `%${USER_CLASS}`, ObjectName: `%{${objectGuid}}`, AccessMask: '0x10',
    Properties: `%%7684\n\t\t{59ba2f42-79a2-11d0-9020-00c04fc2d3cf}\n\t${USER_CLASS}\n`,
  });
}

function tgtRequest(at: number, user: string, sid: string, ip: string, status = '0x0'): object {
  return securityEvent(4768, at, {
    TargetUserName: user, TargetDomainName: 'CORP', TargetSid: sid, ServiceName: 'krbtgt', Status: status,
    TicketEncryptionType: '0x12', PreAuthType: '2', IpAddress: `::ffff:${ip}`,
  });
}

describe('honeytoken_activity', () => {
  it('fires when an account reads the properties of a decoy object configured by GUID, naming the reader and its address', async () => {
    const alerts = await detect(honeytokenActivity, [networkLogon(0, 'lambda-user', '0x64f5c04', '10.23.23.9'), propertyRead(0.1, 'lambda-user', '0x64f5c04', DECOY_GUID)], { config });
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.title, 'Honeytoken was queried');
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['lambda-user', 'actor'], [DECOY_GUID, 'target']]);
    assert.ok(a?.entities.hosts.some((h) => h.role === 'source' && h.ip === '10.23.23.9'));
    assert.match(a?.description ?? '', /read properties of the honeytoken user \{259162f1/);
  });

  it('ignores reads of objects that are not honeytokens', async () => {
    const alerts = await detect(honeytokenActivity, [propertyRead(0, 'lambda-user', '0x1', 'c6faf700-bfe4-452a-a766-424f84c29583')], { config });
    assert.deepEqual(alerts, []);
  });

  it('stays silent when no honeytoken is configured', async () => {
    assert.deepEqual(await detect(honeytokenActivity, [propertyRead(0, 'lambda-user', '0x1', DECOY_GUID)]), []);
  });

  it('ignores domain controllers maintaining the decoy object themselves', async () => {
    const alerts = await detect(honeytokenActivity, [
      tgtRequest(0, 'DC01$', 'S-1-5-21-1-2-3-1000', '10.0.0.1'),
      propertyRead(1, 'DC01$', '0x3e7', DECOY_GUID, 'S-1-5-21-1-2-3-1000'),
      propertyRead(2, 'DC01$', '0x3e7', DECOY_GUID, 'S-1-5-18'),
    ], { config });
    assert.deepEqual(alerts, []);
  });

  it('reports a Kerberos logon attempt as the decoy account as high-severity authentication activity', async () => {
    const alerts = await detect(honeytokenActivity, [tgtRequest(0, 'svc-backup-old', 'S-1-5-21-1-2-3-1700', '10.0.7.7', '0x18')], { config });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.title, 'Honeytoken authentication activity');
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '10.0.7.7'));
  });

  it('matches a decoy by SID when the event spells its name differently', async () => {
    const ntlm = securityEvent(4625, 0, {
      TargetUserName: 'BACKUP-OLD', TargetDomainName: 'CORP', TargetUserSid: DECOY_SID, LogonType: '3', Status: '0xc000006d',
      SubStatus: '0xc000006a', IpAddress: '10.0.7.8', WorkstationName: 'KALI',
    });
    const alerts = await detect(honeytokenActivity, [ntlm], { config });
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /failed to log on as S-1-5-21-1-2-3-1666/);
  });

  it('reports a change to the decoy account and a change of its group membership', async () => {
    const reset = securityEvent(4724, 0, {
      TargetUserName: 'svc-backup-old', TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1700',
      SubjectUserName: 'mallory', SubjectDomainName: 'CORP', SubjectUserSid: 'S-1-5-21-1-2-3-1999', SubjectLogonId: '0x77',
    });
    const added = securityEvent(4728, 1, {
      TargetUserName: 'Helpdesk', TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1300',
      MemberName: 'CN=svc-backup-old,OU=Service,DC=corp,DC=example', MemberSid: 'S-1-5-21-1-2-3-1700',
      SubjectUserName: 'mallory', SubjectDomainName: 'CORP', SubjectUserSid: 'S-1-5-21-1-2-3-1999', SubjectLogonId: '0x77',
    });
    const alerts = await detect(honeytokenActivity, [reset, added], { config });
    assert.deepEqual(alerts.map((a) => [a.title, a.severity]), [['Honeytoken was modified', 'high']]);
    assert.equal(alerts[0]?.evidence.count, 2);
    assert.match(alerts[0]?.description ?? '', /mallory/);
  });

  it('reports a service ticket requested for the decoy\'s SPN as a query of it', async () => {
    const tgs = securityEvent(4769, 0, {
      TargetUserName: 'jdoe@CORP.EXAMPLE', TargetDomainName: 'CORP.EXAMPLE', ServiceName: 'svc-backup-old', ServiceSid: 'S-1-5-21-1-2-3-1700',
      TicketEncryptionType: '0x12', Status: '0x0', IpAddress: '::ffff:10.0.4.21', TicketOptions: '0x40810000',
    });
    const alerts = await detect(honeytokenActivity, [tgs], { config });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.title, 'Honeytoken was queried');
    assert.deepEqual(alerts[0]?.entities.accounts.find((a) => a.role === 'actor')?.name, 'jdoe');
  });

  it('reports an Entra ID sign-in as the decoy by its UPN', async () => {
    const signIn = { TimeGenerated: '2024-03-04T09:00:00Z', UserPrincipalName: 'svc-backup-old@corp.example', IPAddress: '203.0.113.9', ResultType: '50126' };
    const alerts = await detect(honeytokenActivity, [signIn], { config });
    assert.equal(alerts.length, 1);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '203.0.113.9'));
  });
});
