import type { Severity } from '../alerts/alert';
import { accountKey, hostKey, isMachineAccount, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent, Logon, ProcessCreated, ScheduledTaskChange, ServiceInstalled, ShareAccess } from '../events/identity-event';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { none } from '../rules/tree';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { evictBaseline, observePair, payloadOf, restoreBaseline, snapshotBaseline, type BaselineState, type BaselineVerdict } from '../estate/remote-execution/baseline';
import { hostTable } from '../estate/remote-execution/saved-host-state';
import { KeyedTable } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { baseName, isLocalSystemIdentity, isSelf, logonTouch, remoteSession, touchOf, type RemoteSource, type Touch } from '../estate/remote-execution/evidence';
import {
  addLogon, addTouch, countScmOpen, evictHostState, isEmptyHostState, findLogon, findTouch, isRemoteProcess, isWmiHost, newHostState, park,
  rememberRemoteProcess, rememberWmiHost,
  type Action, type HostState, type Method,
} from '../estate/remote-execution/host-state';
import { isCommandLineService } from '../estate/remote-execution/command-service';
import { TicketSources } from '../estate/remote-execution/ticket-sources';
import { ANONYMOUS_SID } from '../estate/well-known-sids';
import { originOf } from '../alerts/evidence';

/**
 * Remote code execution: code started on a host by someone on another machine. Every method
 * (PsExec-style services, schtasks /S, WMI, WinRM) first opens a network logon on the target,
 * then acts inside it; the target's own events tie the action to that session (logon id) or to
 * the RPC pipe it came through (IPC$\svcctl, IPC$\atsvc). Local activity — a service installed
 * at the console, a task created by SYSTEM, an RDP user's service — has no such session.
 *
 * Severity scales with the target's tier: high on domain controllers and configured tier-0
 * hosts, medium elsewhere. (source, account) pairs that administer a target routinely are
 * learned per target (see remote-execution/baseline.ts).
 */

