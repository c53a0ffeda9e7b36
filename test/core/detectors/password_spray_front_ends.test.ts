import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { passwordSpray } from '../../../core/detectors/password_spray';
import { kerberosTgt, kerberosWrongPassword, names, seconds } from './auth.fixtures';
import { DAYS, detect, securityEvent } from './harness';

const ADFS = '10.20.0.15';
const TEST_MODE = { testMode: true };

/** Users behind the front-end mistyping once and then getting it right: an ordinary morning. */
function typos(at: number, accounts: readonly string[]): object[] {
  return accounts.flatMap((a, i) => [kerberosWrongPassword(at + i, a, ADFS), kerberosTgt(at + i + seconds(20), a, ADFS)]);
}

/** A day of successful sign-ins of `count` users through the front-end: what teaches it. */
function workday(day: number, count: number): object[] {
  return names('staff', count).map((a, i) => kerberosTgt(day * DAYS + 8 * 60 + i, a, ADFS));
}

/** 4625 logged where the front-end's address connected, naming the client it relayed. */
function relayedFailure(at: number, account: string, client: string): object {
  return securityEvent(4625, at, {
    SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
    TargetUserSid: 'S-1-0-0', TargetUserName: account, TargetDomainName: 'CORP', Status: '0xc000006d', FailureReason: '%%2313',
    SubStatus: '0xc000006a', LogonType: '3', LogonProcessName: 'NtLmSsp ', AuthenticationPackageName: 'NTLM',
    WorkstationName: client, IpAddress: ADFS, IpPort: '50122',
  }, 'EXCH01.corp.example');
}

/** 4624 network logon through the front-end, naming the front-end itself as the workstation. */
function relayedLogon(at: number, account: string, workstation: string): object {
  return securityEvent(4624, at, {
    SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
    TargetUserName: account, TargetDomainName: 'CORP', TargetLogonId: `0x${(at * 7).toString(16)}`, LogonType: '3',
    LogonProcessName: 'NtLmSsp ', AuthenticationPackageName: 'NTLM', WorkstationName: workstation, IpAddress: ADFS, IpPort: '50122',
  }, 'DC01.corp.example');
}

describe('password_spray through front-ends', () => {
  it('stays quiet on a configured front-end relaying many users\' typos that they then correct', async () => {
    const alerts = await detect(passwordSpray, typos(0, names('user', 40)), { config: { ...TEST_MODE, frontEnds: [ADFS] } });
    assert.deepEqual(alerts, []);
  });

  it('alerts high on the same traffic from an ordinary source: the front-end is what makes it benign', async () => {
    const alerts = await detect(passwordSpray, names('user', 40).map((a, i) => kerberosWrongPassword(i * seconds(30), a, ADFS)), { config: TEST_MODE });
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('learns a front-end from 30 or more accounts authenticating through it on two days', async () => {
    const failures = names('user', 25).map((a, i) => kerberosWrongPassword(2 * DAYS + 9 * 60 + i, a, ADFS));
    assert.deepEqual(await detect(passwordSpray, [...workday(0, 30), ...workday(1, 30), ...failures], { config: TEST_MODE }), []);
  });

  it('learns a front-end whose sign-ins arrive a few per pass, as a scheduled search reads them', async () => {
    const store = new MemoryStateStore();
    const signIns = [...workday(0, 30), ...workday(1, 30)];
    for (let i = 0; i < signIns.length; i += 2) await detect(passwordSpray, signIns.slice(i, i + 2), { config: TEST_MODE, store });
    const failures = names('user', 25).map((a, i) => kerberosWrongPassword(2 * DAYS + 9 * 60 + i, a, ADFS));
    assert.deepEqual(await detect(passwordSpray, failures, { config: TEST_MODE, store }), []);
  });

  it('does not learn a source with 29 accounts a day as a front-end', async () => {
    const failures = names('user', 25).map((a, i) => kerberosWrongPassword(2 * DAYS + 9 * 60 + i, a, ADFS));
    const alerts = await detect(passwordSpray, [...workday(0, 29), ...workday(1, 29), ...failures], { config: TEST_MODE });
    assert.equal(alerts.length, 1);
  });

  it('takes the front-end\'s own name on its failures for the front-end, not for a client behind it', async () => {
    // AD FS logs its own name beside its address on users' sign-ins and on their typos alike.
    const signIns = (day: number) => names('staff', 40).map((a, i) => relayedLogon(day * DAYS + 8 * 60 + i, a, 'ADFS01'));
    const failures = names('staff', 25).map((a, i) => relayedFailure(2 * DAYS + 9 * 60 + i, a, 'ADFS01'));
    assert.deepEqual(await detect(passwordSpray, [...signIns(0), ...signIns(1), ...failures], { config: TEST_MODE }), []);
  });

  it('judges a spray relayed by a front-end by the client the event names, at full severity', async () => {
    const events = names('user', 25).map((a, i) => relayedFailure(i * seconds(10), a, 'KALI'));
    const alerts = await detect(passwordSpray, events, { config: { ...TEST_MODE, frontEnds: ['10.20.0.0/28'] } });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.name === 'KALI'), 'the client is the source');
    assert.ok(!alerts[0]?.entities.hosts.some((h) => h.ip === ADFS), 'not the front-end');
  });

  it('alerts at lower severity on a front-end\'s failures far beyond its normal without client evidence', async () => {
    const events = names('victim', 120).map((a, i) => kerberosWrongPassword(i * seconds(20), a, ADFS));
    const alerts = await detect(passwordSpray, events, { config: { ...TEST_MODE, frontEnds: [ADFS] } });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.equal(alerts[0]?.evidence.details?.['frontEnd'], true);
  });

  it('keeps a front-end\'s uncorrected failures under its bar quiet', async () => {
    const events = names('victim', 45).map((a, i) => kerberosWrongPassword(i * seconds(20), a, ADFS));
    assert.deepEqual(await detect(passwordSpray, events, { config: { ...TEST_MODE, frontEnds: ['adfs01', ADFS] } }), []);
  });
});
