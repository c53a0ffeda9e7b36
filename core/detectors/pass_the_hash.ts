import type { Severity } from '../alerts/alert';
import { accountKey, hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent, Logon } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';

import { none } from '../rules/tree';
import { ANONYMOUS_SID } from '../estate/well-known-sids';

/**
 * Pass-the-hash: NTLM needs only the NT hash, so a stolen hash authenticates from any machine.
 * Two places show it:
 * - the source: the tool (mimikatz sekurlsa::pth) starts a process in a new-credentials logon
 *   (4624 type 9 via seclogo, the Secondary Logon service) that presents another identity on
 *   the network; `runas /netonly` looks the same, so habits are learned per host and user;
 * - the targets and DCs: NTLM network logons (4624 type 3, 4776) for an account from a device
 *   outside the set it has used; jump hosts and admin workstations enter the set by use.
 * When the identity injected on a host is then used over NTLM from that host, the two join.
 */

const MAX_DEVICES = 32;
const MAX_INJECTIONS = 64;

export const declaration: DetectorDeclaration = {
  id: 'pass_the_hash',
  title: 'Suspected pass-the-hash',
  summary: 'A new-credentials logon (4624 type 9, seclogo) not learned for the host and user, or an NTLM logon (4624 type 3 / 4776) for an account from a device outside its learned set.',
  severity: 'high',
  mitre: { tactics: ['lateral-movement', 'defense-evasion'], techniques: ['T1550.002'] },
  requires: [{
    channel: 'Security', eventIds: [4624],
    fields: ['LogonType', 'LogonProcessName', 'AuthenticationPackageName', 'TargetUserName', 'SubjectUserName', 'TargetOutboundUserName', 'TargetOutboundDomainName', 'WorkstationName', 'IpAddress', 'KeyLength'],
    auditPolicy: 'Audit Logon (Success) on workstations and servers (type 9 on the source, type 3 NTLM on the targets)',
  }, {
    channel: 'Security', eventIds: [4776],
    fields: ['TargetUserName', 'Workstation', 'Status'],
    auditPolicy: 'Audit Credential Validation (Success) on DCs',
  }],
  consumes: ['logon', 'ntlm_validation'],
  falsePositives: [
    'Administrators who use runas /netonly from their workstation: learned once the same host, user and network identity recur on knownAfterDays days.',
    'Jump hosts, admin workstations and terminal servers: learned into each account\'s device set by use.',
    'Applications that only speak NTLM from a fixed set of servers: learned the same way.',
  ],
  thresholds: {
    knownAfterDays: { default: 3, minimum: 1, integer: true, description: 'Distinct days a (host, user, network identity) new-credentials pattern must recur before it is a learned habit (runas /netonly)' },
    injectedUseMinutes: { default: 30, minimum: 1, integer: false, description: 'Window after a new-credentials logon in which NTLM use of the injected identity from the same host confirms pass-the-hash' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source host that started the new-credentials session (sekurlsa::pth, Rubeus and Invoke-Mimikatz run from an elevated session) and isolate the host.',
    'Reset the password of the account whose hash was used, and look for where it was dumped (the machines it logged on to interactively).',
    'Put privileged accounts in Protected Users (no NTLM) and restrict where they may log on.',
  ],
  native: none("judges a logon against the host's and the account's learned devices and new-credentials history (14 days)"),
};

interface Habit {
  days: number[];
  lastSeen: number;
}

interface DeviceSet {
  firstSeen: number;
  lastSeen: number;
  /** Device key (`n:name` or `i:address`) → last use. */
  devices: Record<string, number>;
}

interface Injection {
  readonly host: string;
  readonly identity: string;
  readonly time: number;
}

interface PassTheHashState {
  since?: number;
  habits: Record<string, Habit>;
  accounts: Record<string, DeviceSet>;
  injections: Injection[];
}

export const passTheHash: DetectorModule = {
  declaration,
  create: (settings, saved) => new PassTheHashDetector(settings, (saved as PassTheHashState | undefined) ?? { habits: {}, accounts: {}, injections: [] }),
};

class PassTheHashDetector implements Detector {
  readonly declaration = declaration;
  private sweptUpTo = -Infinity;

  constructor(private readonly settings: DetectorSettings, private readonly state: PassTheHashState) {}

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'logon') {
      if (ev.logonType === 9 && ev.logonProcess?.trim().toLowerCase() === 'seclogo') this.onNewCredentials(ev, ctx);
      else if (ev.logonType === 3 && isNtlm(ev)) this.onNtlm(ev, ev.account, ev.workstation, ev.ip, ev.keyLength, ctx);
    } else if (ev.kind === 'ntlm_validation' && ev.status === 0) {
      this.onNtlm(ev, ev.account, ev.workstation, undefined, undefined, ctx);
    }
  }

  /** Source side: a process now presents `identity` on the network from this host. */
  private onNewCredentials(ev: Logon, ctx: DetectionContext): void {
    this.state.since ??= ev.time;
    const operator = ev.subject ?? ev.account;
    const identity = ev.outboundAccount;
    const host = hostKey(ev.host);
    const habitKey = `${host}|${accountKey(operator)}|${identity ? accountKey(identity) : '?'}`;
    const habit = (this.state.habits[habitKey] ??= { days: [], lastSeen: ev.time });
    const priorDays = habit.days.length;
    const known = priorDays >= threshold(this.settings, 'knownAfterDays');
    habit.lastSeen = ev.time;
    const day = Math.floor(ev.time / DAY);
    if (!habit.days.includes(day) && habit.days.length < 31) habit.days.push(day);
    if (identity) {
      while (this.state.injections.length >= MAX_INJECTIONS) this.state.injections.shift();
      this.state.injections.push({ host, identity: accountKey(identity), time: ev.time });
    }
    if (known) return;

    const presents = identity ? `presents ${qualified(identity)} on the network` : 'presents credentials this Windows version does not name (no TargetOutboundUserName)';
    ctx.emit({
      keys: [host, accountKey(operator)],
      severity: 'medium',
      title: 'Suspected pass-the-hash: credentials injected into a new logon session',
      description: `${qualified(operator)} on ${ev.host} started a new-credentials logon (type 9 via the Secondary Logon service) that ${presents}. `
        + 'This is how mimikatz sekurlsa::pth and Rubeus plant a stolen hash or ticket; runas /netonly looks the same, '
        + `but it is not a habit of ${qualified(operator)} on ${ev.host} (${priorDays === 0 ? 'never seen before' : `seen on ${priorDays} day(s) so far`}).`,
      accounts: present([identity && accountEntity(identity, 'actor'), accountEntity(operator, 'actor')]),
      hosts: present([hostEntity('source', ev.host)]),
      events: [ev],
      details: { logonId: ev.logonId, networkIdentity: identity ? qualified(identity) : undefined },
      learning: stillLearning(this.settings, this.state.since, ev.time),
    });
  }

  /** Target/DC side: NTLM use of an account from a device, against the devices it has used. */
  private onNtlm(ev: EventOrigin, account: Account, workstation: string | undefined, ip: string | undefined, keyLength: number | undefined, ctx: DetectionContext): void {
    if (isMachineAccount(account) || account.sid === ANONYMOUS_SID || account.name.toUpperCase() === 'ANONYMOUS LOGON') return;
    const remoteIp = ip && !isLoopback(ip) ? ip : undefined;
    const name = workstation ? hostKey(workstation) : undefined;
    // A loopback logon with the host's own name is a local logon, not a hash used from elsewhere.
    if (!remoteIp && (!name || name === hostKey(ev.host))) return;
    this.state.since ??= ev.time;
    const key = accountKey(account);
    const keys: string[] = [];
    if (name) keys.push(`n:${name}`);
    if (remoteIp) keys.push(`i:${remoteIp}`);

    const injected = this.state.injections.length > 0 ? this.injectionFrom(key, name, remoteIp, ev.time, ctx) : undefined;
    const set = this.state.accounts[key];
    const known = set !== undefined && keys.some((k) => k in set.devices);
    const mature = set !== undefined && !stillLearning(this.settings, set.firstSeen, ev.time) && !stillLearning(this.settings, this.state.since, ev.time);
    this.rememberDevices(key, keys, ev.time);
    if (!injected && (known || !mature)) return;

    const device = name && remoteIp ? `${workstation} (${remoteIp})` : workstation ?? remoteIp ?? '?';
    const severity: Severity = injected ? 'high' : 'medium';
    ctx.emit({
      keys: [key, name ?? remoteIp ?? ''],
      severity,
      description: injected
        ? `${qualified(account)} authenticated with NTLM from ${device} to ${ev.host} minutes after a new-credentials logon on ${injected.host} injected that identity: the hash planted there is being used (pass-the-hash).`
        : `${qualified(account)} authenticated with NTLM from ${device} to ${ev.host}, a device outside the ${Object.keys(set?.devices ?? {}).length} it has used; an NT hash works from any machine, so a new device is how a stolen hash shows.`,
      accounts: [accountEntity(account, 'actor')],
      hosts: present([hostEntity('source', workstation, remoteIp), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { device, ...(injected ? { injectedOn: injected.host } : {}), ...(keyLength !== undefined ? { keyLength } : {}) },
    });
  }

  private injectionFrom(identity: string, name: string | undefined, ip: string | undefined, time: number, ctx: DetectionContext): Injection | undefined {
    const windowMs = threshold(this.settings, 'injectedUseMinutes') * MINUTE;
    return this.state.injections.find((i) => i.identity === identity && time >= i.time && time - i.time <= windowMs
      && (i.host === name || (ip !== undefined && ctx.directory.machineAddresses(i.host).includes(ip))));
  }

  private rememberDevices(key: string, deviceKeys: readonly string[], time: number): void {
    const set = (this.state.accounts[key] ??= { firstSeen: time, lastSeen: time, devices: {} });
    set.lastSeen = time;
    let added = false;
    for (const d of deviceKeys) {
      if (!(d in set.devices)) added = true;
      set.devices[d] = time;
    }
    if (!added) return;
    const entries = Object.entries(set.devices);
    if (entries.length <= MAX_DEVICES) return;
    // Forget the device unused the longest; a jump host in daily use never ages out.
    entries.sort((a, b) => a[1] - b[1]);
    for (const [d] of entries.slice(0, entries.length - MAX_DEVICES)) delete set.devices[d];
  }

  snapshot(): PassTheHashState {
    return this.state;
  }

  evictIdle(before: number): void {
    // Idle entities only need to go within a day of their TTL: one sweep per day of event time, not per call.
    if (before < this.sweptUpTo + DAY) return;
    this.sweptUpTo = before;
    const { habits, accounts } = this.state;
    for (const k in habits) if ((habits[k] as Habit).lastSeen < before) delete habits[k];
    for (const k in accounts) if ((accounts[k] as DeviceSet).lastSeen < before) delete accounts[k];
    this.state.injections = this.state.injections.filter((i) => i.time >= before);
  }
}

function isNtlm(ev: Logon): boolean {
  return ev.authPackage?.toUpperCase() === 'NTLM' || ev.logonProcess?.trim().toLowerCase() === 'ntlmssp';
}
