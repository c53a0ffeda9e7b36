import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { passwordSpray } from '../../../core/detectors/password_spray';
import {
  kerberosTgt, kerberosUnknownUser, kerberosWrongPassword, machineLogon, memberLogonFailure, names, ntlmValidation, seconds,
} from './auth.fixtures';
import { DAYS, detect } from './harness';

const ATTACKER = '10.0.8.66';
const TEST_MODE = { config: { testMode: true } };

/** One wrong password for each account, a second apart: one spray round. */
function round(at: number, accounts: readonly string[], ip = ATTACKER): object[] {
  return accounts.map((a, i) => kerberosWrongPassword(at + seconds(i), a, ip));
}

describe('password_spray', () => {
  it('fires when one source gets one wrong password for each of many accounts', async () => {
    const alerts = await detect(passwordSpray, round(0, names('user', 6)), TEST_MODE);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.detector, 'password_spray');
    assert.equal(a?.severity, 'medium');
    assert.match(a?.description ?? '', /^6 different accounts failed to authenticate from 10\.0\.8\.66 within 5 s \(6 with a wrong password\), 1\.0 attempt\(s\) per account/);
    assert.ok(a?.entities.hosts.some((h) => h.ip === ATTACKER && h.role === 'source'));
    assert.equal(a?.evidence.count, 6, 'the attempts before the threshold are evidence too');
  });

  it('stays quiet below the account threshold', async () => {
    assert.deepEqual(await detect(passwordSpray, round(0, names('user', 4)), TEST_MODE), []);
  });

  it('adds up Kerberos and NTLM attempts from one machine once the directory knows its address', async () => {
    const kerberos = round(1, names('k', 3));
    const ntlm = names('n', 2).map((a, i) => ntlmValidation(2 + seconds(i), a, 'WS05'));
    assert.deepEqual(await detect(passwordSpray, [...kerberos, ...ntlm], TEST_MODE), [], 'without the name→address link they are two sources');
    const alerts = await detect(passwordSpray, [machineLogon(0, 'WS05', ATTACKER), ...kerberos, ...ntlm], TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['accounts'], 5);
  });

  it('counts the DC\'s 4776 and the member\'s 4625 for the same attempt once, and names the local caller', async () => {
    const events = names('user', 5).flatMap((a, i) => [ntlmValidation(i * seconds(1), a, 'WS05'), memberLogonFailure(i * seconds(1), a, 'mallory', 'WS05')]);
    const alerts = await detect(passwordSpray, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['meanAttempts'], 1);
    assert.ok(alerts[0]?.entities.accounts.some((x) => x.name === 'mallory' && x.role === 'actor'));
  });

  it('leaves many guesses per account to brute_force (the horizontal shape)', async () => {
    const events = names('user', 5).flatMap((a, i) => [0, 1, 2, 3].map((n) => kerberosWrongPassword(i + n * seconds(10), a, ATTACKER)));
    assert.deepEqual(await detect(passwordSpray, events, TEST_MODE), []);
  });

  it('leaves names that all do not exist to account_enumeration', async () => {
    const events = names('ghost', 8).map((n, i) => kerberosUnknownUser(seconds(i), n, ATTACKER));
    assert.deepEqual(await detect(passwordSpray, events, TEST_MODE), []);
  });

  it('counts names that do not exist in the breadth of a spray that tests real accounts', async () => {
    const events = [...round(0, names('user', 2)), ...names('ghost', 4).map((n, i) => kerberosUnknownUser(seconds(5 + i), n, ATTACKER))];
    const alerts = await detect(passwordSpray, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /\(2 with a wrong password, 4 names that do not exist\)/);
  });

  it('escalates to high when an account then authenticates from the spraying source', async () => {
    const alerts = await detect(passwordSpray, [...round(0, names('user', 6)), kerberosTgt(0.5, 'carol', ATTACKER)], TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /carol authenticated successfully from 10\.0\.8\.66 right after/);
    assert.ok(alerts[0]?.entities.accounts.some((x) => x.name === 'carol' && x.role === 'target'));
  });

  it('does not escalate for the source\'s usual user, nor for a TGT issued without pre-authentication', async () => {
    const events = [
      kerberosWrongPassword(0, 'alice', ATTACKER), kerberosTgt(0.1, 'alice', ATTACKER),
      ...round(1, names('user', 6)), kerberosTgt(1.5, 'alice', ATTACKER), kerberosTgt(1.6, 'svc-legacy', ATTACKER, '0'),
    ];
    const alerts = await detect(passwordSpray, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('learns a shared egress point where several users mistype every day, and still catches a spray from it', async () => {
    const proxy = '10.0.1.10';
    const daily = Array.from({ length: 9 }, (_, d) => names(`day${d}-user`, 6).map((a, i) => kerberosWrongPassword(d * DAYS + i * 7, a, proxy))).flat();
    const quiet = await detect(passwordSpray, daily);
    assert.ok(quiet.every((a) => a.learning), 'only alerts while learning, each flagged as such');
    assert.equal(quiet.filter((a) => Date.parse(a.firstSeen) >= Date.UTC(2024, 2, 11)).length, 0, 'none once learned');
    const spray = names('target', 30).map((a, i) => kerberosWrongPassword(9 * DAYS + seconds(i), a, proxy));
    const alerts = await detect(passwordSpray, [...daily, ...spray]);
    const last = alerts.filter((a) => Date.parse(a.firstSeen) >= Date.UTC(2024, 2, 13));
    assert.equal(last.length, 1);
    assert.equal(last[0]?.learning, undefined);
    assert.match(last[0]?.description ?? '', /usually reaches at most 6 failing accounts a day/);
  });

  it('flags a verdict on a source without history as learning while the baseline is young, and lowers it', async () => {
    const alerts = await detect(passwordSpray, round(0, names('user', 6)));
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('does not count an account whose owner then got in from the same source: a typo is not a spray victim', async () => {
    // Ten people at one shared workstation (a kiosk, a NAT) each mistype once and retry at once.
    const typos = names('user', 10).flatMap((a, i) => [kerberosWrongPassword(seconds(30 * i), a, ATTACKER), kerberosTgt(seconds(30 * i + 10), a, ATTACKER)]);
    assert.deepEqual(await detect(passwordSpray, typos, TEST_MODE), []);
  });

  it('still counts the accounts that stayed failing beside the ones that recovered', async () => {
    const typos = names('typo', 3).flatMap((a, i) => [kerberosWrongPassword(seconds(i), a, ATTACKER), kerberosTgt(seconds(i + 1), a, ATTACKER)]);
    const alerts = await detect(passwordSpray, [...typos, ...round(1, names('user', 5))], TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['unrecovered'], 5);
  });

  it('keeps the success after a spray learning while the spray was judged on a learning baseline', async () => {
    const alerts = await detect(passwordSpray, [...round(0, names('user', 6)), kerberosTgt(0.5, 'carol', ATTACKER)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'high');
  });

  it('continues a spray across passes from saved state', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(passwordSpray, round(0, names('a', 3)), { ...TEST_MODE, store }), []);
    const alerts = await detect(passwordSpray, round(1, names('b', 3)), { ...TEST_MODE, store });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['accounts'], 6);
  });
});
