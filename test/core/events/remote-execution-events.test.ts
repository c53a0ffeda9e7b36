import { strict as assert } from 'node:assert';
import type { IdentityEvent } from '../../../core/events/identity-event';
import { normalize } from '../../../core/events/normalize';

const base = { TimeCreated: '2020-09-21T04:14:53.000Z', Computer: 'WORKSTATION6.theshire.local', Channel: 'security', EventRecordID: 768477 };

function event(record: object): IdentityEvent {
  const r = normalize(record);
  if (r.status !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

describe('normalize: the events remote execution is traced through', () => {
  it('reads a Windows 10 4688 with the parent name and the new process\'s own session', () => {
    const ev = event({
      ...base, EventID: 4688, SubjectUserSid: 'S-1-5-20', SubjectUserName: 'WORKSTATION6$', SubjectDomainName: 'THESHIRE', SubjectLogonId: '0x3e4',
      NewProcessId: '0x1b28', NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ProcessId: '0x1b20', ParentProcessName: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe',
      CommandLine: 'cmd.exe /c whoami', TargetUserSid: 'S-1-0-0', TargetUserName: 'pgustavo', TargetDomainName: 'THESHIRE', TargetLogonId: '0x2F1C4DC',
    });
    assert.equal(ev.kind, 'process_created');
    if (ev.kind !== 'process_created') return;
    assert.equal(ev.processName, 'C:\\Windows\\System32\\cmd.exe');
    assert.equal(ev.processId, 0x1b28);
    assert.equal(ev.parentProcessId, 0x1b20);
    assert.equal(ev.parentProcessName, 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe');
    assert.equal(ev.logonId, '0x3e4');
    assert.deepEqual(ev.targetAccount, { name: 'pgustavo', domain: 'THESHIRE' });
    assert.equal(ev.targetLogonId, '0x2f1c4dc');
  });

  it('leaves the target session out of a 4688 whose process runs in the creator\'s session (TargetLogonId 0x0)', () => {
    const ev = event({
      ...base, EventID: 4688, SubjectUserName: 'pgustavo', SubjectLogonId: '0x8fc6d5', NewProcessName: 'C:\\Windows\\System32\\conhost.exe',
      NewProcessId: '0xe70', ProcessId: '0x1358', TargetUserSid: 'S-1-0-0', TargetUserName: '-', TargetLogonId: '0x0',
    });
    assert.ok(ev.kind === 'process_created' && ev.targetLogonId === undefined && ev.targetAccount === undefined);
  });

  it('reads a pre-Windows 10 4688, which has no parent name and no target fields', () => {
    const ev = event({
      ...base, EventID: 4688, SubjectUserSid: 'S-1-5-20', SubjectUserName: 'WIN-77LTAPHIQ1R$', SubjectLogonId: '0x3e4',
      NewProcessId: '0x424', NewProcessName: 'C:\\Windows\\System32\\calc.exe', TokenElevationType: '%%1936', ProcessId: '0xae8', CommandLine: '',
    });
    assert.ok(ev.kind === 'process_created');
    if (ev.kind !== 'process_created') return;
    assert.equal(ev.parentProcessId, 0xae8);
    assert.equal(ev.parentProcessName, undefined);
    assert.equal(ev.commandLine, undefined);
  });

  it('reads Sysmon 1, whose User and LogonId are the new process\'s own', () => {
    const ev = event({
      ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ProcessId: '4952', ParentProcessId: '4816', ParentImage: 'C:\\Windows\\System32\\wsmprovhost.exe', User: 'THESHIRE\\pgustavo', LogonId: '0x8FC6D5',
      CommandLine: '"C:\\windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"',
    });
    assert.ok(ev.kind === 'process_created');
    if (ev.kind !== 'process_created') return;
    assert.equal(ev.processId, 4952);
    assert.equal(ev.parentProcessName, 'C:\\Windows\\System32\\wsmprovhost.exe');
    assert.deepEqual(ev.targetAccount, { name: 'pgustavo', domain: 'THESHIRE' });
    assert.equal(ev.targetLogonId, '0x8fc6d5');
    assert.equal(ev.subject, undefined);
  });

  it('calls a 4688 without NewProcessName malformed', () => {
    const r = normalize({ ...base, EventID: 4688, SubjectUserName: 'x' });
    assert.ok(r.status === 'malformed' && /4688: no NewProcessName/.test(r.reason));
  });

  it('keeps the installer\'s logon session of a 4697', () => {
    const ev = event({
      ...base, EventID: 4697, SubjectUserName: 'pgustavo', SubjectLogonId: '0x2990D17', ServiceName: 'Updater',
      ServiceFileName: '%COMSPEC% /C start /b powershell -noP', ServiceType: '0x10', ServiceStartType: '3', ServiceAccount: 'LocalSystem',
    });
    assert.ok(ev.kind === 'service_installed' && ev.logonId === '0x2990d17');
  });

  it('keeps the changer\'s session and the RPC client locality of a 4698', () => {
    const ev = event({
      ...base, EventID: 4698, SubjectUserName: 'pgustavo', SubjectLogonId: '0xEAD4335', TaskName: '\\EventCacheManager',
      ClientProcessStartKey: '0', ClientProcessId: '0', ParentProcessId: '0', RpcCallClientLocality: '0', FQDN: 'WORKSTATION6.theshire.local',
    });
    assert.ok(ev.kind === 'scheduled_task');
    if (ev.kind !== 'scheduled_task') return;
    assert.equal(ev.logonId, '0xead4335');
    assert.equal(ev.rpcCallClientLocality, 0);
    assert.equal(ev.clientProcessId, 0);
  });

  it('leaves RPC locality out of a 4702 from an older Windows that does not log it', () => {
    const ev = event({ ...base, EventID: 4702, SubjectUserName: 'a-jbrown', SubjectLogonId: '0x21a8c68', TaskName: '\\LMST' });
    assert.ok(ev.kind === 'scheduled_task' && ev.action === 'updated' && ev.rpcCallClientLocality === undefined);
  });
});
