import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import type { Alert } from '../../../core/alerts/alert';
import { remoteCodeExecution } from '../../../core/detectors/remote_code_execution';
import { DAYS, detect } from './harness';
import {
  ADMIN_WS, CMD, DC, POWERSHELL, SERVER, WMIPRVSE, WSMPROVHOST,
  kdcEvent, logon, pipeOpen, process4688, service4697, service7045, shareFile, sysmonProcess, task,
} from './remote_code_execution.fixtures';

const run = (events: readonly object[], config: object = {}): Promise<Alert[]> => detect(remoteCodeExecution, events, { config });
const testMode = { testMode: true };
const source = (a: Alert | undefined) => a?.entities.hosts.find((h) => h.role === 'source');
const actor = (a: Alert | undefined) => a?.entities.accounts.find((x) => x.role === 'actor')?.name;

describe('remote_code_execution', () => {
  describe('services', () => {
    it('fires on a service installed inside a network logon from another machine, naming actor and source', async () => {
      const alerts = await run([logon(0, '0x51'), service4697(0.01, '0x51', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe')], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.severity, 'medium');
      assert.equal(actor(alerts[0]), 'jdoe');
      assert.equal(source(alerts[0])?.ip, ADMIN_WS);
      assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'target' && h.name === SERVER));
      assert.match(alerts[0]?.description ?? '', /installed the service "PSEXESVC".*network logon 0x51/);
    });

    it('rates the same install high on a domain controller learned from its own Kerberos events', async () => {
      const alerts = await run([kdcEvent(0), logon(1, '0x51', { computer: DC }), service4697(1.01, '0x51', 'x', 'C:\\x.exe', { computer: DC })], testMode);
      assert.equal(alerts[0]?.severity, 'high');
      assert.match(alerts[0]?.description ?? '', /a domain controller \(tier 0\)/);
    });

    it('rates it high on a host configured as tier 0', async () => {
      const alerts = await run([logon(0, '0x51'), service4697(0.01, '0x51', 'x', 'C:\\x.exe')], { ...testMode, tier0Hosts: ['srv01'] });
      assert.equal(alerts[0]?.severity, 'high');
    });

    it('ignores a service installed from the console', async () => {
      const alerts = await run([logon(0, '0x51', { type: '2', ip: '127.0.0.1' }), service4697(1, '0x51', 'agent', 'C:\\agent.exe')], testMode);
      assert.deepEqual(alerts, []);
    });

    it('ignores a local service with a real binary whose session is unknown and that no pipe explains', async () => {
      const alerts = await run([service4697(0, '0x1945c67', 'VendorUpdater', 'C:\\Program Files\\Vendor\\updater.exe')], testMode);
      assert.deepEqual(alerts, []);
    });

    it('reports a service whose binary is a command line even without remote evidence, saying the origin is unproven', async () => {
      // An RDP hijack (tscon run as SYSTEM by a service) and getsystem use the same trick as PsExec-style tools.
      const alerts = await run([service4697(0, '0x1945c67', 'rdphijack2', 'cmd.exe /k tscon 2 /dest rdp-tcp#14')], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.title, 'Service created to run a command line');
      assert.equal(alerts[0]?.severity, 'medium');
      assert.match(alerts[0]?.description ?? '', /whether it came from elsewhere is not proven/);
    });

    it('reports a command-line service that a remote session explains as remote execution, once', async () => {
      const alerts = await run([logon(0, '0x52'), service4697(0.01, '0x52', 'Updater', '%COMSPEC% /C start /b powershell -noP -sta -w 1 -enc SQBmACgA')], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.title, 'Remote code execution: service installed from another machine');
    });

    it('ignores a host reaching itself over the network, like PsExec run against the local machine', async () => {
      const alerts = await run([logon(0, '0x51', { ip: '::1' }), service4697(0.01, '0x51', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe')], testMode);
      assert.deepEqual(alerts, []);
    });

    it('ties a 7045, which names the installer by SID only, to the service manager pipe opened by that SID just before', async () => {
      const alerts = await run([pipeOpen(0, '0x60', 'svcctl'), service7045(0.001, 'remotesvc', 'calc.exe')], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(actor(alerts[0]), 'jdoe');
      assert.equal(source(alerts[0])?.ip, ADMIN_WS);
      assert.match(alerts[0]?.description ?? '', /IPC\$\\svcctl\) was opened from there by the same account/);
    });

    it('ties a 7045 logged in the same second before the pipe open that explains it', async () => {
      const alerts = await run([service7045(0, 'OTR', 'C:\\Windows\\System32\\GruntHTTP2.exe'), pipeOpen(0, '0x60', 'svcctl')], testMode);
      assert.equal(alerts.length, 1);
    });

    it('does not tie a 7045 to a pipe opened by another account', async () => {
      const alerts = await run([pipeOpen(0, '0x60', 'svcctl', { user: 'other', sid: 'S-1-5-21-1-2-3-2000' }), service7045(0.001, 'x', 'x.exe')], testMode);
      assert.deepEqual(alerts, []);
    });

    it('ignores a remote sc query: the service manager pipe opened without a service installed', async () => {
      const alerts = await run([logon(0, '0x60'), pipeOpen(0.01, '0x60', 'svcctl')], testMode);
      assert.deepEqual(alerts, []);
    });

    it('fires on an executable copied to ADMIN$ and then the service manager opened by the same account and address', async () => {
      const alerts = await run([shareFile(0, '0x70', 'ADMIN$', 'System32\\RemComSvc.exe'), pipeOpen(0.25, '0x70', 'svcctl')], testMode);
      assert.equal(alerts.length, 1);
      assert.match(alerts[0]?.description ?? '', /copied ADMIN\$\\System32\\RemComSvc.exe into an admin share/);
    });

    it('ignores reading an executable from an admin share before opening the service manager', async () => {
      const alerts = await run([shareFile(0, '0x70', 'ADMIN$', 'System32\\RemComSvc.exe', '0x80'), pipeOpen(0.25, '0x70', 'svcctl')], testMode);
      assert.deepEqual(alerts, []);
    });

    it('fires when the service manager is opened at machine speed, each time in a new session', async () => {
      const events = Array.from({ length: 12 }, (_, i) => pipeOpen(i * 0.025, `0x8${i}`, 'svcctl'));
      const alerts = await run(events, testMode);
      assert.equal(alerts.length, 1);
      assert.match(alerts[0]?.description ?? '', /opened the service manager \(IPC\$\\svcctl\) 12 times within 5 minutes/);
    });

    it('ignores a monitoring tool that opens the service manager every few minutes', async () => {
      const events = Array.from({ length: 12 }, (_, i) => pipeOpen(i * 3, `0x8${i}`, 'svcctl'));
      assert.deepEqual(await run(events, testMode), []);
    });
  });

  describe('scheduled tasks', () => {
    it('fires on a task created inside a network logon from another machine', async () => {
      const alerts = await run([logon(0, '0x90'), task(4698, 0.01, '0x90', '\\EventCacheManager')], testMode);
      assert.equal(alerts.length, 1);
      assert.match(alerts[0]?.description ?? '', /created the scheduled task "\\EventCacheManager"/);
    });

    it('fires on a task updated inside a network logon', async () => {
      const alerts = await run([logon(0, '0x90', { workstation: 'WS42' }), task(4702, 0.01, '0x90', '\\LMST')], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(source(alerts[0])?.name, 'WS42');
    });

    it('ignores a task created by a local console user, and one updated by the system', async () => {
      const alerts = await run([
        logon(0, '0x6fc89e', { type: '2', ip: '127.0.0.1' }), task(4698, 0.01, '0x6fc89e', '\\eviltask'),
        task(4702, 1, '0x3e4', '\\Microsoft\\Windows\\SoftwareProtectionPlatform\\SvcRestartTask', { user: 'SRV01$', sid: 'S-1-5-20' }),
      ], testMode);
      assert.deepEqual(alerts, []);
    });

    it('fires when the Task Scheduler logged no local client process, even without the logon', async () => {
      const alerts = await run([task(4698, 0, '0x91', '\\t', { extra: { ClientProcessId: '0', RpcCallClientLocality: '0' } })], testMode);
      assert.equal(alerts.length, 1);
      assert.match(alerts[0]?.description ?? '', /RpcCallClientLocality 0/);
    });

    it('ignores a task whose Task Scheduler logged a local client process', async () => {
      const alerts = await run([task(4698, 0, '0x91', '\\t', { extra: { ClientProcessId: '4242', RpcCallClientLocality: '1' } })], testMode);
      assert.deepEqual(alerts, []);
    });
  });

  describe('WMI and WinRM', () => {
    it('fires on a process WMI started in a network logon from another machine', async () => {
      const alerts = await run([
        logon(0, '0x4da32af'),
        process4688(0.01, { name: CMD, pid: '0xd44', ppid: '0xac8', parent: WMIPRVSE, targetUser: 'jdoe', targetLogonId: '0x4da32af', commandLine: 'cmd.exe /Q /c whoami' }),
      ], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.title, 'Remote code execution over WMI');
      assert.equal(source(alerts[0])?.ip, ADMIN_WS);
    });

    it('ignores a process WMI started for the machine itself, as management agents do locally', async () => {
      const alerts = await run([logon(0, '0x4da32af'), process4688(0.01, { name: CMD, pid: '0xd44', ppid: '0xac8', parent: WMIPRVSE, subject: ['SRV01$', 'S-1-5-18', '0x3e7'] })], testMode);
      assert.deepEqual(alerts, []);
    });

    it('ties a WMI child to the network logon just before it when Windows does not log its session (pre-Windows 10)', async () => {
      const alerts = await run([
        process4688(0, { name: WMIPRVSE, pid: '0xae8', ppid: '0x248' }),
        logon(0.005, '0x10fbcc', { user: 'Administrator', sid: 'S-1-5-21-1-2-3-500' }),
        process4688(0.006, { name: 'C:\\Windows\\System32\\calc.exe', pid: '0x424', ppid: '0xae8' }),
      ], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(actor(alerts[0]), 'Administrator');
      assert.match(alerts[0]?.description ?? '', /preceded it by 60 ms/);
    });

    it('does not tie a pre-Windows 10 WMI child to a logon long before it', async () => {
      const alerts = await run([
        process4688(0, { name: WMIPRVSE, pid: '0xae8', ppid: '0x248' }),
        logon(0.005, '0x10fbcc'),
        process4688(1, { name: 'C:\\Windows\\System32\\calc.exe', pid: '0x424', ppid: '0xae8' }),
      ], testMode);
      assert.deepEqual(alerts, []);
    });

    it('fires on PowerShell remoting, whose Kerberos network logon carries no address', async () => {
      const alerts = await run([
        logon(0, '0x8fc6d5', { ip: '-' }),
        process4688(0.01, { name: WSMPROVHOST, pid: '0x12d0', ppid: '0x3f0', parent: 'C:\\Windows\\System32\\svchost.exe', subject: ['SRV01$', 'S-1-5-18', '0x3e7'], targetUser: 'jdoe', targetLogonId: '0x8fc6d5' }),
        process4688(0.02, { name: POWERSHELL, pid: '0x1358', ppid: '0x12d0', parent: WSMPROVHOST, subject: ['jdoe', 'S-1-5-21-1-2-3-1105', '0x8fc6d5'] }),
      ], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.evidence.count, 2);
      assert.equal(actor(alerts[0]), 'jdoe');
      assert.match(alerts[0]?.description ?? '', /the logon recorded no address/);
    });

    it('takes the source of an address-less WinRM logon from the Kerberos ticket the account asked a DC for just before', async () => {
      const alerts = await run([
        kdcEvent(0, DC, { account: 'jdoe', service: 'SRV01$', ip: '10.0.4.77' }),
        logon(0.05, '0x8fc6d5', { ip: '-' }),
        process4688(0.06, { name: POWERSHELL, pid: '0x1358', ppid: '0x12d0', parent: WSMPROVHOST, subject: ['jdoe', 'S-1-5-21-1-2-3-1105', '0x8fc6d5'] }),
      ], testMode);
      assert.equal(source(alerts[0])?.ip, '10.0.4.77');
      assert.match(alerts[0]?.description ?? '', /asked a DC for its Kerberos ticket to SRV01.corp.example, 3.6 s before/);
    });

    it('does not take the source from a ticket requested long before the logon', async () => {
      const alerts = await run([
        kdcEvent(0, DC, { account: 'jdoe', service: 'SRV01$', ip: '10.0.4.77' }),
        logon(30, '0x8fc6d5', { ip: '-' }),
        process4688(30.01, { name: POWERSHELL, pid: '0x1358', ppid: '0x12d0', parent: WSMPROVHOST, subject: ['jdoe', 'S-1-5-21-1-2-3-1105', '0x8fc6d5'] }),
      ], testMode);
      assert.equal(source(alerts[0]), undefined);
    });

    it('fires on any other process whose own session is a network logon from elsewhere, as DCOM lateral movement starts', async () => {
      const alerts = await run([
        logon(0, '0x5d1'),
        process4688(0.01, { name: 'C:\\Windows\\System32\\mmc.exe', pid: '0x900', ppid: '0x3f0', parent: 'C:\\Windows\\System32\\svchost.exe', subject: ['SRV01$', 'S-1-5-18', '0x3e7'], targetUser: 'jdoe', targetLogonId: '0x5d1', commandLine: 'mmc.exe -Embedding' }),
      ], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.title, 'Remote code execution: process started in a network logon');
    });

    it('adds nothing for the children of a process already reported', async () => {
      const alerts = await run([
        logon(0, '0x4da32af'),
        process4688(0.01, { name: CMD, pid: '0xd44', ppid: '0xac8', parent: WMIPRVSE, targetUser: 'jdoe', targetLogonId: '0x4da32af' }),
        process4688(0.02, { name: 'C:\\Windows\\System32\\conhost.exe', pid: '0xb78', ppid: '0xd44', parent: CMD, subject: ['jdoe', 'S-1-5-21-1-2-3-1105', '0x4da32af'] }),
        process4688(0.03, { name: 'C:\\Windows\\System32\\whoami.exe', pid: '0xb80', ppid: '0xb78', parent: 'C:\\Windows\\System32\\conhost.exe', subject: ['jdoe', 'S-1-5-21-1-2-3-1105', '0x4da32af'] }),
      ], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.title, 'Remote code execution over WMI');
      assert.equal(alerts[0]?.evidence.count, 1);
    });

    it('ignores processes in a console or RDP session', async () => {
      const alerts = await run([
        logon(0, '0x77', { type: '10', ip: '10.0.4.21' }),
        process4688(0.01, { name: POWERSHELL, pid: '0x900', ppid: '0x800', parent: 'C:\\Windows\\explorer.exe', subject: ['jdoe', 'S-1-5-21-1-2-3-1105', '0x77'] }),
      ], testMode);
      assert.deepEqual(alerts, []);
    });

    it('reads the same from Sysmon process creation', async () => {
      const alerts = await run([logon(0, '0x8fc6d5', { ip: '-' }), sysmonProcess(0.01, POWERSHELL, WSMPROVHOST, 'jdoe', '0x8fc6d5')], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.title, 'Remote code execution over WinRM (PowerShell remoting)');
    });
  });

  describe('learning', () => {
    const daily = (day: number, computer = SERVER, logonId = `0x${day}1`) => [
      logon(day * DAYS, logonId, { computer }), service4697(day * DAYS + 0.01, logonId, 'deploy', 'C:\\Windows\\deploy.exe', { computer }),
    ];

    it('flags alerts during the learning period and learns a pair that recurs on learnAfterDays days', async () => {
      const alerts = await run([0, 1, 2, 3].flatMap((d) => daily(d)));
      assert.deepEqual(alerts.map((a) => [a.firstSeen.slice(0, 10), a.learning, a.severity]), [['2024-03-04', true, 'informational'], ['2024-03-05', true, 'informational']]);
    });

    // The learning period starts with the first event the detector sees.
    const firstSeen = logon(0, '0x1', { type: '2', ip: '127.0.0.1', computer: DC });

    it('never learns a new pair on a domain controller after the learning period', async () => {
      const alerts = await run([kdcEvent(0), firstSeen, ...[20, 21, 22, 23].flatMap((d) => daily(d, DC))]);
      assert.equal(alerts.length, 4);
      assert.ok(alerts.every((a) => a.severity === 'high' && a.learning === undefined));
    });

    it('keeps learning pairs on other hosts after the learning period', async () => {
      const alerts = await run([kdcEvent(0), firstSeen, ...[20, 21, 22, 23].flatMap((d) => daily(d))]);
      assert.equal(alerts.length, 2);
    });

    it('treats a pair learned on deployerTargets hosts as a deployment system on a new member host, not on a DC', async () => {
      const config = { detectors: { remote_code_execution: { thresholds: { deployerTargets: 2, learnAfterDays: 2 } } } };
      const learnedOn = (computer: string) => [0, 1].flatMap((d) => daily(d, computer, `0x${d}${computer.length}`));
      const alerts = await run([
        kdcEvent(0), ...learnedOn('WS01.corp.example'), ...learnedOn('WS02.corp.example'),
        ...daily(3, 'WS03.corp.example'), ...daily(3, DC, '0x77'),
      ], config);
      const after = alerts.filter((a) => a.firstSeen >= '2024-03-07');
      assert.deepEqual(after.map((a) => a.entities.hosts.find((h) => h.role === 'target')?.name), [DC]);
    });

    describe('software-push systems', () => {
      const config = { ...testMode, detectors: { remote_code_execution: { thresholds: { deployerTargets: 3, learnAfterDays: 2 } } } };
      let n = 0;
      /** A client-push install on a host that never had one: one 4624 and one 4697 in it. */
      const push = (day: number, computer: string, name = 'ccmsetup', ip = '10.0.1.7') => {
        const id = `0x9${++n}`;
        return [logon(day * DAYS + n, id, { computer, ip, user: 'svc-sccm', sid: 'S-1-5-21-1-2-3-4100' }), service4697(day * DAYS + n + 0.01, id, name, 'C:\\Windows\\ccmsetup\\ccmsetup.exe', { computer, user: 'svc-sccm' })];
      };
      const history = () => [kdcEvent(0), ...push(0, 'WS01.corp.example'), ...push(0, 'WS02.corp.example'), ...push(1, 'WS03.corp.example')];
      const targets = (alerts: readonly Alert[]) => alerts.filter((a) => a.firstSeen >= '2024-03-05').map((a) => a.entities.hosts.find((h) => h.role === 'target')?.name);

      it('learns a source that pushes one service once to each of many hosts, on several days', async () => {
        const alerts = await run([...history(), ...push(1, 'WS04.corp.example'), ...push(2, 'WS05.corp.example'), ...push(2, 'WS06.corp.example')], config);
        assert.deepEqual(targets(alerts), ['WS03.corp.example'], 'reported until it had pushed to 3 hosts on 2 days');
      });

      it('still reports the push system pushing a payload it never pushed before', async () => {
        const alerts = await run([...history(), ...push(2, 'WS05.corp.example', 'PSEXESVC')], config);
        assert.deepEqual(targets(alerts), ['WS03.corp.example', 'WS05.corp.example']);
      });

      it('still reports a new source pushing the same service', async () => {
        const alerts = await run([...history(), ...push(2, 'WS05.corp.example', 'ccmsetup', '10.0.66.6')], config);
        assert.deepEqual(targets(alerts), ['WS03.corp.example', 'WS05.corp.example']);
      });

      it('never extends a push system to a domain controller', async () => {
        const alerts = await run([...history(), ...push(2, 'WS05.corp.example'), ...push(2, DC)], config);
        assert.deepEqual(targets(alerts), ['WS03.corp.example', DC]);
      });

      it('folds the digits of numbered runner services (PDQDeployRunner-N) into one payload', async () => {
        const alerts = await run([
          kdcEvent(0), ...push(0, 'WS01.corp.example', 'PDQDeployRunner-1'), ...push(0, 'WS02.corp.example', 'PDQDeployRunner-2'),
          ...push(1, 'WS03.corp.example', 'PDQDeployRunner-3'), ...push(2, 'WS05.corp.example', 'PDQDeployRunner-14'),
        ], config);
        assert.deepEqual(targets(alerts), ['WS03.corp.example']);
      });
    });

    it('alerts unflagged from the first event in test mode', async () => {
      const alerts = await run(daily(0), testMode);
      assert.equal(alerts[0]?.learning, undefined);
    });

    it('keeps baselines and pending evidence across passes', async () => {
      const store = new MemoryStateStore();
      const mallory = { user: 'mallory', sid: 'S-1-5-21-1-2-3-3000', ip: '10.0.66.6' };
      await detect(remoteCodeExecution, [...daily(0), ...daily(1), pipeOpen(2 * DAYS, '0x60', 'svcctl', mallory)], { store });
      const next = await detect(remoteCodeExecution, [service7045(2 * DAYS + 0.001, 'x', 'x.exe', mallory), ...daily(2), ...daily(3)], { store });
      assert.deepEqual(next.map((a) => a.title), ['Remote code execution: service installed from another machine']);
      assert.match(next[0]?.description ?? '', /svcctl/);
    });
  });

  it('keeps evidence only as long as it can explain something, even on a busy host', async () => {
    const store = new MemoryStateStore();
    await detect(remoteCodeExecution, [pipeOpen(0, '0x60', 'svcctl'), logon(1, '0x61'), logon(60, '0x62')], { store });
    const saved = (await store.load())?.state.detectors['remote_code_execution'] as { hosts: { keys: string[]; rows: unknown[][] } };
    const srv01 = saved.hosts.rows[saved.hosts.keys.indexOf('srv01')];
    assert.deepEqual(srv01?.[1], [], 'no touch left');
    assert.equal((srv01?.[2] as unknown[]).length, 1, 'one logon left');
  });

  const defaults = { thresholds: Object.fromEntries(Object.entries(remoteCodeExecution.declaration.thresholds).map(([k, t]) => [k, t.default])), learningPeriodMs: 0, testMode: true };
  const origin = [10, 'SRV01.corp.example', 4624, 7];
  const logonRow = [origin, ['jdoe', 'CORP', 'S-1-5-21-1-2-3-1104'], '10.0.4.21', null, '0x61'];

  it('forgets idle hosts and pairs', () => {
    const detector = remoteCodeExecution.create(defaults, {
      hosts: { keys: ['srv01'], rows: [[10, [], [], [], null, [], []]] },
      pairs: { keys: ['srv01|10.0.4.21|jdoe'], rows: [[10, 0, 1, 0]] },
    });
    detector.evictIdle(11);
    assert.deepEqual(JSON.parse(JSON.stringify(detector.snapshot())), {
      hosts: { keys: [], rows: [] }, pairs: { keys: [], rows: [] }, deployers: { keys: [], rows: [] }, pushes: { keys: [], rows: [] }, tickets: [],
    });
  });

  it('reads every saved row back as it was written', () => {
    const saved = {
      since: 5,
      hosts: { keys: ['srv01'], rows: [[10,
        [['scm', origin, ['jdoe', 'CORP', null], '10.0.4.21', null, '0x61', null]], [logonRow], [4242, 9], [77],
        [['service', 'SRV01.corp.example', 'installed the service "x"', origin, { service: 'x', imagePath: 'x.exe' }, null, 'S-1-5-21-1-2-3-1104', null]],
        ['10.0.4.21|corp\\jdoe', [9, 10]]]] },
      pairs: { keys: ['srv01|10.0.4.21|jdoe'], rows: [[10, 19794 * 2 ** 31 + 1, 1, 1]] },
      deployers: { keys: ['10.0.4.21|jdoe'], rows: [[10, ['srv01', 'srv02']]] },
      pushes: { keys: ['10.0.4.21|jdoe'], rows: [[10, ['ws01'], 19794 * 2 ** 31 + 1, 1, ['pdqdeployrunner-#', 19794]]] },
      tickets: [['SRV01$', 'jdoe', '10.0.4.21', 9]],
    };
    assert.deepEqual(remoteCodeExecution.create(defaults, JSON.parse(JSON.stringify(saved))).snapshot(), saved);
  });

  it('restores a parked action whose event left a detail out, from a store that keeps objects as they are', async () => {
    const store = new MemoryStateStore();
    // A 4698 without RpcCallClientLocality and no remote evidence yet: parked, its detail undefined.
    await detect(remoteCodeExecution, [task(4698, 0, '0x77', 'Updater')], { store });
    const saved = (await store.load())?.state.detectors['remote_code_execution'] as { hosts: { rows: unknown[][] } };
    const parked = (saved.hosts.rows[0]?.[5] as unknown[][])[0];
    assert.deepEqual(parked?.[4], { task: 'Updater', action: 'created' }, 'the absent detail is not saved');
    await detect(remoteCodeExecution, [], { store });
  });

  it('refuses a malformed saved section naming the bad value', () => {
    const bad = (section: object, pattern: RegExp) => assert.throws(() => remoteCodeExecution.create(defaults, section), pattern);
    bad({ hosts: { keys: ['srv01'], rows: [[10, [], [[origin, ['jdoe', null, null], 42, null, null]], [], null, [], []]] } }, /detectors\.remote_code_execution is invalid: hosts\.rows\.0\.2\.0\.2 must be a string/);
    bad({ hosts: { keys: ['srv01'], rows: [[10, [['pipe', origin, ['jdoe', null, null], null, null, null, null]], [], [], null, [], []]] } }, /hosts\.rows\.0\.1\.0\.0 must be one of scm/);
    bad({ pairs: { keys: ['k'], rows: [[10, -1, 1, 0]] } }, /pairs\.rows\.0\.1 must be a day set/);
    bad({ pushes: { keys: ['k'], rows: [[10, [], 0, 0, ['x']]] } }, /pushes\.rows\.0\.4 must be a flat list of pairs/);
    bad({ tickets: [['SRV01$', 'jdoe', '10.0.4.21']] }, /tickets\.0 must be an array of 4/);
  });
});
