import { strict as assert } from 'node:assert';
import { authenticationCoercion } from '../../../core/detectors/authentication_coercion';
import { DAYS, detect, securityEvent } from './harness';

const ADMMIG = { SubjectUserSid: 'S-1-5-21-1-2-3-1111', SubjectUserName: 'admmig', SubjectDomainName: 'CORP' };
const SECOND = 1 / 60;

/** 5145 on `target`: a remote open of `pipe` over IPC$ from `ip`. */
function pipeOpen(at: number, pipe: string, ip: string, target = 'mssql01.corp.example', subject: Record<string, string> = ADMMIG): object {
  return securityEvent(5145, at, {
    ...subject, SubjectLogonId: '0x312517c1', ObjectType: 'File', IpAddress: ip, IpPort: '47156', ShareName: '\\\\*\\IPC$', ShareLocalPath: '',
    RelativeTargetName: pipe, AccessMask: '0x3',
  }, target);
}

/** 4624 on `host`: `account` logged on over the network from `ip`. */
function logon(at: number, account: string, ip: string, host: string): object {
  return securityEvent(4624, at, { TargetUserName: account, TargetDomainName: 'CORP', TargetLogonId: `0x${Math.round(at * 1000)}`, LogonType: '3', IpAddress: ip, AuthenticationPackageName: 'NTLM', WorkstationName: '-' }, host);
}

/** A KDC event, so the host is learned as a domain controller. */
function kdcEvent(at: number, host: string): object {
  return securityEvent(4768, at, { TargetUserName: 'someone', TargetDomainName: 'CORP', Status: '0x0', IpAddress: '10.0.0.9', TicketEncryptionType: '0x12' }, host);
}

describe('authentication_coercion', () => {
  it('reports a remote spoolss open on a member server, naming caller and source', async () => {
    const alerts = await detect(authenticationCoercion, [pipeOpen(0, 'spoolss', '10.23.123.11')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.deepEqual(alerts[0]?.entities.accounts.map((x) => [x.name, x.role]), [['admmig', 'actor']]);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '10.23.123.11'));
    assert.match(alerts[0]?.description ?? '', /MS-RPRN/);
  });

  it('reports at high an efsrpc open on a domain controller', async () => {
    const alerts = await detect(authenticationCoercion, [kdcEvent(0, 'DC01.corp.example'), pipeOpen(1, 'efsrpc', '10.23.123.11', 'DC01.corp.example')]);
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('ignores an lsarpc open alone: every domain member uses the LSA pipe', async () => {
    const alerts = await detect(authenticationCoercion, [pipeOpen(0, 'lsarpc', '10.0.2.17', 'DC01.corp.example')], { config: { testMode: true } });
    assert.equal(alerts.length, 0);
  });

  it('reports lsarpc when the target\'s machine account then authenticates from the caller\'s address (relayed)', async () => {
    const alerts = await detect(authenticationCoercion, [
      pipeOpen(0, 'lsarpc', '10.0.66.6', 'DC01.corp.example'),
      logon(3 * SECOND, 'DC01$', '10.0.66.6', 'PKI01.corp.example'),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.title ?? '', /confirmed/);
    assert.ok(alerts[0]?.entities.accounts.some((x) => x.name === 'DC01$' && x.role === 'target'));
  });

  it('reports an anonymous lsarpc open on a domain controller as unauthenticated PetitPotam', async () => {
    const anonymous = { SubjectUserSid: 'S-1-5-7', SubjectUserName: 'ANONYMOUS LOGON', SubjectDomainName: 'NT AUTHORITY' };
    const alerts = await detect(authenticationCoercion, [kdcEvent(0, 'DC01.corp.example'), pipeOpen(1, 'lsarpc', '10.0.66.6', 'DC01.corp.example', anonymous)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /CVE-2021-36942/);
    assert.deepEqual(alerts[0]?.entities.accounts, [], 'a null session is no one to score');
  });

  it('reports spoolss on a DC confirmed by the DC asking for a ticket to the calling host (unconstrained delegation)', async () => {
    const alerts = await detect(authenticationCoercion, [
      logon(0, 'SRV-UNC$', '10.0.40.4', 'DC01.corp.example'),
      pipeOpen(1, 'spoolss', '10.0.40.4', 'DC01.corp.example'),
      securityEvent(4769, 1 + 2 * SECOND, { TargetUserName: 'DC01$@CORP.EXAMPLE', TargetDomainName: 'CORP.EXAMPLE', ServiceName: 'SRV-UNC$', Status: '0x0', IpAddress: '::ffff:10.0.0.10', TicketEncryptionType: '0x12' }),
    ]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.title ?? '', /confirmed/);
    assert.match(alerts[0]?.description ?? '', /service ticket to SRV-UNC\$/);
    assert.equal(alerts[0]?.evidence.count, 2);
  });

  it('does not confirm on a machine logon long after the pipe open', async () => {
    const alerts = await detect(authenticationCoercion, [pipeOpen(0, 'lsarpc', '10.0.66.6', 'DC01.corp.example'), logon(30, 'DC01$', '10.0.66.6', 'PKI01.corp.example')]);
    assert.equal(alerts.length, 0);
  });

  it('ignores clients opening spoolss on a print server that serves many of them', async () => {
    const clients = Array.from({ length: 6 }, (_, i) => pipeOpen(i, 'spoolss', `10.0.8.${i + 10}`, 'print01.corp.example'));
    const alerts = await detect(authenticationCoercion, clients);
    assert.ok(!alerts.some((a) => a.entities.hosts.some((h) => h.ip === '10.0.8.15')), 'the sixth client is not reported');
  });

  it('ignores spoolss opens on a host whose print$ share clients download drivers from', async () => {
    const driverDownload = securityEvent(5140, 0, { ...ADMMIG, SubjectLogonId: '0x51', ObjectType: 'File', IpAddress: '10.0.8.20', ShareName: '\\\\*\\print$', ShareLocalPath: '\\??\\C:\\Windows\\system32\\spool\\drivers', AccessMask: '0x1' }, 'print01.corp.example');
    const alerts = await detect(authenticationCoercion, [driverDownload, pipeOpen(1, 'spoolss', '10.0.8.21', 'print01.corp.example')], { config: { testMode: true } });
    assert.equal(alerts.length, 0);
  });

  it('learns a print server that calls back into clients\' spoolers every day', async () => {
    const callbacks = [0, 1, 2, 3].map((day) => pipeOpen(day * DAYS, 'spoolss', '10.0.3.3', 'ws042.corp.example'));
    const alerts = await detect(authenticationCoercion, callbacks);
    assert.ok(alerts.length > 0, 'a new source is reported before it is learned');
    assert.ok(alerts.every((a) => Date.parse(a.lastSeen) < Date.UTC(2024, 2, 6, 9)), 'nothing after the third day');
  });

  it('ignores pipe opens from the host itself (loopback)', async () => {
    const alerts = await detect(authenticationCoercion, [pipeOpen(0, 'spoolss', '::1')], { config: { testMode: true } });
    assert.equal(alerts.length, 0);
  });
});
