import { strict as assert } from 'node:assert';
import { zerologon } from '../../../core/detectors/zerologon';
import { detect, securityEvent } from './harness';
import { systemEvent } from './system-events.fixtures';

const ANONYMOUS = { SubjectUserSid: 'S-1-5-7', SubjectUserName: 'ANONYMOUS LOGON', SubjectDomainName: 'NT AUTHORITY', SubjectLogonId: '0x3e6' };

/** 4742 with only PasswordLastSet written: what NetrServerPasswordSet2 leaves. */
function passwordSet(at: number, target: string, subject: Record<string, string>, computer = 'DC01.corp.example'): object {
  return securityEvent(4742, at, {
    ...subject, TargetUserName: target, TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1000',
    SamAccountName: '-', PasswordLastSet: '3/4/2024 9:05:00 AM', ServicePrincipalNames: '-', SidHistory: '-',
  }, computer);
}

function anonymousLogon(at: number, ip: string): object {
  return securityEvent(4624, at, {
    TargetUserSid: 'S-1-5-7', TargetUserName: 'ANONYMOUS LOGON', TargetDomainName: 'NT AUTHORITY', TargetLogonId: '0x31ff6e',
    LogonType: '3', AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V1', WorkstationName: 'WS07', IpAddress: ip,
  });
}

const sessionSetupFailed = (at: number, computerName: string): object =>
  systemEvent(5805, at, 'NETLOGON', { Data: `<string>${computerName}</string>\n<string>%%5</string>\n` });

describe('zerologon', () => {
  it('fires high when ANONYMOUS LOGON sets the password of the logging DC\'s own account, naming the anonymous session\'s source', async () => {
    const alerts = await detect(zerologon, [anonymousLogon(3, '172.16.66.37'), passwordSet(4, 'DC01$', ANONYMOUS)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.entities.accounts.map((a) => [a.name, a.role]), [['ANONYMOUS LOGON', 'actor'], ['DC01$', 'target']]);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '172.16.66.37'));
  });

  it('joins the failed Netlogon session setups as the DC to the password reset in one alert', async () => {
    const alerts = await detect(zerologon, [sessionSetupFailed(1, 'DC01'), passwordSet(4, 'DC01$', ANONYMOUS)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.evidence.events.map((e) => e.EventID).sort(), [4742, 5805]);
  });

  it('raises a medium alert for failed Netlogon authentications claiming the DC\'s name alone', async () => {
    const alerts = await detect(zerologon, [sessionSetupFailed(1, 'DC01')]);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /access denied/);
  });

  it('recognises another DC\'s account from config', async () => {
    const alerts = await detect(zerologon, [passwordSet(4, 'DC02$', ANONYMOUS)], { config: { domainControllers: ['DC02.corp.example'] } });
    assert.equal(alerts.length, 1);
  });

  it('ignores an anonymous password change of a member computer, which is not the CVE', async () => {
    assert.deepEqual(await detect(zerologon, [anonymousLogon(3, '10.0.0.7'), passwordSet(4, 'WS07$', ANONYMOUS)]), []);
  });

  it('ignores a DC\'s scheduled machine password change by its own account', async () => {
    const self = { SubjectUserSid: 'S-1-5-21-1-2-3-1000', SubjectUserName: 'DC01$', SubjectDomainName: 'CORP', SubjectLogonId: '0x3e7' };
    assert.deepEqual(await detect(zerologon, [passwordSet(4, 'DC01$', self)]), []);
  });

  it('ignores vulnerable secure channels of legacy member devices but not of a DC\'s account', async () => {
    const allowed = (name: string) => systemEvent(5829, 1, 'NETLOGON', { Data_1: name, Data_2: 'corp.example', Data_3: 'Domain Member', Data_4: 'OnTap' });
    assert.deepEqual(await detect(zerologon, [allowed('NAS01$')]), []);
    const alerts = await detect(zerologon, [allowed('DC01$')]);
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('ignores a 5805 that another provider wrote under the same id', async () => {
    assert.deepEqual(await detect(zerologon, [systemEvent(5805, 1, 'Some-Other-Provider', { Data: '<string>DC01</string>' })]), []);
  });
});
