import type { Severity } from '../alerts/alert';
import { accountKey, hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent, Logon } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';

import { none } from '../rules/tree';
import { ANONYMOUS_SID } from '../estate/well-known-sids';
import { countDay, countedDaysTable, NO_DAYS, type CountedDays } from '../state/day-bits';
import { KeyedTable, rowAt, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

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

/** A (host, operator, network identity) new-credentials pattern: the days it was seen, as a day set, and how many (at most 31). */
interface Habit extends CountedDays {
  lastSeen: number;
}

interface DeviceSet {
  firstSeen: number;
  lastSeen: number;
  /** Device key (`n:name` or `i:address`) → last use. */
  devices: Map<string, number>;
}

interface Injection {
  readonly host: string;
  readonly identity: string;
  readonly time: number;
}

/** Days a habit counts: the span of a day set. */
const MAX_HABIT_DAYS = 31;

/** `[lastSeen, days, dayCount]`, for the state TTL: a learned runas /netonly habit. */
const habitTable: TableSpec<Habit> = countedDaysTable('habits');

/** `[lastSeen, firstSeen, [device, lastUse, …]]`, for the state TTL: the devices an account uses NTLM from. */
const deviceTable: TableSpec<DeviceSet> = {
  name: 'accounts',
  lastSeen: (d) => d.lastSeen,
  encode: (d) => [d.lastSeen, d.firstSeen, [...d.devices].flat()],
  decode(v, read, path) {
    const [lastSeen, firstSeen, devices] = read.tuple(v, path, 3);
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), firstSeen: read.number(firstSeen, `${path}.1`),
      devices: new Map(read.pairs(devices, `${path}.2`, MAX_DEVICES, (x, p) => read.string(x, p), (x, p) => read.number(x, p))),
    };
  },
};

export const passTheHash: DetectorModule = {
  declaration,
  create: (settings, saved) => new PassTheHashDetector(settings, saved),
};

