import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { smbSessionEnumeration } from '../../../core/detectors/smb_session_enumeration';
import { DAYS, detect } from './harness';
import { pipeOpen, serviceTicket, shareOpen } from './recon.fixtures';

const TEST_MODE = { config: { testMode: true } };
const ATTACKER = '10.0.4.21';

function hostsSweep(at: number, count: number, ip = ATTACKER, user = 'jdoe'): object[] {
  return Array.from({ length: count }, (_, i) => pipeOpen(at + i * 0.1, user, `0x${i + 1}`, ip, 'srvsvc', `SRV${i}.corp.example`));
}

describe('smb_session_enumeration', () => {
  it('fires when a user opens srvsvc on a domain controller (NetSessionEnum)', async () => {
    const alerts = await detect(smbSessionEnumeration, [serviceTicket(0), pipeOpen(1, 'jdoe', '0x714fe24', ATTACKER, 'srvsvc')], TEST_MODE);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'medium');
    assert.match(a?.description ?? '', /^CORP\\jdoe from 10\.0\.4\.21 opened srvsvc on the domain controller DC01\.corp\.example, which lists every session on it/);
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'actor']]);
    assert.ok(a?.entities.hosts.some((h) => h.ip === ATTACKER && h.role === 'source'));
  });

  it('recognises a domain controller by the SYSVOL share it serves', async () => {
    const alerts = await detect(smbSessionEnumeration, [shareOpen(0, 'DC01$', 'fe80::1', 'SYSVOL', '\\'), pipeOpen(1, 'jdoe', '0x1', ATTACKER, 'srvsvc')], TEST_MODE);
    assert.equal(alerts.length, 1);
  });

  it('ignores one srvsvc open on a member server (share browsing)', async () => {
    assert.deepEqual(await detect(smbSessionEnumeration, [serviceTicket(0), pipeOpen(1, 'jdoe', '0x1', ATTACKER, 'srvsvc', 'FILES01.corp.example')], TEST_MODE), []);
  });

  it('fires when one source opens session pipes on many hosts (user hunting)', async () => {
    const alerts = await detect(smbSessionEnumeration, hostsSweep(0, 5), TEST_MODE);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /opened session-enumeration pipes on 5 hosts within 60 minutes/);
    assert.deepEqual(await detect(smbSessionEnumeration, hostsSweep(0, 4), TEST_MODE), []);
  });

  it('counts wkssvc (logged-on users) with srvsvc', async () => {
    const events = [...hostsSweep(0, 3), pipeOpen(1, 'jdoe', '0x9', ATTACKER, 'wkssvc', 'SRV7.corp.example'), pipeOpen(1, 'jdoe', '0x9', ATTACKER, 'wkssvc', 'SRV8.corp.example')];
    assert.equal((await detect(smbSessionEnumeration, events, TEST_MODE)).length, 1);
  });

  it('ignores machine accounts, loopback and other pipes', async () => {
    const alerts = await detect(smbSessionEnumeration, [
      serviceTicket(0),
      pipeOpen(1, 'WS05$', '0x1', '10.0.0.5', 'srvsvc'),
      pipeOpen(1, 'jdoe', '0x2', '::1', 'srvsvc'),
      pipeOpen(1, 'jdoe', '0x3', ATTACKER, 'lsarpc'),
    ], TEST_MODE);
    assert.deepEqual(alerts, []);
  });

  describe('in an estate where many sources open srvsvc on DCs every week (Explorer share browsing)', () => {
    /** Twelve workstations each browse a DC's shares once on day 0: NetShareEnum over srvsvc. */
    const browsing = [serviceTicket(0), serviceTicket(0, 'DC02.corp.example'), ...Array.from({ length: 12 }, (_, i) => pipeOpen(60 + i, `user${i}`, `0x${i + 1}`, `10.16.0.${i + 10}`, 'srvsvc'))];
    const fromNewcomer = (alerts: readonly { entities: { hosts: readonly { ip?: string }[] } }[]): number => alerts.filter((a) => a.entities.hosts.some((h) => h.ip === ATTACKER)).length;

    it('does not report one more source\'s single open on one DC: that is the estate\'s habit', async () => {
      const alerts = await detect(smbSessionEnumeration, [...browsing, pipeOpen(DAYS + 60, 'jdoe', '0x77', ATTACKER, 'srvsvc')], TEST_MODE);
      assert.equal(fromNewcomer(alerts), 0);
    });

    it('still reports a single DC open on the first day, before the habit is known', async () => {
      const alerts = await detect(smbSessionEnumeration, [...browsing, pipeOpen(80, 'jdoe', '0x77', ATTACKER, 'srvsvc')], TEST_MODE);
      assert.equal(fromNewcomer(alerts), 1);
    });

    it('still reports a source opening the session pipes on two DCs within the window', async () => {
      const alerts = await detect(smbSessionEnumeration, [
        ...browsing,
        pipeOpen(DAYS + 60, 'jdoe', '0x77', ATTACKER, 'srvsvc'),
        pipeOpen(DAYS + 61, 'jdoe', '0x78', ATTACKER, 'srvsvc', 'DC02.corp.example'),
      ], TEST_MODE);
      assert.equal(fromNewcomer(alerts), 1);
      assert.match(alerts.at(-1)?.description ?? '', /on 2 domain controllers within 60 minutes/);
    });

    it('keeps the habit on a day when hundreds of sources browse, as at 100,000 accounts', async () => {
      const busyDay = Array.from({ length: 300 }, (_, i) => pipeOpen(DAYS + 60 + i * 0.1, `other${i}`, `0x${i + 100}`, `10.17.${Math.floor(i / 250)}.${(i % 250) + 1}`, 'srvsvc'));
      const alerts = await detect(smbSessionEnumeration, [...browsing, ...busyDay, pipeOpen(DAYS + 600, 'jdoe', '0x77', ATTACKER, 'srvsvc')], TEST_MODE);
      assert.equal(alerts.filter((a) => a.firstSeen >= '2024-03-05').length, 0);
    });

    it('does not add up the users of one shared host who each browse the DC their logon found', async () => {
      const alerts = await detect(smbSessionEnumeration, [
        ...browsing,
        pipeOpen(DAYS + 60, 'alice', '0x77', ATTACKER, 'srvsvc'),
        pipeOpen(DAYS + 61, 'bob', '0x78', ATTACKER, 'srvsvc', 'DC02.corp.example'),
      ], TEST_MODE);
      assert.equal(fromNewcomer(alerts), 0);
    });

    it('forgets the habit after a week without it', async () => {
      const alerts = await detect(smbSessionEnumeration, [...browsing, pipeOpen(9 * DAYS, 'jdoe', '0x77', ATTACKER, 'srvsvc')], TEST_MODE);
      assert.equal(fromNewcomer(alerts), 1);
    });
  });

  it('learns an inventory server that queries sessions on many hosts and the DC every day', async () => {
    const scanner = '10.0.9.9';
    const daily = Array.from({ length: 16 }, (_, d) => [pipeOpen(d * DAYS, 'svc-inv', '0x1', scanner, 'srvsvc'), ...hostsSweep(d * DAYS + 1, 8, scanner, 'svc-inv')]).flat();
    const alerts = await detect(smbSessionEnumeration, [serviceTicket(0), ...daily]);
    assert.equal(alerts.length, 3, 'the first days, before the source is regular');
    assert.ok(alerts.every((a) => a.learning));
    const wider = await detect(smbSessionEnumeration, [serviceTicket(0), ...daily, ...hostsSweep(16 * DAYS, 40, scanner, 'svc-inv')]);
    assert.equal(wider.length, 4, 'a sweep far wider than its usual is still reported');
    assert.equal(wider[3]?.learning, undefined);
  });

  it('flags a verdict on a source without history as learning while the baseline is young', async () => {
    const alerts = await detect(smbSessionEnumeration, [serviceTicket(0), pipeOpen(1, 'jdoe', '0x1', ATTACKER, 'srvsvc')]);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('continues a sweep across passes from saved state', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(smbSessionEnumeration, hostsSweep(0, 3), { ...TEST_MODE, store }), []);
    const more = [3, 4].map((i) => pipeOpen(1 + i, 'jdoe', '0x1', ATTACKER, 'srvsvc', `SRV${i}.corp.example`));
    assert.equal((await detect(smbSessionEnumeration, more, { ...TEST_MODE, store })).length, 1);
  });
});

