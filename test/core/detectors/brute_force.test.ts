import { strict as assert } from 'node:assert';
import { bruteForce } from '../../../core/detectors/brute_force';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { DAYS, detect, securityEvent } from './harness';

function preauthFailed(at: number, account: string, ip = '10.0.4.21', status = '0x18'): object {
  return securityEvent(4771, at, {
    TargetUserName: account, TargetSid: 'S-1-5-21-1-2-3-1105', ServiceName: 'krbtgt/CORP.EXAMPLE', TicketOptions: '0x40810010',
    Status: status, PreAuthType: '2', IpAddress: `::ffff:${ip}`, IpPort: '50000',
  });
}

function tgtOk(at: number, account: string, ip = '10.0.4.21'): object {
  return securityEvent(4768, at, {
    TargetUserName: account, TargetDomainName: 'CORP.EXAMPLE', TargetSid: 'S-1-5-21-1-2-3-1105', ServiceName: 'krbtgt',
    TicketOptions: '0x40810010', Status: '0x0', TicketEncryptionType: '0x12', PreAuthType: '2', IpAddress: `::ffff:${ip}`,
  });
}

function consoleFailure(at: number, account: string): object {
  return securityEvent(4625, at, {
    SubjectUserSid: 'S-1-5-21-9-9-9-1001', SubjectUserName: 'kiosk', SubjectDomainName: 'WS07', SubjectLogonId: '0x393f6d',
    TargetUserSid: 'S-1-0-0', TargetUserName: account, TargetDomainName: 'WS07', Status: '0xc000006d', FailureReason: '%%2313',
    SubStatus: '0xc000006a', LogonType: '2', LogonProcessName: 'Advapi  ', AuthenticationPackageName: 'Negotiate',
    WorkstationName: 'WS07', IpAddress: '-', IpPort: '-',
  }, 'WS07');
}

const seconds = (n: number) => n / 60;
const TEST_MODE = { config: { testMode: true } };

