import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { dpapiBackupKey } from '../../../core/detectors/dpapi_backup_key';
import { detect, securityEvent } from './harness';

const ACTOR = { SubjectUserSid: 'S-1-5-21-1-2-3-1104', SubjectUserName: 'pgustavo', SubjectDomainName: 'CORP' };

function secretQuery(at: number, secret: string, logonId: string, subject: Record<string, string> = ACTOR, accessMask = '0x2'): object {
  return securityEvent(4662, at, {
    ...subject, SubjectLogonId: logonId, ObjectServer: 'LSA', ObjectType: 'SecretObject',
    ObjectName: `Policy\\Secrets\\${secret}`, OperationType: 'Query', AccessList: '%%5649\r\n\t\t\t\t', AccessMask: accessMask,
  });
}

function pipeOpen(at: number, pipe: string, logonId: string, ip: string): object {
  return securityEvent(5145, at, {
    ...ACTOR, SubjectLogonId: logonId, ObjectType: 'File', ShareName: '\\\\*\\IPC$', ShareLocalPath: '',
    RelativeTargetName: pipe, IpAddress: ip, IpPort: '64546', AccessMask: '0x12019f',
  });
}

function networkLogon(at: number, logonId: string, ip: string): object {
  return securityEvent(4624, at, {
    TargetUserName: 'pgustavo', TargetDomainName: 'CORP', TargetUserSid: ACTOR.SubjectUserSid, TargetLogonId: logonId,
    LogonType: '3', IpAddress: ip, AuthenticationPackageName: 'Kerberos', WorkstationName: '-',
  });
}

describe('dpapi_backup_key', () => {
  it('fires when a user reads the G$BCKUPKEY secrets, naming the source of its logon session', async () => {
    const alerts = await detect(dpapiBackupKey, [
      networkLogon(0, '0x2b7e3c0', '172.18.39.5'),
      secretQuery(0.1, 'G$BCKUPKEY_PREFERRED', '0x2b7e3c0'),
      secretQuery(0.1, 'G$BCKUPKEY_a0feda20-878f-4e68-ba74-d4df8f0191ab', '0x2b7e3c0'),
      secretQuery(0.1, 'G$BCKUPKEY_P', '0x2b7e3c0'),
    ]);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.equal(a?.evidence.count, 3);
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['pgustavo', 'actor']]);
    assert.ok(a?.entities.hosts.some((h) => h.role === 'source' && h.ip === '172.18.39.5'));
    assert.match(a?.description ?? '', /DPAPI domain backup key/);
  });

  it('names the source from the lsarpc pipe when the logon event was not collected', async () => {
    const alerts = await detect(dpapiBackupKey, [pipeOpen(0, 'lsarpc', '0x51', '172.18.39.5'), secretQuery(0.05, 'G$BCKUPKEY_PREFERRED', '0x51')]);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '172.18.39.5'));
    assert.match(alerts[0]?.description ?? '', /over the lsarpc pipe/);
    assert.equal(alerts[0]?.evidence.count, 2);
  });

  it('keeps the pipe that named a session across passes', async () => {
    const store = new MemoryStateStore();
    await detect(dpapiBackupKey, [pipeOpen(0, 'lsarpc', '0x51', '172.18.39.5')], { store });
    const alerts = await detect(dpapiBackupKey, [secretQuery(1, 'G$BCKUPKEY_P', '0x51')], { store });
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '172.18.39.5'));
  });

  it('ignores other LSA secrets and other access to the backup key secret', async () => {
    const alerts = await detect(dpapiBackupKey, [
      secretQuery(0, 'DPAPI_SYSTEM', '0x1'),
      secretQuery(0, '$MACHINE.ACC', '0x1'),
      secretQuery(0, 'G$BCKUPKEY_PREFERRED', '0x1', ACTOR, '0x20000'),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('ignores the domain controller\'s own LSA reading its key to serve MS-BKRP', async () => {
    const system = { SubjectUserSid: 'S-1-5-18', SubjectUserName: 'DC01$', SubjectDomainName: 'CORP' };
    assert.deepEqual(await detect(dpapiBackupKey, [secretQuery(0, 'G$BCKUPKEY_PREFERRED', '0x3e7', system)]), []);
  });

  it('does not alert on protected_storage pipe use alone, which every DPAPI client makes', async () => {
    const alerts = await detect(dpapiBackupKey, ['10.0.0.5', '10.0.0.6', '10.0.0.7'].map((ip, i) => pipeOpen(i, 'protected_storage', `0x${i + 10}`, ip)));
    assert.deepEqual(alerts, []);
  });

  it('honours a per-detector exclusion for an approved assessment tool', async () => {
    const config = { detectors: { dpapi_backup_key: { exclusions: { accounts: ['CORP\\pgustavo'] } } } };
    assert.deepEqual(await detect(dpapiBackupKey, [secretQuery(0, 'G$BCKUPKEY_P', '0x1')], { config }), []);
  });
});