export const declaration: DetectorDeclaration = {
  id: 'remote_code_execution',
  title: 'Remote code execution attempt',
  summary: 'Code started on a host from another machine: a service installed (7045/4697), a scheduled task created or changed (4698/4702), or a process started by WMI, WinRM or any other means (DCOM, SSH) inside a network logon from elsewhere (4688/Sysmon 1); an executable copied to an admin share then the service manager opened, or the service manager driven at machine speed (5145). High on domain controllers and tier-0 hosts, medium elsewhere; routine (source, account) pairs are learned per target.',
  severity: 'high',
  mitre: { tactics: ['lateral-movement', 'execution'], techniques: ['T1021.002', 'T1021.006', 'T1047', 'T1053.005', 'T1543.003', 'T1569.002'] },
  requires: [{
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'LogonType', 'IpAddress', 'WorkstationName', 'TargetUserName', 'TargetUserSid'],
    auditPolicy: 'Audit Logon (Success) on every host to protect: the network logon each remote action happens in',
  }, {
    channel: 'Security', eventIds: [4769],
    fields: ['TargetUserName', 'ServiceName', 'IpAddress', 'Status'],
    auditPolicy: 'Audit Kerberos Service Ticket Operations (Success) on DCs: the client address of WinRM logons, which log none on the target',
  }, {
    channel: 'System', eventIds: [7045],
    fields: ['ServiceName', 'ImagePath', 'AccountName', 'UserID'],
    auditPolicy: 'None: the Service Control Manager always writes 7045 to the System log (collect the System log)',
  }, {
    channel: 'Security', eventIds: [4697],
    fields: ['SubjectUserName', 'SubjectUserSid', 'SubjectLogonId', 'ServiceName', 'ServiceFileName'],
    auditPolicy: 'Audit Security System Extension (Success)',
  }, {
    channel: 'Security', eventIds: [4698, 4702],
    fields: ['SubjectUserName', 'SubjectUserSid', 'SubjectLogonId', 'TaskName', 'RpcCallClientLocality'],
    auditPolicy: 'Audit Other Object Access Events (Success)',
  }, {
    channel: 'Security', eventIds: [5145],
    fields: ['ShareName', 'RelativeTargetName', 'AccessMask', 'IpAddress', 'SubjectUserName', 'SubjectUserSid', 'SubjectLogonId'],
    auditPolicy: 'Audit Detailed File Share (Success): IPC$\\svcctl and IPC$\\atsvc pipe opens, writes to ADMIN$ and C$',
  }, {
    channel: 'Security', eventIds: [4688],
    fields: ['NewProcessName', 'NewProcessId', 'ProcessId', 'ParentProcessName', 'CommandLine', 'SubjectLogonId', 'TargetUserName', 'TargetLogonId'],
    auditPolicy: 'Audit Process Creation (Success), with "Include command line in process creation events"',
  }, {
    channel: 'Microsoft-Windows-Sysmon/Operational', eventIds: [1],
    fields: ['Image', 'ParentImage', 'ProcessId', 'ParentProcessId', 'CommandLine', 'User', 'LogonId'],
    auditPolicy: 'Sysmon with ProcessCreate (event 1) enabled: an alternative to 4688',
  }],
  consumes: ['service_installed', 'scheduled_task', 'process_created', 'share_access', 'logon', 'kerberos_service_ticket'],
  falsePositives: [
    'Software deployment and management (SCCM, PDQ, Ansible over WinRM) and backup agents: they recur from the same host with the same account and are learned per target; a pair learned on many hosts is recognised as a deployment system on the others. Exclude their account or host to silence them at once.',
    'Administrators managing servers remotely from their workstation: learned per target, except on tier-0 hosts after the learning period, where a new admin path is reported on purpose.',
    'A 7045 or pre-Windows 10 WMI child is tied to its origin by timing (same account within correlationSeconds, or the logon just before within wmiTimingSeconds): on a busy host a coincidence is possible; the description says which evidence was used.',
  ],
  thresholds: {
    correlationSeconds: { default: 10, minimum: 1, maximum: 600, integer: false, description: 'How far apart a service install or task change and the network logon or RPC pipe open that explains it may be logged' },
    wmiTimingSeconds: { default: 2, minimum: 0.1, maximum: 60, integer: false, description: 'Pre-Windows 10 4688s do not name the new process\'s session: a WmiPrvSE child is tied to a network logon at most this long before it' },
    stagingMinutes: { default: 2, minimum: 0.1, integer: false, description: 'An executable written to ADMIN$/C$ and the service manager pipe opened by the same account from the same address within this time are one remote service execution' },
    scmBurst: { default: 10, minimum: 3, integer: true, description: 'Service manager pipe (IPC$\\svcctl) sessions by one account from one address on one host within scmBurstMinutes that mean service-based command execution' },
    scmBurstMinutes: { default: 5, minimum: 1, integer: false, description: 'Window for scmBurst' },
    learnAfterDays: { default: 3, minimum: 2, integer: true, description: 'Distinct days a (source, account) pair must run code remotely on a target to be learned as routine there' },
    deployerTargets: { default: 10, minimum: 2, integer: true, description: 'Targets on which a (source, account) pair must be learned to be treated as a deployment system on further non-tier-0 hosts' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Confirm with the account owner whether they ran this from the source machine; if not, isolate the source and reset the account\'s password.',
    'Look at what the service, task or process ran on the target (evidence details) and for persistence it left behind.',
    'Restrict who can administer tier-0 hosts remotely to dedicated admin workstations (firewall SMB/RPC/WinRM to DCs from elsewhere).',
  ],
  native: none("joins a service or task creation to the remote logon and Kerberos tickets behind it, against the host's learned baseline of remote administration"),
};

// A client asks for the service ticket seconds before it connects; slow tooling gets a margin.
const TICKET_WINDOW_MS = 10 * MINUTE;

