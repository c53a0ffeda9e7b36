import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { accountEnumeration } from '../../../core/detectors/account_enumeration';
import { kerberosTgt, kerberosUnknownUser, kerberosWrongPassword, machineLogon, names, ntlmValidation, seconds } from './auth.fixtures';
import { DAYS, detect } from './harness';

const ATTACKER = '10.0.8.66';
const TEST_MODE = { config: { testMode: true } };

function guesses(at: number, list: readonly string[], ip = ATTACKER): object[] {
  return list.map((n, i) => kerberosUnknownUser(at + seconds(i * 0.1), n, ip));
}

describe('account_enumeration', () => {
  it('fires when one source tries many names that do not exist', async () => {
    const alerts = await detect(accountEnumeration, guesses(0, names('ghost', 12)), TEST_MODE);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'medium');
    assert.match(a?.description ?? '', /^12 different user names that do not exist were tried from 10\.0\.8\.66 within 1 s \(100% of the names that failed from it\)/);
    assert.ok(a?.entities.hosts.some((h) => h.ip === ATTACKER && h.role === 'source'));
    assert.equal(a?.evidence.count, 12);
  });

  it('stays quiet below the threshold of distinct names', async () => {
    assert.deepEqual(await detect(accountEnumeration, guesses(0, names('ghost', 9)), TEST_MODE), []);
  });

  it('counts NTLM "no such user" failures with the Kerberos ones', async () => {
    const ntlm = names('n', 5).map((n, i) => ntlmValidation(seconds(i), n, 'WS66', '0xc0000064'));
    const alerts = await detect(accountEnumeration, [machineLogon(0, 'WS66', ATTACKER), ...guesses(0, names('k', 5)), ...ntlm], TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['unknownNames'], 10);
  });

  it('treats one stale name retried all day as one name, not an enumeration', async () => {
    const events = Array.from({ length: 40 }, (_, i) => kerberosUnknownUser(i, 'old.leaver', '10.0.3.3'));
    assert.deepEqual(await detect(accountEnumeration, events, TEST_MODE), []);
  });

  it('leaves a source whose failures are mostly for real accounts to the spray and brute-force detectors', async () => {
    const real = names('user', 15).map((a, i) => kerberosWrongPassword(seconds(i), a, ATTACKER));
    assert.deepEqual(await detect(accountEnumeration, [...real, ...guesses(1, names('typo', 11))], TEST_MODE), []);
  });

  it('lists the names the enumeration confirmed to exist', async () => {
    const events = [...guesses(0, names('ghost', 6)), kerberosWrongPassword(0.1, 'jdoe', ATTACKER), kerberosTgt(0.2, 'svc-noauth', ATTACKER, '0'), ...guesses(0.3, names('phantom', 6))];
    const alerts = await detect(accountEnumeration, events, TEST_MODE);
    assert.match(alerts[0]?.description ?? '', /Names confirmed to exist: jdoe, svc-noauth\./);
    assert.deepEqual(alerts[0]?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'target'], ['svc-noauth', 'target']]);
  });

  it('learns a mail gateway that checks a dozen unknown recipients every day, and still catches a list from it', async () => {
    const gateway = '10.0.2.25';
    const daily = Array.from({ length: 9 }, (_, d) => guesses(d * DAYS, names(`d${d}-nobody`, 12), gateway)).flat();
    const quiet = await detect(accountEnumeration, daily);
    assert.ok(quiet.every((a) => a.learning));
    assert.equal(quiet.filter((a) => Date.parse(a.firstSeen) >= Date.UTC(2024, 2, 11)).length, 0);
    const alerts = await detect(accountEnumeration, [...daily, ...guesses(9 * DAYS, names('list', 60), gateway)]);
    assert.equal(alerts.filter((a) => Date.parse(a.firstSeen) >= Date.UTC(2024, 2, 13)).length, 1);
  });

  it('flags a verdict on a source without history as learning while the baseline is young', async () => {
    const alerts = await detect(accountEnumeration, guesses(0, names('ghost', 12)));
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('continues an enumeration across passes from saved state', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(accountEnumeration, guesses(0, names('a', 6)), { ...TEST_MODE, store }), []);
    const alerts = await detect(accountEnumeration, guesses(1, names('b', 6)), { ...TEST_MODE, store });
    assert.equal(alerts[0]?.evidence.details?.['unknownNames'], 12);
  });
});
