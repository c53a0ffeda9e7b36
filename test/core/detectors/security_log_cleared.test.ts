import { strict as assert } from 'node:assert';
import { securityLogCleared } from '../../../core/detectors/security_log_cleared';
import { detect, securityEvent } from './harness';
import { systemEvent } from './system-events.fixtures';

const ADMMIG = { SubjectUserSid: 'S-1-5-21-1-2-3-1105', SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x1b2c3' };

const securityCleared = (at: number, computer: string): object =>
  ({ ...securityEvent(1102, at, ADMMIG, computer), Provider: 'Microsoft-Windows-Eventlog' });
const logCleared = (at: number, log: string, computer = 'FS03.offsec.lan', provider = 'Microsoft-Windows-Eventlog'): object =>
  systemEvent(104, at, provider, { SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', EventData_Channel: log, BackupPath: '' }, computer);

describe('security_log_cleared', () => {
  it('fires high when the Security log of a domain controller is cleared', async () => {
    const alerts = await detect(securityLogCleared, [securityCleared(0, 'DC01.corp.example')], { config: { domainControllers: ['DC01'] } });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.title, 'Security event log cleared');
    assert.equal(alerts[0]?.entities.accounts[0]?.name, 'admmig');
  });

  it('fires medium on a member server and tells every log of a clearing loop in one alert', async () => {
    const alerts = await detect(securityLogCleared, [logCleared(0, 'System'), securityCleared(0.1, 'FS03.offsec.lan'), logCleared(0.2, 'Application'), logCleared(0.3, 'Windows PowerShell')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.equal(alerts[0]?.evidence.count, 4);
    assert.deepEqual(alerts[0]?.evidence.details?.['logs'], ['System', 'Security', 'Application', 'Windows PowerShell']);
  });

  it('ignores a System 104 written by a provider other than Eventlog', async () => {
    assert.deepEqual(await detect(securityLogCleared, [logCleared(0, 'System', 'FS03.offsec.lan', 'Microsoft-Windows-Time-Service')]), []);
  });

  it('takes a 104 without Provider for a clear only when it names who cleared the log', async () => {
    const bare = (fields: Record<string, string>) => {
      const e = systemEvent(104, 0, '', fields) as Record<string, unknown>;
      delete e['Provider'];
      return e;
    };
    assert.equal((await detect(securityLogCleared, [bare({ SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', EventData_Channel: 'System' })])).length, 1);
    assert.deepEqual(await detect(securityLogCleared, [bare({ Data: 'something else' })]), []);
  });
});