class PassTheHashDetector implements Detector {
  readonly declaration = declaration;
  private sweptUpTo = -Infinity;
  private since: number | undefined;
  private readonly habits: KeyedTable<Habit>;
  private readonly accounts: KeyedTable<DeviceSet>;
  /** Recent injections, oldest first: `[host, identity, time]` saved; kept for injectedUseMinutes. */
  private injections: Injection[];

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section, since } = openSection('pass_the_hash', saved);
    this.since = since;
    this.habits = new KeyedTable(habitTable, section['habits'], read);
    this.accounts = new KeyedTable(deviceTable, section['accounts'], read);
    this.injections = read.list(section['injections'] ?? [], 'injections', MAX_INJECTIONS, (v, p) => {
      const [host, identity, time] = read.tuple(v, p, 3);
      return { host: read.string(host, `${p}.0`), identity: read.string(identity, `${p}.1`), time: read.number(time, `${p}.2`) };
    });
  }

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
    this.since ??= ev.time;
    const operator = ev.subject ?? ev.account;
    const identity = ev.outboundAccount;
    const host = hostKey(ev.host);
    const habitKey = `${host}|${accountKey(operator)}|${identity ? accountKey(identity) : '?'}`;
    const habit = rowAt(this.habits, habitKey, ev.time, () => ({ days: NO_DAYS, dayCount: 0, lastSeen: ev.time }));
    const priorDays = habit.dayCount;
    const known = priorDays >= threshold(this.settings, 'knownAfterDays');
    const day = Math.floor(ev.time / DAY);
    countDay(habit, day, MAX_HABIT_DAYS);
    if (identity) {
      while (this.injections.length >= MAX_INJECTIONS) this.injections.shift();
      this.injections.push({ host, identity: accountKey(identity), time: ev.time });
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
      learning: stillLearning(this.settings, this.since, ev.time),
    });
  }

  /** Target/DC side: NTLM use of an account from a device, against the devices it has used. */
  private onNtlm(ev: EventOrigin, account: Account, workstation: string | undefined, ip: string | undefined, keyLength: number | undefined, ctx: DetectionContext): void {
    if (isMachineAccount(account) || account.sid === ANONYMOUS_SID || account.name.toUpperCase() === 'ANONYMOUS LOGON') return;
    const remoteIp = ip && !isLoopback(ip) ? ip : undefined;
    const name = workstation ? hostKey(workstation) : undefined;
    // A loopback logon with the host's own name is a local logon, not a hash used from elsewhere.
    if (!remoteIp && (!name || name === hostKey(ev.host))) return;
    this.since ??= ev.time;
    const key = accountKey(account);
    const keys: string[] = [];
    if (name) keys.push(`n:${name}`);
    if (remoteIp) keys.push(`i:${remoteIp}`);

    const injected = this.injections.length > 0 ? this.injectionFrom(key, name, remoteIp, ev.time, ctx) : undefined;
    const set = this.accounts.get(key);
    const known = set !== undefined && keys.some((k) => set.devices.has(k));
    const mature = set !== undefined && !stillLearning(this.settings, set.firstSeen, ev.time) && !stillLearning(this.settings, this.since, ev.time);
    this.rememberDevices(key, keys, ev.time);
    if (!injected && (known || !mature)) return;

    const device = name && remoteIp ? `${workstation} (${remoteIp})` : workstation ?? remoteIp ?? '?';
    const severity: Severity = injected ? 'high' : 'medium';
    ctx.emit({
      keys: [key, name ?? remoteIp ?? ''],
      severity,
      description: injected
        ? `${qualified(account)} authenticated with NTLM from ${device} to ${ev.host} minutes after a new-credentials logon on ${injected.host} injected that identity: the hash planted there is being used (pass-the-hash).`
        : `${qualified(account)} authenticated with NTLM from ${device} to ${ev.host}, a device outside the ${set?.devices.size ?? 0} it has used; an NT hash works from any machine, so a new device is how a stolen hash shows.`,
      accounts: [accountEntity(account, 'actor')],
      hosts: present([hostEntity('source', workstation, remoteIp), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { device, ...(injected ? { injectedOn: injected.host } : {}), ...(keyLength !== undefined ? { keyLength } : {}) },
    });
  }

  private injectionFrom(identity: string, name: string | undefined, ip: string | undefined, time: number, ctx: DetectionContext): Injection | undefined {
    const windowMs = threshold(this.settings, 'injectedUseMinutes') * MINUTE;
    return this.injections.find((i) => i.identity === identity && time >= i.time && time - i.time <= windowMs
      && (i.host === name || (ip !== undefined && ctx.directory.machineAddresses(i.host).includes(ip))));
  }

  private rememberDevices(key: string, deviceKeys: readonly string[], time: number): void {
    const set = rowAt(this.accounts, key, time, () => ({ firstSeen: time, lastSeen: time, devices: new Map() }));
    let added = false;
    for (const d of deviceKeys) {
      if (!set.devices.has(d)) added = true;
      set.devices.set(d, time);
    }
    if (!added || set.devices.size <= MAX_DEVICES) return;
    // Forget the device unused the longest; a jump host in daily use never ages out.
    const entries = [...set.devices].sort((a, b) => a[1] - b[1]);
    for (const [d] of entries.slice(0, entries.length - MAX_DEVICES)) set.devices.delete(d);
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      habits: this.habits.snapshot(),
      accounts: this.accounts.snapshot(),
      injections: this.injections.map((i) => [i.host, i.identity, i.time]),
    };
  }

  evictIdle(before: number): void {
    // Idle entities only need to go within a day of their TTL: one sweep per day of event time, not per call.
    if (before < this.sweptUpTo + DAY) return;
    this.sweptUpTo = before;
    this.habits.evict(before);
    this.accounts.evict(before);
    this.injections = this.injections.filter((i) => i.time >= before);
  }
}

function isNtlm(ev: Logon): boolean {
  return ev.authPackage?.toUpperCase() === 'NTLM' || ev.logonProcess?.trim().toLowerCase() === 'ntlmssp';
}
