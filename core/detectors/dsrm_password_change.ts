import type { Severity } from '../alerts/alert';
import { hostKey, isLoopback, isMachineAccount } from '../events/fields';
import type { DsrmPasswordSet, EventOrigin, IdentityEvent, Logon, RegistryValueSet } from '../events/identity-event';
import { DAY, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { originOf } from '../alerts/evidence';
import { anyOf, security, suffix, type NativeQuery } from '../rules/tree';
import { KeyedTable, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';

/**
 * DSRM persistence (T1098, "Directory Services Restore Mode" backdoor): every DC has a local
 * Administrator, the DSRM account, whose password is set at promotion and never changes with
 * the domain's. An intruder with DC admin rights sets it (ntdsutil "set dsrm password", or
 * "sync from domain account" to a hash they hold; the DC audits 4794), then sets
 * HKLM\System\CurrentControlSet\Control\Lsa\DsrmAdminLogonBehavior to 2, which lets that local
 * account log on over the network while AD DS runs: a domain-independent way back into the DC.
 * A DC has no other local accounts, so a network logon whose account domain is the DC's own
 * name is the DSRM account in use. Every signal is keyed by the DC: one story per DC.
 */
const DSRM_PASSWORD_SET = 4794;
const LOGON_BEHAVIOR_VALUE = 'dsrmadminlogonbehavior';
const LSA_KEY = /\\control\\lsa$/i;
/** 1: DSRM logon allowed when AD DS is stopped; 2: always, including over the network. */
const LOGON_BEHAVIOR_TEXT: Record<number, string> = {
  1: 'lets the DSRM account log on whenever the AD DS service is stopped',
  2: 'lets the DSRM account log on at any time, over the network too',
};
/** A network logon by the DSRM account this long after its password was set is the backdoor used. */
const FOLLOW_UP_MS = 30 * DAY;
const REMOTE_LOGON_TYPES = new Set([3, 8, 10]);

const passwordSet: NativeQuery = {
  name: 'password-set',
  match: [{ source: security(DSRM_PASSWORD_SET) }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'src', fields: ['Workstation'] }, { name: 'dest', fields: ['Computer'] }],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'dsrm_password_change',
  title: 'Directory Services Restore Mode administrator password set',
  summary: 'The DSRM administrator password of a DC was set (4794), DsrmAdminLogonBehavior was set to allow DSRM logons (4657 / Sysmon 13), or the DSRM account logged on over the network (4624 with the DC\'s own name as domain).',
  severity: 'medium',
  mitre: { tactics: ['persistence', 'credential-access'], techniques: ['T1098', 'T1003'] },
  requires: [{
    channel: 'Security', eventIds: [DSRM_PASSWORD_SET],
    fields: ['SubjectUserName', 'SubjectDomainName', 'SubjectUserSid', 'Workstation', 'Status'],
    auditPolicy: 'Audit User Account Management (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetUserName', 'TargetDomainName', 'LogonType', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: shows the DSRM account logging on over the network',
  }, {
    channel: 'Security', eventIds: [4657],
    fields: ['ObjectName', 'ObjectValueName', 'NewValue', 'OldValue', 'SubjectUserName', 'ProcessName'],
    // Registry auditing and Sysmon log every value; only this one matters: pull nothing else.
    where: anyOf('ObjectValueName', [LOGON_BEHAVIOR_VALUE]),
    auditPolicy: 'Audit Registry (Success) on DCs, with an auditing SACL (Set Value) on HKLM\\System\\CurrentControlSet\\Control\\Lsa',
  }, {
    channel: 'Microsoft-Windows-Sysmon/Operational', eventIds: [13],
    fields: ['TargetObject', 'Details', 'Image'],
    where: suffix('TargetObject', `\\${LOGON_BEHAVIOR_VALUE}`),
    auditPolicy: 'Sysmon on DCs with a RegistryEvent rule covering HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DsrmAdminLogonBehavior',
  }],
  consumes: ['dsrm_password_set', 'registry_value_set', 'logon'],
  falsePositives: [
    'A documented DSRM password rotation (a scheduled ntdsutil task or a password vault): exclude its account for this detector.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Confirm with the DC\'s administrators whether the DSRM password was meant to change; if not, reset it again from a clean admin workstation.',
    'Check HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DsrmAdminLogonBehavior on the DC and remove it unless it is documented.',
    'Review network logons to the DC by its local Administrator, and treat the actor as holding DC admin rights.',
  ],
  native: { kind: 'detector', queries: [passwordSet] },
};

/** DC host key → when its DSRM password was last set, and the event: `[time, origin]`. */
const changeTable: TableSpec<{ lastSeen: number; event: EventOrigin }> = valueTable('changes', 'event', { read: decodeOrigin, write: encodeOrigin });

export const dsrmPasswordChange: DetectorModule = {
  declaration,
  create: (_settings, saved) => new DsrmDetector(saved),
};

class DsrmDetector implements Detector {
  readonly declaration = declaration;
  private readonly changes: KeyedTable<{ lastSeen: number; event: EventOrigin }>;

  constructor(saved: unknown) {
    const { read, section } = openSection('dsrm_password_change', saved);
    this.changes = new KeyedTable(changeTable, section['changes'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'dsrm_password_set') this.passwordSet(ev, ctx);
    else if (ev.kind === 'registry_value_set') this.logonBehavior(ev, ctx);
    else if (ev.kind === 'logon') this.dsrmLogon(ev, ctx);
  }

  private passwordSet(ev: DsrmPasswordSet, ctx: DetectionContext): void {
    const succeeded = ev.status === undefined || ev.status === 0;
    if (succeeded) this.changes.set(hostKey(ev.host), { lastSeen: ev.time, event: originOf(ev) });
    const who = ev.subject ? qualified(ev.subject) : 'An unknown account';
    ctx.emit({
      keys: [hostKey(ev.host)],
      severity: succeeded ? 'medium' : 'low',
      description: `${who}${ev.workstation ? ` on ${ev.workstation}` : ''} ${succeeded ? 'set' : 'tried to set (status 0x' + (ev.status ?? 0).toString(16) + ')'} the Directory Services Restore Mode administrator password of ${ev.host}. `
        + 'The DSRM account is a local administrator of the DC that the domain\'s password resets do not touch; setting it is how an intruder keeps a way back into the DC.',
      accounts: ev.subject ? [accountEntity(ev.subject, 'actor')] : [],
      hosts: present([hostEntity('source', ev.workstation), hostEntity('target', ev.host)]),
      events: [originOf(ev)],
      details: { status: `0x${(ev.status ?? 0).toString(16)}` },
    });
  }

  private logonBehavior(ev: RegistryValueSet, ctx: DetectionContext): void {
    if (ev.valueName.toLowerCase() !== LOGON_BEHAVIOR_VALUE || !LSA_KEY.test(ev.keyPath)) return;
    const value = dwordOf(ev.newValue);
    const effect = value === undefined ? undefined : LOGON_BEHAVIOR_TEXT[value];
    if (!effect) return;
    const severity: Severity = value === 2 ? 'high' : 'medium';
    ctx.emit({
      keys: [hostKey(ev.host)],
      severity,
      description: `${ev.subject ? qualified(ev.subject) : 'A process'}${ev.processName ? ` (${ev.processName})` : ''} set DsrmAdminLogonBehavior to ${value} on ${ev.host}, which ${effect}. `
        + 'Windows never sets it; it is the switch that turns the DSRM password into a network backdoor.',
      accounts: ev.subject ? [accountEntity(ev.subject, 'actor')] : [],
      hosts: [{ role: 'target', name: ev.host }],
      events: [originOf(ev), ...this.priorChange(ev.host, ev.time)],
      details: { dsrmAdminLogonBehavior: value },
    });
  }

  /** A DC has no local accounts but the DSRM one: a logon whose domain is the DC's own name is it. */
  private dsrmLogon(ev: Logon, ctx: DetectionContext): void {
    if (ev.logonType === undefined || !REMOTE_LOGON_TYPES.has(ev.logonType) || isMachineAccount(ev.account)) return;
    const domain = ev.account.domain?.toLowerCase();
    if (!domain || domain !== hostKey(ev.host) || !ctx.directory.isDomainController(ev.host)) return;
    const ip = ev.ip && !isLoopback(ev.ip) ? ev.ip : undefined;
    const prior = this.priorChange(ev.host, ev.time);
    ctx.emit({
      keys: [hostKey(ev.host)],
      severity: 'high',
      title: 'DSRM administrator logged on to a domain controller over the network',
      description: `${qualified(ev.account)}, the DSRM (local) administrator of ${ev.host}, logged on over the network${ip ?? ev.workstation ? ` from ${ip ?? ev.workstation}` : ''} (logon type ${ev.logonType}). `
        + 'Domain controllers have no other local accounts, and the DSRM account can only log on over the network when DsrmAdminLogonBehavior was set to 2.'
        + (prior.length ? ' Its password had been set before this logon.' : ''),
      accounts: [accountEntity(ev.account, 'actor')],
      hosts: present([hostEntity('source', ev.workstation, ip), hostEntity('target', ev.host)]),
      events: [originOf(ev), ...prior],
      details: { logonType: ev.logonType },
    });
  }

  private priorChange(host: string, now: number): EventOrigin[] {
    const c = this.changes.get(hostKey(host));
    return c && now >= c.lastSeen && now - c.lastSeen <= FOLLOW_UP_MS ? [c.event] : [];
  }

  snapshot(): unknown {
    return { changes: this.changes.snapshot() };
  }

  evictIdle(before: number): void {
    // A change explains a logon FOLLOW_UP_MS after it: it is kept that much past the state TTL.
    this.changes.evict(before - FOLLOW_UP_MS);
  }
}

/** `2` (4657), `0x2`, `DWORD (0x00000002)` (Sysmon 13) → 2. */
function dwordOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /0x([0-9a-f]+)/i.exec(value) ?? /^\s*(\d+)\s*$/.exec(value);
  if (!m?.[1]) return undefined;
  return m[0].toLowerCase().includes('0x') ? parseInt(m[1], 16) : Number(m[1]);
}
