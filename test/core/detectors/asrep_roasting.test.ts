import { strict as assert } from 'node:assert';
import { asrepRoasting } from '../../../core/detectors/asrep_roasting';
import { detect, securityEvent } from './harness';

function tgt(at: number, account: string, preauth: string, etype: string, ip = '10.0.4.21', status = '0x0'): object {
  return securityEvent(4768, at, {
    TargetUserName: account, TargetDomainName: 'corp.example', TargetSid: 'S-1-5-21-1-2-3-1200', ServiceName: 'krbtgt',
    ServiceSid: 'S-1-5-21-1-2-3-502', TicketOptions: '0x40800010', Status: status, TicketEncryptionType: etype,
    PreAuthType: preauth, IpAddress: `::ffff:${ip}`, IpPort: '54637', CertIssuerName: '', CertSerialNumber: '', CertThumbprint: '',
  });
}

function userChanged(at: number, target: string, uacText: string, oldUac: string, newUac: string): object {
  return securityEvent(4738, at, {
    SubjectUserName: 'helpdesk1', SubjectDomainName: 'CORP', SubjectUserSid: 'S-1-5-21-1-2-3-1300', SubjectLogonId: '0x3e7',
    TargetUserName: target, TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1200',
    UserAccountControl: uacText, OldUacValue: oldUac, NewUacValue: newUac,
  });
}

describe('asrep_roasting', () => {
  it('fires when a TGT is issued without pre-authentication with RC4', async () => {
    const alerts = await detect(asrepRoasting, [tgt(0, 'alice', '0', '0x17')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.entities.accounts[0]?.name, 'alice');
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '10.0.4.21' && h.role === 'source'));
  });

  it('ignores normal pre-authenticated TGTs, with RC4 or AES', async () => {
    assert.deepEqual(await detect(asrepRoasting, [tgt(0, 'alice', '2', '0x17'), tgt(1, 'bob', '2', '0x12')]), []);
  });

  it('ignores an AES no-preauth answer: it cannot be cracked like RC4', async () => {
    assert.deepEqual(await detect(asrepRoasting, [tgt(0, 'alice', '0', '0x12')]), []);
  });

  it('ignores failed requests', async () => {
    assert.deepEqual(await detect(asrepRoasting, [tgt(0, 'alice', '0', '0x17', '10.0.4.21', '0x6')]), []);
  });

  it('learns a legacy client that always gets its no-preauth ticket from the same address', async () => {
    const daily = Array.from({ length: 30 }, (_, d) => tgt(d * 24 * 60, 'svc-unix', '0', '0x17', '10.0.9.9'));
    const alerts = await detect(asrepRoasting, daily);
    assert.equal(alerts.length, 1, 'only the first sighting');
    assert.equal(alerts[0]?.learning, true);
  });

  it('fires high when one source collects no-preauth tickets for several accounts', async () => {
    const alerts = await detect(asrepRoasting, [tgt(0, 'alice', '0', '0x17', '10.0.6.6'), tgt(0.2, 'bob', '0', '0x17', '10.0.6.6')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.entities.accounts.map((a) => a.name), ['alice', 'bob']);
  });

  it('fires when pre-authentication is switched off on an account (4738)', async () => {
    const alerts = await detect(asrepRoasting, [userChanged(0, 'alice', '\n\t\t%%2096', '0x210', '0x10210')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.title, 'Kerberos pre-authentication disabled on an account');
    assert.deepEqual(alerts[0]?.entities.accounts.map((a) => [a.name, a.role]), [['helpdesk1', 'actor'], ['alice', 'target']]);
  });

  it('ignores other account changes, including turning pre-authentication back on', async () => {
    assert.deepEqual(await detect(asrepRoasting, [userChanged(0, 'alice', '\n\t\t%%2064', '0x10210', '0x210'), userChanged(1, 'bob', '-', '0x210', '0x210')]), []);
  });

  it('reports one change logged both as 4738 and as 5136 once', async () => {
    const ldap = (at: number, op: string, value: string) => securityEvent(5136, at, {
      SubjectUserName: 'helpdesk1', SubjectDomainName: 'CORP', SubjectUserSid: 'S-1-5-21-1-2-3-1300', OpCorrelationID: '{aa}',
      ObjectDN: 'CN=Alice Smith,OU=Staff,DC=corp,DC=example', ObjectClass: 'user',
      AttributeLDAPDisplayName: 'userAccountControl', AttributeValue: value, OperationType: op,
    });
    const alerts = await detect(asrepRoasting, [ldap(0, '%%14675', '512'), ldap(0, '%%14674', String(512 + 0x400000)), userChanged(0, 'alice', '\n\t\t%%2096', '0x210', '0x10210')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.count, 2);
  });

  it('fires when userAccountControl gains DONT_REQ_PREAUTH over LDAP (5136)', async () => {
    const change = (at: number, op: string, value: string) => securityEvent(5136, at, {
      SubjectUserName: 'helpdesk1', SubjectDomainName: 'CORP', SubjectUserSid: 'S-1-5-21-1-2-3-1300', OpCorrelationID: '{aa}',
      ObjectDN: 'CN=Alice Smith,OU=Staff,DC=corp,DC=example', ObjectGUID: '{bb}', ObjectClass: 'user',
      AttributeLDAPDisplayName: 'userAccountControl', AttributeValue: value, OperationType: op,
    });
    const alerts = await detect(asrepRoasting, [change(0, '%%14675', '512'), change(0, '%%14674', String(512 + 0x400000))]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /Alice Smith/);
    assert.deepEqual(await detect(asrepRoasting, [change(0, '%%14675', '512'), change(0, '%%14674', '514')]), []);
  });
});