/** 4776 on the DC: the client names itself. */
function ntlmWrong(at: number, account: string, workstation: string): object {
  return securityEvent(4776, at, { PackageName: 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0', TargetUserName: account, Workstation: workstation, Status: '0xc000006a' });
}

/** 4625 on a member for a network logon: it carries the client's name and its address. */
function networkFailure(at: number, account: string, workstation: string, ip: string): object {
  return securityEvent(4625, at, {
    SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
    TargetUserSid: 'S-1-0-0', TargetUserName: account, TargetDomainName: 'CORP', Status: '0xc000006d', FailureReason: '%%2313',
    SubStatus: '0xc000006a', LogonType: '3', LogonProcessName: 'NtLmSsp ', AuthenticationPackageName: 'NTLM',
    WorkstationName: workstation, IpAddress: ip, IpPort: '50122',
  }, 'SRV01.corp.example');
}

/** Two scanners probing Administrator, each seen by name (4776), by address (4771) and by both (4625). */
function twoScanners(nameFirst: boolean): object[] {
  const scanners = [['SCAN01', '10.16.1.22'], ['SCAN02', '10.16.1.23']] as const;
  return scanners.flatMap(([name, ip], k) => Array.from({ length: 8 }, (_, i) => {
    const t = seconds(k * 200 + i * 10);
    const named = ntlmWrong(t, 'Administrator', name);
    const both = networkFailure(t + seconds(1), 'Administrator', name, ip);
    return [...(nameFirst ? [named, both] : [both, named]), preauthFailed(t + seconds(2), 'Administrator', ip)];
  }).flat());
}

describe('brute_force', () => {
  it('fires on wrong-password failures at machine speed against one account from one source', async () => {
    const alerts = await detect(bruteForce, Array.from({ length: 8 }, (_, i) => preauthFailed(seconds(i), 'jdoe')), TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /^8 wrong-password attempts for jdoe from 10\.0\.4\.21 in 7 s\./);
    assert.equal(alerts[0]?.evidence.count, 8, 'the failures before the threshold are evidence too');
  });

  it('rates a long run as high', async () => {
    const alerts = await detect(bruteForce, Array.from({ length: 25 }, (_, i) => preauthFailed(seconds(i), 'jdoe')), TEST_MODE);
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('stays quiet for a person mistyping a few times and then succeeding', async () => {
    const alerts = await detect(bruteForce, [preauthFailed(0, 'jdoe'), preauthFailed(0.2, 'jdoe'), preauthFailed(0.5, 'jdoe'), tgtOk(0.8, 'jdoe')], TEST_MODE);
    assert.deepEqual(alerts, []);
  });

  it('does not count failures spread wider than the window', async () => {
    const alerts = await detect(bruteForce, Array.from({ length: 12 }, (_, i) => preauthFailed(i * 15, 'jdoe')), TEST_MODE);
    assert.deepEqual(alerts, []);
  });

  it('ignores failures that are not wrong passwords (expired password, unknown user)', async () => {
    const alerts = await detect(bruteForce, Array.from({ length: 10 }, (_, i) => preauthFailed(seconds(i), 'jdoe', '10.0.4.21', i % 2 ? '0x17' : '0x6')), TEST_MODE);
    assert.deepEqual(alerts, []);
  });

  it('escalates to high when the account then authenticates from the same source', async () => {
    const events = [...Array.from({ length: 7 }, (_, i) => preauthFailed(seconds(i), 'jdoe')), tgtOk(1, 'jdoe')];
    const alerts = await detect(bruteForce, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /password was probably guessed/);
  });

  it('does not escalate on a success from a different source', async () => {
    const events = [...Array.from({ length: 7 }, (_, i) => preauthFailed(seconds(i), 'jdoe')), tgtOk(1, 'jdoe', '10.0.5.5')];
    assert.equal((await detect(bruteForce, events, TEST_MODE))[0]?.severity, 'medium');
  });

  it('finds guessing at a console with no source address, naming the logged-on user as actor', async () => {
    const events = [...Array.from({ length: 6 }, (_, i) => consoleFailure(seconds(i) / 10, 'Administrator'))];
    const alerts = await detect(bruteForce, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]?.entities.accounts.map((a) => [a.name, a.role]), [['Administrator', 'target'], ['kiosk', 'actor']]);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.name === 'WS07' && h.role === 'source'));
  });

  it('fires high on horizontal guessing: several accounts, several guesses each, one source', async () => {
    const events = ['a1', 'a2', 'a3', 'a4', 'a5'].flatMap((u, j) => [0, 1, 2].map((i) => preauthFailed(seconds(j * 3 + i), u)));
    const alerts = await detect(bruteForce, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.evidence.details?.['accounts'], ['a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('leaves one-guess-per-account spraying to password_spray', async () => {
    const events = Array.from({ length: 30 }, (_, i) => preauthFailed(seconds(i), `user${i}`));
    assert.deepEqual(await detect(bruteForce, events, TEST_MODE), []);
  });

  it('fires on a distributed attack against one account from several sources', async () => {
    const events = Array.from({ length: 24 }, (_, i) => preauthFailed(seconds(i * 5), 'ceo', `10.1.0.${i % 6}`));
    const alerts = await detect(bruteForce, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['mode'], 'distributed');
  });

  it('counts a host named by 4776 and addressed by 4625/4771 as one source, not a distributed attack', async () => {
    const alerts = await detect(bruteForce, twoScanners(false), TEST_MODE);
    assert.deepEqual(alerts.filter((a) => a.evidence.details?.['mode'] === 'distributed'), []);
  });

  it('folds failures counted by name before the name\'s address was learned into that address', async () => {
    const alerts = await detect(bruteForce, twoScanners(true), TEST_MODE);
    assert.deepEqual(alerts.filter((a) => a.evidence.details?.['mode'] === 'distributed'), []);
  });

  it('still calls three addresses guessing one account distributed, whatever names they claim', async () => {
    const events = Array.from({ length: 24 }, (_, i) => networkFailure(seconds(i * 5), 'ceo', 'SAMENAME', `10.1.0.${i % 3}`));
    const alerts = await detect(bruteForce, events, TEST_MODE);
    assert.deepEqual(alerts.filter((a) => a.evidence.details?.['mode'] === 'distributed').map((a) => a.evidence.details?.['sources']), [['10.1.0.0', '10.1.0.1', '10.1.0.2']]);
  });

  it('learns a pair that bursts every day (a stale phone, a scanner\'s nightly check) and stops reporting it', async () => {
    const events = [0, 1, 2, 3, 4].flatMap((d) => Array.from({ length: 6 }, (_, i) => preauthFailed(d * DAYS + seconds(i * 20), 'jdoe', '10.0.7.7')));
    const alerts = await detect(bruteForce, events, TEST_MODE);
    assert.deepEqual(alerts.map((a) => a.severity), ['medium', 'medium', 'medium']);
    assert.match(alerts[2]?.description ?? '', /on 2 earlier day\(s\)/);
  });

  it('does not let a pair\'s single daily typos make it a baseline: a burst after them is reported', async () => {
    const typos = [0, 1, 2].map((d) => preauthFailed(d * DAYS + 9 * 60, 'jdoe', '10.0.7.7'));
    const burst = Array.from({ length: 6 }, (_, i) => preauthFailed(3 * DAYS + seconds(i * 20), 'jdoe', '10.0.7.7'));
    assert.equal((await detect(bruteForce, [...typos, ...burst], TEST_MODE)).length, 1);
  });

  it('still reports a guessed password from a learned pair', async () => {
    const days = [0, 1, 2, 3].flatMap((d) => Array.from({ length: 6 }, (_, i) => preauthFailed(d * DAYS + seconds(i * 20), 'jdoe', '10.0.7.7')));
    const alerts = await detect(bruteForce, [...days, tgtOk(3 * DAYS + 5, 'jdoe', '10.0.7.7')], TEST_MODE);
    assert.equal(alerts.length, 3, 'the day-4 burst of the learned pair is not reported, so neither is its success');
    const fresh = await detect(bruteForce, [...Array.from({ length: 6 }, (_, i) => preauthFailed(seconds(i * 20), 'jdoe', '10.0.7.8')), tgtOk(5, 'jdoe', '10.0.7.8')], TEST_MODE);
    assert.equal(fresh[0]?.severity, 'high');
    assert.equal(fresh[0]?.evidence.details?.['compromised'], true);
  });

  describe('learning period (the deployment\'s, from its first event)', () => {
    const burst = (day: number, ip: string) => Array.from({ length: 25 }, (_, i) => preauthFailed(day * DAYS + seconds(i), 'Administrator', ip));

    it('delivers a burst from a pair with no history as learning in the first week, at informational', async () => {
      const [a] = await detect(bruteForce, burst(0, '10.20.1.22'));
      assert.equal(a?.learning, true);
      assert.equal(a?.severity, 'informational');
      assert.equal(a?.verdictSeverity, 'high');
    });

    it('reports a new pair at full severity once the deployment has learned for a week, however new the pair', async () => {
      const store = new MemoryStateStore();
      await detect(bruteForce, [preauthFailed(0, 'someone', '10.9.9.9')], { store });
      const [a] = await detect(bruteForce, burst(8, '10.20.1.99'), { store });
      assert.equal(a?.learning, undefined);
      assert.equal(a?.severity, 'high');
    });

    it('keeps a pattern seen on three days of the learning period as the baseline after it', async () => {
      const store = new MemoryStateStore();
      for (const day of [0, 1, 2]) assert.equal((await detect(bruteForce, burst(day, '10.20.1.22'), { store }))[0]?.learning, true);
      assert.deepEqual(await detect(bruteForce, burst(9, '10.20.1.22'), { store }), []);
    });
  });
});