export const remoteCodeExecution: DetectorModule = {
  declaration,
  create: (settings, saved) => new RemoteCodeExecutionDetector(settings, saved),
};

// SYSTEM, NETWORK SERVICE, LOCAL SERVICE: the machine's own sessions, never a remote caller's.
const SYSTEM_SESSIONS = new Set(['0x3e7', '0x3e4', '0x3e5']);
const WMI_HOSTS = new Set(['wmiprvse.exe']);
// wsmprovhost runs PowerShell remoting sessions; winrshost runs `winrs -r:` commands.
const WINRM_HOSTS = new Set(['wsmprovhost.exe', 'winrshost.exe']);

class RemoteCodeExecutionDetector implements Detector {
  readonly declaration = declaration;
  private readonly correlationMs: number;
  private readonly stagingMs: number;
  private readonly burstMs: number;
  private readonly wmiTimingMs: number;
  /** How long remote evidence is kept to explain what follows. */
  private readonly keepMs: number;
  /** Host name as logged → host key: a handful of names repeat millions of times. */
  private readonly hostKeys = new Map<string, string>();
  private readonly tickets: TicketSources;
  private since: number | undefined;
  /** Per-target evidence (host-state.ts), kept for the state TTL and cut to the correlation window on eviction. */
  private readonly hosts: KeyedTable<HostState>;
  private readonly baseline: BaselineState;
  /** Latest event time seen: what "recent" means when idle state is evicted. */
  private latest = -Infinity;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.correlationMs = threshold(settings, 'correlationSeconds') * 1000;
    this.stagingMs = threshold(settings, 'stagingMinutes') * MINUTE;
    this.burstMs = threshold(settings, 'scmBurstMinutes') * MINUTE;
    this.wmiTimingMs = threshold(settings, 'wmiTimingSeconds') * 1000;
    this.keepMs = Math.max(this.correlationMs, this.stagingMs);
    const { read, section, since } = openSection('remote_code_execution', saved);
    this.since = since;
    this.hosts = new KeyedTable(hostTable, section['hosts'], read);
    this.baseline = restoreBaseline(section, read);
    this.tickets = new TicketSources(TICKET_WINDOW_MS, read, section['tickets']);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    this.since ??= ev.time;
    if (ev.time > this.latest) this.latest = ev.time;
    switch (ev.kind) {
      case 'service_installed': return this.onService(ev, ctx);
      case 'scheduled_task': return this.onTask(ev, ctx);
      case 'process_created': return this.onProcess(ev, ctx);
      case 'share_access': return this.onShare(ev, ctx);
      case 'logon': return this.onLogon(ev, ctx);
      case 'kerberos_service_ticket': return this.tickets.observe(ev);
      default: return undefined;
    }
  }

  private onService(ev: ServiceInstalled, ctx: DetectionContext): void {
    const named = ev.subject && ev.subject.name !== ev.subject.sid ? ev.subject : undefined;
    const action: Action = {
      method: 'service', target: ev.host, origin: originOf(ev),
      what: `installed the service "${ev.serviceName}"${ev.imagePath ? ` (${clip(ev.imagePath, 160)})` : ''}`,
      details: { service: ev.serviceName, imagePath: ev.imagePath, serviceAccount: ev.serviceAccount },
      ...(named ? { account: named } : {}), ...(ev.subject?.sid ? { sid: ev.subject.sid } : {}), ...(ev.logonId ? { logonId: ev.logonId } : {}),
    };
    if (this.attributeNow(action, ctx)) return;
    // A command-line service is execution whatever its origin; without remote evidence it is reported as such.
    if (isCommandLineService(ev.imagePath)) return this.reportCommandService(action, ev, ctx);
    park(this.host(action.target, action.origin.time), action, this.correlationMs);
  }

  private reportCommandService(action: Action, ev: ServiceInstalled, ctx: DetectionContext): void {
    const actor: Account = action.account ?? ev.subject ?? { name: 'unknown' };
    const tier0 = ctx.directory.isDomainController(ev.host) || ctx.directory.isTier0Host(ev.host);
    ctx.emit({
      keys: [hostKey(ev.host), 'command-service', accountKey(actor)],
      severity: tier0 ? 'high' : 'medium',
      title: 'Service created to run a command line',
      description: `${qualified(actor)} installed the service "${ev.serviceName}" on ${ev.host} whose binary is a command line (${clip(ev.imagePath ?? '', 160)}). `
        + 'Service-based execution tools (PsExec-style) and SYSTEM-escalation tricks run commands this way; real services point at an executable. '
        + 'No network logon or service-manager pipe from another machine was logged with it, so whether it came from elsewhere is not proven.',
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('target', ev.host)]),
      events: [action.origin],
      details: { ...action.details, method: 'command_service', tier: tier0 ? 'tier0' : 'other', origin: 'unproven' },
    });
  }

  private onTask(ev: ScheduledTaskChange, ctx: DetectionContext): void {
    if (ev.action !== 'created' && ev.action !== 'updated') return;
    const action: Action = {
      method: 'task', target: ev.host, origin: originOf(ev),
      what: `${ev.action} the scheduled task "${ev.taskName}"`,
      details: { task: ev.taskName, action: ev.action, rpcCallClientLocality: ev.rpcCallClientLocality },
      ...(ev.subject ? { account: ev.subject } : {}), ...(ev.subject?.sid ? { sid: ev.subject.sid } : {}), ...(ev.logonId ? { logonId: ev.logonId } : {}),
    };
    // Windows 10 1903+ logs the RPC client: 2 is remote, and 0 with no client process means the
    // call did not come from a local process over local RPC (as schtasks /S logs it).
    const notLocal = ev.rpcCallClientLocality === 2 || (ev.rpcCallClientLocality === 0 && ev.clientProcessId === 0);
    if (notLocal && ev.subject && !isLocalSystemIdentity(ev.subject) && !this.attributeNow(action, ctx)) {
      this.report(action, { accountName: ev.subject.name }, [action.origin], `The Task Scheduler logged no local client process for the call (RpcCallClientLocality ${ev.rpcCallClientLocality})`, ctx);
      return;
    }
    this.resolve(action, ctx);
  }

  private onProcess(ev: ProcessCreated, ctx: DetectionContext): void {
    const name = baseName(ev.processName);
    const parent = baseName(ev.parentProcessName);
    const sessionId = ev.targetLogonId ?? ev.logonId;
    const machineSession = !sessionId || SYSTEM_SESSIONS.has(sessionId);
    // Most processes are the machine's own or a user's at the console: nothing to look up.
    const candidate = WMI_HOSTS.has(parent) || WINRM_HOSTS.has(parent) || WINRM_HOSTS.has(name) || !machineSession;
    if (!candidate && !WMI_HOSTS.has(name) && ev.parentProcessName !== undefined) return;
    const host = this.host(ev.host, ev.time);
    if (WMI_HOSTS.has(name) && ev.processId !== undefined) rememberWmiHost(host, ev.processId, ev.time);
    const wmi = WMI_HOSTS.has(parent) || (ev.parentProcessName === undefined && isWmiHost(host, ev.parentProcessId));
    const method: Method = wmi ? 'wmi' : WINRM_HOSTS.has(parent) || WINRM_HOSTS.has(name) ? 'winrm' : 'session_process';
    if (method === 'session_process') {
      // Any other process whose own session is a network logon from elsewhere was started remotely:
      // a DCOM server (MMC20, ShellWindows), an SSH shell. Descendants of a process already
      // reported add nothing and are only remembered, so their own children are skipped too.
      if (machineSession) return;
      if (isRemoteProcess(host, ev.parentProcessId)) return rememberRemoteProcess(host, ev.processId);
    }
    const actor = ev.targetAccount ?? (isLocalSystemIdentity(ev.subject) ? undefined : ev.subject);
    const action: Action = {
      method, target: ev.host, origin: originOf(ev),
      what: `${PROCESS_VERBS[method]}: ${clip(ev.commandLine ?? ev.processName, 200)}`,
      details: { process: ev.processName, parent: ev.parentProcessName, commandLine: ev.commandLine && clip(ev.commandLine, 500) },
      ...(actor ? { account: actor } : {}), ...(sessionId ? { logonId: sessionId } : {}),
    };
    const session = remoteSession(ctx.directory, ev.host, sessionId);
    if (session) {
      rememberRemoteProcess(host, ev.processId);
      return this.report(action, session, [action.origin], `It runs in network logon ${sessionId ?? ''} from that machine`, ctx);
    }
    // Windows 10+ names the parent and the new token: a WMI child outside a remote session is the
    // machine's own (management agents). Before that, the child is tied to the network logon
    // logged just before it: the DCOM call that asked for it.
    if (method !== 'wmi' || ev.parentProcessName !== undefined) return;
    const logon = findLogon(host, ev.time, this.wmiTimingMs, (l) => l.time <= ev.time && !isSelf(ctx.directory, ev.host, l.ip ?? ''));
    if (!logon) return;
    rememberRemoteProcess(host, ev.processId);
    this.report(action, sourceOf(logonTouch(logon)), [originOf(logon), action.origin], `A network logon from there preceded it by ${ev.time - logon.time} ms (this Windows version does not log the new process's session)`, ctx);
  }

  private onShare(ev: ShareAccess, ctx: DetectionContext): void {
    const touch = touchOf(ev, ctx.directory);
    if (!touch) return;
    const host = this.host(ev.host, ev.time);
    addTouch(host, touch, this.keepMs);
    this.retryPending(host, ev.time, ctx);
    if (touch.kind !== 'scm' && touch.kind !== 'staged') return;
    const peer = touch.kind === 'scm' ? 'staged' : 'scm';
    const staged = findTouch(host, touch.time, this.stagingMs, (t) => t.kind === peer && sameSource(t, touch));
    if (staged) {
      const file = (touch.kind === 'staged' ? touch : staged).file ?? '';
      this.report({
        method: 'staged_service', target: ev.host, origin: touch.origin, account: touch.account,
        what: `copied ${file} into an admin share and opened the service manager (IPC$\\svcctl)`, details: { file },
      }, sourceOf(touch), [staged.origin, touch.origin], 'Both came over SMB from that address', ctx);
    }
    if (touch.kind !== 'scm') return;
    const burst = threshold(this.settings, 'scmBurst');
    const opens = countScmOpen(host, `${touch.ip ?? ''}|${accountKey(touch.account)}`, touch.time, this.burstMs, burst * 10);
    if (opens >= burst) {
      this.report({
        method: 'scm_burst', target: ev.host, origin: touch.origin, account: touch.account,
        what: `opened the service manager (IPC$\\svcctl) ${opens} times within ${Math.round(this.burstMs / MINUTE)} minutes`, details: { scmSessions: opens },
      }, sourceOf(touch), [touch.origin], 'Service-based execution tools open the service manager once per command, at machine speed; a person or a monitoring tool does not', ctx);
    }
  }

  private onLogon(ev: Logon, ctx: DetectionContext): void {
    // Remember remote network logons of people (not machines) to explain a 7045 or a pre-Windows 10 WMI child.
    // Every 4624 comes through here: cheapest tests first, and no spreads on the hot path.
    if (ev.logonType !== 3 && ev.logonType !== 8) return;
    const { ip } = ev;
    const sid = ev.account.sid;
    if (!ip || !sid || sid === ANONYMOUS_SID || isMachineAccount(ev.account)) return;
    const host = this.host(ev.host, ev.time);
    addLogon(host, ev);
    this.retryPending(host, ev.time, ctx);
  }

  /** Attributes a service or task to a remote origin now, or parks it for evidence logged in the same breath. */
  private resolve(action: Action, ctx: DetectionContext): void {
    if (this.attributeNow(action, ctx)) return;
    park(this.host(action.target, action.origin.time), action, this.correlationMs);
  }

  private attributeNow(action: Action, ctx: DetectionContext): boolean {
    const session = remoteSession(ctx.directory, action.target, action.logonId);
    if (session) {
      this.report(action, session, [action.origin], `It was done inside network logon ${action.logonId ?? ''} from that machine`, ctx);
      return true;
    }
    const host = this.host(action.target, action.origin.time);
    const pipe = action.method === 'service' ? 'scm' : 'tasks';
    const sameActor = (t: { readonly logonId?: string; readonly account: Account }): boolean =>
      (action.logonId !== undefined && t.logonId === action.logonId) || (action.sid !== undefined && t.account.sid === action.sid);
    const viaPipe = findTouch(host, action.origin.time, this.correlationMs, (t) => t.kind === pipe && sameActor(t));
    const viaLogon = viaPipe ? undefined
      : findLogon(host, action.origin.time, this.correlationMs, (l) => sameActor(l) && !isSelf(ctx.directory, action.target, l.ip ?? ''));
    const via = viaPipe ?? (viaLogon && logonTouch(viaLogon));
    if (!via) return false;
    const how = viaPipe
      ? `The ${pipe === 'scm' ? 'service manager pipe (IPC$\\svcctl)' : 'Task Scheduler pipe (IPC$\\atsvc)'} was opened from there by the same account ${seconds(via.time - action.origin.time)}`
      : `The same account logged on over the network from there ${seconds(via.time - action.origin.time)}`;
    this.report({ ...action, account: action.account ?? via.account }, sourceOf(via), [via.origin, action.origin], how, ctx);
    return true;
  }

  /** New evidence may explain an action logged just before it (whole-second timestamps, merged logs). */
  private retryPending(host: HostState, now: number, ctx: DetectionContext): void {
    if (host.pending.length === 0) return;
    const waiting = host.pending.filter((a) => now - a.origin.time <= this.correlationMs);
    host.pending = [];
    for (const a of waiting) if (!this.attributeNow(a, ctx)) host.pending.push(a);
  }

  private report(action: Action, remote: RemoteSource, events: readonly EventOrigin[], evidence: string, ctx: DetectionContext): void {
    const actor: Account = action.account ?? remote.account ?? { name: remote.accountName };
    const target = action.target;
    let source = remote;
    let how = evidence;
    const ticket = source.ip ? undefined : this.tickets.sourceOf(accountKey(actor), target, action.origin.time);
    if (ticket) {
      // HTTP (WinRM) logons record no address: the DC saw where the ticket for this host was asked from.
      source = { ...source, ip: ticket.ip };
      how += `; the address is where this account asked a DC for its Kerberos ticket to ${target}, ${seconds(ticket.time - action.origin.time)}`;
    }
    const sourceKey = source.ip ?? (source.workstation ? hostKey(source.workstation) : '');
    const dc = ctx.directory.isDomainController(target);
    const tier0 = dc || ctx.directory.isTier0Host(target);
    const time = action.origin.time;
    const learning = stillLearning(this.settings, this.since, time);
    const verdict = observePair(this.baseline, {
      learnAfterDays: threshold(this.settings, 'learnAfterDays'), deployerTargets: threshold(this.settings, 'deployerTargets'),
    }, hostKey(target), sourceKey, accountKey(actor), tier0, time, learning, payloadOf(pushedName(action), action.method));
    if (verdict === 'learned' || verdict === 'deployer' || verdict === 'push_system') return;
    const severity: Severity = tier0 ? 'high' : 'medium';
    const from = source.ip ? `from ${source.workstation ? `${source.workstation} (${source.ip})` : source.ip}` : source.workstation ? `from ${source.workstation}` : 'from another machine (the logon recorded no address)';
    const tier = dc ? ', a domain controller (tier 0)' : tier0 ? ', a configured tier-0 host' : '';
    ctx.emit({
      keys: [hostKey(target), accountKey(actor), sourceKey],
      severity,
      title: TITLES[action.method],
      description: `${qualified(actor)} ${from} ${action.what} on ${target}${tier}. ${how}. ${why(verdict, tier0)}`,
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', source.workstation, source.ip), hostEntity('target', target)]),
      events,
      details: { ...action.details, method: action.method, tier: tier0 ? 'tier0' : 'other', baseline: verdict },
      ...(learning ? { learning: true } : {}),
    });
  }

  private host(name: string, time: number): HostState {
    let key = this.hostKeys.get(name);
    if (key === undefined) {
      if (this.hostKeys.size >= 10_000) this.hostKeys.clear();
      key = hostKey(name);
      this.hostKeys.set(name, key);
    }
    let h = this.hosts.get(key);
    if (!h) {
      h = newHostState(time);
      this.hosts.set(key, h);
    }
    if (time > h.lastSeen) h.lastSeen = time;
    return h;
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      hosts: this.hosts.snapshot(),
      ...snapshotBaseline(this.baseline),
      tickets: this.tickets.toJSON(),
    };
  }

  evictIdle(before: number): void {
    const recentFrom = Math.max(before, this.latest - Math.max(this.keepMs, this.burstMs));
    this.hosts.evict(before);
    for (const [k, h] of this.hosts.entries()) {
      evictHostState(h, recentFrom);
      if (isEmptyHostState(h)) this.hosts.delete(k);
    }
    evictBaseline(this.baseline, before);
  }
}

