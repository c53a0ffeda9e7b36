import { strict as assert } from 'node:assert';
import { dsrmPasswordChange } from '../../../core/detectors/dsrm_password_change';
import { detect, securityEvent } from './harness';

const ADMIN = { SubjectUserSid: 'S-1-5-21-1-2-3-500', SubjectUserName: 'administrator', SubjectDomainName: 'CORP', SubjectLogonId: '0x2f336f' };
const DCS = { config: { domainControllers: ['DC01.corp.example'] } };

const dsrmSet = (at: number, status = '0x0'): object => securityEvent(4794, at, { ...ADMIN, Workstation: 'DC01', Status: status });

function networkLogon(at: number, domain: string, logonType = '3'): object {
  return securityEvent(4624, at, {
    TargetUserName: 'Administrator', TargetDomainName: domain, TargetUserSid: 'S-1-5-21-9-9-9-500', TargetLogonId: '0x99',
    LogonType: logonType, AuthenticationPackageName: 'NTLM', WorkstationName: 'KALI', IpAddress: '10.0.0.66',
  });
}

function logonBehavior(value: string): object {
  return securityEvent(4657, 1, {
    ...ADMIN, ObjectName: '\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Lsa', ObjectValueName: 'DsrmAdminLogonBehavior',
    OldValueType: '-', OldValue: '-', NewValueType: '%%1876', NewValue: value, ProcessName: 'C:\\Windows\\System32\\reg.exe',
  });
}

describe('dsrm_password_change', () => {
  it('fires medium when the DSRM administrator password of a DC is set', async () => {
    const alerts = await detect(dsrmPasswordChange, [dsrmSet(0)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.equal(alerts[0]?.entities.accounts[0]?.name, 'administrator');
  });

  it('fires low on a refused attempt', async () => {
    const alerts = await detect(dsrmPasswordChange, [dsrmSet(0, '0x52e')]);
    assert.equal(alerts[0]?.severity, 'low');
  });

  it('escalates to high when the DSRM account then logs on over the network', async () => {
    const alerts = await detect(dsrmPasswordChange, [dsrmSet(0), networkLogon(30, 'DC01')], DCS);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.evidence.events.map((e) => e.EventID).sort(), [4624, 4794]);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '10.0.0.66'));
  });

  it('ignores the domain Administrator\'s network logons and the DSRM account at the console in restore mode', async () => {
    assert.deepEqual(await detect(dsrmPasswordChange, [networkLogon(0, 'CORP'), networkLogon(1, 'DC01', '2')], DCS), []);
  });

  it('fires high when registry auditing shows DsrmAdminLogonBehavior set to 2, and not when it is reset to 0', async () => {
    assert.equal((await detect(dsrmPasswordChange, [logonBehavior('2')]))[0]?.severity, 'high');
    assert.deepEqual(await detect(dsrmPasswordChange, [logonBehavior('0')]), []);
  });

  it('reads the value as Sysmon 13 writes it', async () => {
    const sysmon = {
      TimeCreated: '2024-03-04T09:00:00.000Z', Computer: 'DC01.corp.example', Channel: 'Microsoft-Windows-Sysmon/Operational', Provider: 'Microsoft-Windows-Sysmon',
      EventID: 13, EventRecordID: 7, EventType: 'SetValue', Image: 'C:\\Windows\\regedit.exe',
      TargetObject: 'HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DsrmAdminLogonBehavior', Details: 'DWORD (0x00000001)',
    };
    assert.equal((await detect(dsrmPasswordChange, [sysmon]))[0]?.severity, 'medium');
  });
});
