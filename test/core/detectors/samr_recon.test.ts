import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { samrRecon } from '../../../core/detectors/samr_recon';
import { DAYS, detect } from './harness';
import { DOMAIN_SID, groupEnumeration, networkLogon, pipeOpen, samObject, seconds } from './recon.fixtures';

const TEST_MODE = { config: { testMode: true } };
const ATTACKER = '10.0.4.21';

describe('samr_recon', () => {
  it('fires when a user asks a DC for the members of Domain Admins', async () => {
    const alerts = await detect(samrRecon, [
      samObject(0, 'jdoe', '0x5a1', 'SAM_SERVER', 'CN=Server,CN=System,DC=corp,DC=example'),
      samObject(0, 'jdoe', '0x5a1', 'SAM_GROUP', `${DOMAIN_SID}-512`, '0xf01bf'),
    ], TEST_MODE);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'medium');
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'actor']]);
    assert.match(a?.description ?? '', /CORP\\jdoe queried the tier-0 principal Domain Admins/);
  });

  it('ignores computers looking up Domain Admins for themselves during policy processing', async () => {
    const alerts = await detect(samrRecon, [
      samObject(0, 'WS05$', '0x6ce51cd', 'SAM_DOMAIN', 'DC=corp,DC=example', '0x20094'),
      samObject(0, 'WS05$', '0x6ce51cd', 'SAM_GROUP', `${DOMAIN_SID}-512`, '0x20094'),
      pipeOpen(0, 'WS05$', '0x6ce51cd', '10.0.0.5', 'samr'), pipeOpen(0.1, 'WS05$', '0x6ce51cf', '10.0.0.5', 'samr'), pipeOpen(0.2, 'WS05$', '0x6ce51d0', '10.0.0.5', 'samr'),
    ], TEST_MODE);
    assert.deepEqual(alerts, []);
  });

  it('ignores a local tool on the DC reading built-in groups over and over (backup, IFM)', async () => {
    const events = Array.from({ length: 20 }, (_, i) => [
      samObject(i * seconds(1), 'Administrator', '0x627b7', 'SAM_DOMAIN', 'CN=Builtin,DC=corp,DC=example'),
      samObject(i * seconds(1), 'Administrator', '0x627b7', 'SAM_ALIAS', 'S-1-5-32-544', '0xf01bf'),
      samObject(i * seconds(1), 'Administrator', '0x627b7', 'SAM_ALIAS', 'S-1-5-32-551', '0xf01bf'),
      groupEnumeration(i * seconds(1), 4799, 'Administrator', 'Administrators', 'S-1-5-32-544', 'C:\\Windows\\System32\\ntdsutil.exe', 'DC01.corp.example'),
    ]).flat();
    assert.deepEqual(await detect(samrRecon, events, TEST_MODE), []);
  });

  it('ignores the machine\'s own SYSTEM session', async () => {
    const events = Array.from({ length: 12 }, (_, i) => samObject(seconds(i), 'DC01$', '0x3e7', 'SAM_ALIAS', `S-1-5-32-${550 + i}`));
    assert.deepEqual(await detect(samrRecon, [...events, samObject(1, 'DC01$', '0x3e7', 'SAM_GROUP', `${DOMAIN_SID}-512`)], TEST_MODE), []);
  });

  it('fires on a RID brute force walking many groups and aliases', async () => {
    const events = Array.from({ length: 12 }, (_, i) => samObject(seconds(i * 0.03), 'admmig', '0xab3c', 'SAM_ALIAS', `S-1-5-32-${550 + i}`));
    const alerts = await detect(samrRecon, events, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /queried 12 distinct SAM users and groups within 10 minutes/);
    assert.equal(alerts[0]?.evidence.details?.['distinctObjects'], 12);
  });

  it('stays quiet for a handful of ordinary objects', async () => {
    const events = Array.from({ length: 9 }, (_, i) => samObject(seconds(i), 'jdoe', '0x5a1', 'SAM_USER', `${DOMAIN_SID}-${1100 + i}`));
    assert.deepEqual(await detect(samrRecon, events, TEST_MODE), []);
  });

  it('fires when a remote client opens the account domain with the right to list every account (net user /domain)', async () => {
    const alerts = await detect(samrRecon, [
      networkLogon(0, 'jdoe', '0x69a2695', ATTACKER),
      samObject(0, 'jdoe', '0x69a2695', 'SAM_DOMAIN', 'DC=corp,DC=example', '0xf01ff'),
    ], TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /from 10\.0\.4\.21 opened the domain DC=corp,DC=example over the network with the right to list every account/);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === ATTACKER && h.role === 'source'));
  });

  it('also traces the domain open to its client through the SAMR pipe session when the logon was not collected', async () => {
    const alerts = await detect(samrRecon, [
      pipeOpen(0, 'jdoe', '0x77', ATTACKER, 'samr'),
      samObject(0, 'jdoe', '0x77', 'SAM_DOMAIN', 'DC=corp,DC=example', '0xf01ff'),
    ], TEST_MODE);
    assert.equal(alerts.length, 1);
  });

  it('ignores a domain open without the list right, of the Builtin domain, or from a session it cannot place', async () => {
    const alerts = await detect(samrRecon, [
      networkLogon(0, 'jdoe', '0x1', ATTACKER),
      samObject(0, 'jdoe', '0x1', 'SAM_DOMAIN', 'DC=corp,DC=example', '0x2d'),
      samObject(0, 'jdoe', '0x1', 'SAM_DOMAIN', 'CN=Builtin,DC=corp,DC=example', '0xf01ff'),
      samObject(0, 'jdoe', '0x2', 'SAM_DOMAIN', 'DC=corp,DC=example', '0xf01ff'),
    ], TEST_MODE);
    assert.deepEqual(alerts, []);
  });

  it('fires when a client binds to SAMR again and again, as collectors do per group', async () => {
    const binds = [0, 0.5, 1].map((t, i) => pipeOpen(t, 'user01', `0x13${i}`, ATTACKER, 'samr', 'SRV01.corp.example'));
    const alerts = await detect(samrRecon, binds, TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /opened the SAMR pipe 3 times within 10 minutes/);
    assert.deepEqual(await detect(samrRecon, binds.slice(0, 2), TEST_MODE), [], 'two binds (net user, net group) are not enough');
  });

  it('tells null-session clients apart by address', async () => {
    const two = (ip: string, at: number) => [pipeOpen(at, 'ANONYMOUS LOGON', '0x1', ip, 'samr'), pipeOpen(at + 0.1, 'ANONYMOUS LOGON', '0x2', ip, 'samr')];
    assert.deepEqual(await detect(samrRecon, [...two('10.0.5.1', 0), ...two('10.0.5.2', 1)], TEST_MODE), []);
    const alerts = await detect(samrRecon, [...two('10.0.5.1', 0), pipeOpen(0.5, 'ANONYMOUS LOGON', '0x3', '10.0.5.1', 'samr')], TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '10.0.5.1' && h.role === 'source'));
  });

  it('counts remote reads of local groups across servers (4799 without a caller process), and ignores local tools', async () => {
    const remote = Array.from({ length: 10 }, (_, i) => groupEnumeration(seconds(i), 4799, 'user01', 'Administrators', 'S-1-5-32-544', '-', `SRV${i}.corp.example`));
    assert.equal((await detect(samrRecon, remote, TEST_MODE)).length, 1);
    const local = Array.from({ length: 10 }, (_, i) => groupEnumeration(seconds(i), 4799, 'user01', 'Administrators', 'S-1-5-32-544', 'C:\\Windows\\System32\\net1.exe', `SRV${i}.corp.example`));
    assert.deepEqual(await detect(samrRecon, local, TEST_MODE), []);
  });

  it('learns an identity tool that reads Domain Admins every day, and still reports a new tier-0 group it reads', async () => {
    const daily = Array.from({ length: 30 }, (_, d) => samObject(d * DAYS, 'svc-iam', `0x${d}`, 'SAM_GROUP', `${DOMAIN_SID}-512`));
    const alerts = await detect(samrRecon, daily);
    assert.equal(alerts.length, 3, 'the first days, before the account is regular');
    assert.ok(alerts.every((a) => a.learning));
    const more = await detect(samrRecon, [...daily, samObject(30 * DAYS + 1, 'svc-iam', '0x99', 'SAM_GROUP', `${DOMAIN_SID}-519`)]);
    assert.equal(more.length, 4);
    assert.match(more[3]?.description ?? '', /Enterprise Admins/);
    assert.equal(more[3]?.learning, undefined);
  });

  it('flags a verdict on an account without history as learning while the baseline is young', async () => {
    const alerts = await detect(samrRecon, [samObject(0, 'jdoe', '0x5a1', 'SAM_GROUP', `${DOMAIN_SID}-512`)]);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('continues counting SAMR binds across passes from saved state', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(samrRecon, [pipeOpen(0, 'user01', '0x1', ATTACKER, 'samr'), pipeOpen(1, 'user01', '0x2', ATTACKER, 'samr')], { ...TEST_MODE, store }), []);
    assert.equal((await detect(samrRecon, [pipeOpen(2, 'user01', '0x3', ATTACKER, 'samr')], { ...TEST_MODE, store })).length, 1);
  });
});