const PROCESS_VERBS: Record<Method, string> = {
  service: '', task: '', staged_service: '', scm_burst: '',
  wmi: 'started a process through WMI',
  winrm: 'opened a remote shell through WinRM',
  session_process: 'started a process inside a network logon (DCOM, SSH or another remote method)',
};

const TITLES: Record<Method, string> = {
  service: 'Remote code execution: service installed from another machine',
  task: 'Remote code execution: scheduled task set from another machine',
  wmi: 'Remote code execution over WMI',
  winrm: 'Remote code execution over WinRM (PowerShell remoting)',
  session_process: 'Remote code execution: process started in a network logon',
  staged_service: 'Remote code execution: executable copied to an admin share, then the service manager opened',
  scm_burst: 'Remote code execution: the service manager driven at machine speed',
};

function why(verdict: BaselineVerdict, tier0: boolean): string {
  const pair = verdict === 'recurring'
    ? 'This account has done so from there before, but not yet on enough days to be routine administration.'
    : 'This account has not run code on this host from there before.';
  return tier0 ? `${pair} Tier-0 hosts should only be administered from dedicated admin workstations.` : pair;
}

function pushedName(action: Action): string | undefined {
  const name = action.details['service'] ?? action.details['task'];
  return typeof name === 'string' ? name : undefined;
}

function sourceOf(t: Touch): RemoteSource {
  return { account: t.account, accountName: t.account.name, ...(t.ip ? { ip: t.ip } : {}), ...(t.workstation ? { workstation: t.workstation } : {}) };
}

function sameSource(a: Touch, b: Touch): boolean {
  return a.ip === b.ip && accountKey(a.account) === accountKey(b.account);
}

function seconds(deltaMs: number): string {
  const s = Math.abs(deltaMs) / 1000;
  const amount = s < 1 ? `${Math.round(Math.abs(deltaMs))} ms` : `${s.toFixed(1)} s`;
  return deltaMs <= 0 ? `${amount} before` : `${amount} after (same second in the log)`;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
