import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { passTheHash } from '../../../core/detectors/pass_the_hash';
import { DAYS, detect, securityEvent } from './harness';
import { networkLogon, newCredentialsLogon, ntlmValidation } from './kerberos.fixtures';

const shortLearning = { detectors: { pass_the_hash: { learningPeriodDays: 7 } } };

/** Two weeks in which jdoe uses NTLM from her workstation and the jump host only. */
function ntlmHabits(): object[] {
  return Array.from({ length: 10 }, (_, d) => [
    networkLogon(d * DAYS, 'jdoe', '10.0.0.21', { ntlm: true, workstation: 'WS21' }),
    ntlmValidation(d * DAYS + 60, 'jdoe', 'JUMP01'),
  ]).flat();
}

describe('pass_the_hash', () => {
  describe('on the source host (new-credentials logons)', () => {
    it('fires when a session starts presenting another identity on the network, naming operator and identity', async () => {
      const alerts = await detect(passTheHash, [newCredentialsLogon(0, 'wardog', 'WS06.corp.example', 'pgustavo')], { config: { testMode: true } });
      assert.equal(alerts.length, 1);
      const [a] = alerts;
      assert.equal(a?.severity, 'medium');
      assert.deepEqual(a?.entities.accounts.map((x) => x.name).sort(), ['pgustavo', 'wardog']);
      assert.ok(a?.entities.hosts.some((h) => h.name === 'WS06.corp.example' && h.role === 'source'));
      assert.match(a?.description ?? '', /presents corp.example\\pgustavo on the network/);
    });

    it('still fires on Windows versions that do not log the network identity', async () => {
      const old = newCredentialsLogon(0, 'user01', 'PC01.example.corp');
      const alerts = await detect(passTheHash, [old], { config: { testMode: true } });
      assert.match(alerts[0]?.description ?? '', /does not name/);
    });

    it('lowers the alert while the habits of the estate are being learned', async () => {
      const alerts = await detect(passTheHash, [newCredentialsLogon(0, 'wardog', 'WS06.corp.example', 'pgustavo')]);
      assert.equal(alerts[0]?.learning, true);
      assert.equal(alerts[0]?.severity, 'informational');
      assert.equal(alerts[0]?.verdictSeverity, 'medium');
    });

    it('learns an administrator who uses runas /netonly with the same identity from the same workstation', async () => {
      const days = [0, 1, 2, 3, 4, 20].map((d) => newCredentialsLogon(d * DAYS, 'admin1', 'ADMWS01.corp.example', 'adm-admin1'));
      const alerts = await detect(passTheHash, days);
      assert.equal(alerts.length, 3, 'the first knownAfterDays days only');
      const elsewhere = await detect(passTheHash, [...days, newCredentialsLogon(21 * DAYS, 'admin1', 'ADMWS01.corp.example', 'pgustavo')]);
      assert.equal(elsewhere.length, 4, 'a new identity on the same host is not the habit');
    });

    it('ignores runas /user (type 2 via seclogo), which validates a password and logs on normally', async () => {
      const runas = { ...(newCredentialsLogon(0, 'admmig', 'FS03.offsec.lan') as Record<string, string>), LogonType: '2', TargetUserName: 'hack1' };
      assert.deepEqual(await detect(passTheHash, [runas], { config: { testMode: true } }), []);
    });

    it('ignores new-credentials logons made through LogonUser by services (Advapi), not the Secondary Logon service', async () => {
      const agent = { ...(newCredentialsLogon(0, 'svc-backup', 'FS01.corp.example', 'backupuser') as Record<string, string>), LogonProcessName: 'Advapi  ' };
      assert.deepEqual(await detect(passTheHash, [agent], { config: { testMode: true } }), []);
    });
  });

  describe('on targets and DCs (NTLM logons)', () => {
    it('fires after learning when an account uses NTLM from a device outside its learned set', async () => {
      const alerts = await detect(passTheHash, [...ntlmHabits(), networkLogon(11 * DAYS, 'jdoe', '10.0.0.99', { ntlm: true, workstation: 'KALI', keyLength: '0' })], { config: shortLearning });
      assert.equal(alerts.length, 1);
      const [a] = alerts;
      assert.equal(a?.severity, 'medium');
      assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'actor']]);
      assert.ok(a?.entities.hosts.some((h) => h.ip === '10.0.0.99' && h.name === 'KALI' && h.role === 'source'));
      assert.equal(a?.evidence.details?.['keyLength'], 0);
    });

    it('ignores the jump host and workstation the account has used', async () => {
      const alerts = await detect(passTheHash, [...ntlmHabits(), ntlmValidation(11 * DAYS, 'jdoe', 'JUMP01'), networkLogon(11 * DAYS, 'jdoe', '10.0.0.21', { ntlm: true, workstation: 'WS21' })], { config: shortLearning });
      assert.deepEqual(alerts, []);
    });

    it('learns new devices silently while the baseline is young', async () => {
      const alerts = await detect(passTheHash, [networkLogon(0, 'jdoe', '10.0.0.21', { ntlm: true, workstation: 'WS21' }), networkLogon(60, 'jdoe', '10.0.0.99', { ntlm: true, workstation: 'KALI' })]);
      assert.deepEqual(alerts, []);
    });

    it('judges 4776 validations on the DC by their workstation, and ignores failed ones', async () => {
      const alerts = await detect(passTheHash, [...ntlmHabits(), ntlmValidation(11 * DAYS, 'jdoe', 'KALI', '0xc000006a'), ntlmValidation(11 * DAYS + 1, 'jdoe', 'KALI')], { config: shortLearning });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.evidence.count, 1);
    });

    it('ignores Kerberos network logons, machine accounts and anonymous sessions', async () => {
      const alerts = await detect(passTheHash, [
        ...ntlmHabits(),
        networkLogon(11 * DAYS, 'jdoe', '10.0.0.99'),
        networkLogon(11 * DAYS, 'WS99$', '10.0.0.99', { ntlm: true, workstation: 'WS99' }),
        networkLogon(11 * DAYS, 'ANONYMOUS LOGON', '10.0.0.99', { ntlm: true, workstation: 'WS99', sid: 'S-1-5-7' }),
      ], { config: shortLearning });
      assert.deepEqual(alerts, []);
    });

    it('ignores a loopback NTLM logon to the same machine, which is local', async () => {
      const local = networkLogon(0, 'user03', '127.0.0.1', { ntlm: true, workstation: 'MSEDGEWIN10', computer: 'MSEDGEWIN10', keyLength: '0' });
      assert.deepEqual(await detect(passTheHash, [local], { config: { testMode: true } }), []);
    });

    it('keeps device sets across passes', async () => {
      const store = new MemoryStateStore();
      assert.deepEqual(await detect(passTheHash, ntlmHabits(), { store, config: shortLearning }), []);
      const later = await detect(passTheHash, [ntlmValidation(12 * DAYS, 'jdoe', 'JUMP01'), ntlmValidation(12 * DAYS + 1, 'jdoe', 'KALI')], { store, config: shortLearning });
      assert.equal(later.length, 1);
      assert.match(later[0]?.description ?? '', /from KALI/);
    });
  });

  it('joins the two: NTLM use of an injected identity from the same host is high, learning or not', async () => {
    const alerts = await detect(passTheHash, [
      newCredentialsLogon(0, 'wardog', 'WS06.corp.example', 'pgustavo'),
      ntlmValidation(2, 'pgustavo', 'WS06'),
    ]);
    const joined = alerts.find((a) => a.entities.accounts.length === 1);
    assert.equal(joined?.severity, 'high');
    assert.equal(joined?.learning, undefined);
    assert.match(joined?.description ?? '', /minutes after a new-credentials logon on ws06 injected that identity/);
  });

  it('does not join an NTLM use that comes after the window', async () => {
    const alerts = await detect(passTheHash, [
      newCredentialsLogon(0, 'wardog', 'WS06.corp.example', 'pgustavo'),
      ntlmValidation(45, 'pgustavo', 'WS06'),
    ]);
    assert.equal(alerts.length, 1, 'only the new-credentials logon');
  });

  it('ignores unrelated events', async () => {
    assert.deepEqual(await detect(passTheHash, [securityEvent(4625, 0, { TargetUserName: 'jdoe', LogonType: '3', Status: '0xc000006d', SubStatus: '0xc000006a', IpAddress: '10.0.0.9' })]), []);
  });
});
