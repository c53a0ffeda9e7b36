import { accountKey, hostKey, isMachineAccount, serviceHostKey, type Account } from '../events/fields';
import type { AccountManagement, DirectoryObjectChange, EventOrigin, IdentityEvent, KerberosServiceTicket } from '../events/identity-event';
import { allowsOnObject, daclAces, trusteeName } from '../events/sddl';
import { MINUTE, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { cnOf } from '../events/dn';
import { and, anyOf, security, type NativeQuery } from '../rules/tree';
import { originOf } from '../alerts/evidence';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';

/**
 * Resource-based constrained delegation abuse (MDI "Suspicious modification of the
 * Resource Based Constrained Delegation attribute by a machine account"; impacket rbcd + getST,
 * Rubeus s4u, ntlmrelayx --delegate-access): whoever can write a computer's
 * `msDS-AllowedToActOnBehalfOfOtherIdentity` names an account it controls there, then asks the
 * KDC for S4U2Self + S4U2Proxy tickets as any user (an admin) to that computer's services. The
 * attacker's account is usually a computer it just created with the default MachineAccountQuota
 * (4741), or the write is made by a relayed machine account. Every write is reported: medium for
 * an administrator, high when a machine account writes it, when a computer created minutes earlier
 * writes it or is the delegated principal, or when S4U service tickets to the computer follow.
 */

const ATTRIBUTE = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
/** 5136 OperationType of a written value: the message-table code, or its text where an exporter renders it. */
const VALUE_ADDED = ['%%14674', 'Value Added'];
const MAX_TRACKED = 10_000;

/** Every write of the attribute: the detector's own alert; the engine adds the escalations. */
const rbcdWrite: NativeQuery = {
  name: 'allowed-to-act-write',
  match: [{ source: security(5136), where: and(anyOf('AttributeLDAPDisplayName', [ATTRIBUTE]), anyOf('OperationType', VALUE_ADDED)) }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['ObjectDN'] }],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'rbcd_modification',
  title: 'Resource-based constrained delegation configured on a computer',
  summary: 'A 5136 set msDS-AllowedToActOnBehalfOfOtherIdentity on an object; high when a machine account or a computer created minutes earlier (4741) is the writer or the delegated principal, or when S4U2Proxy tickets (4769 with transited services) to the computer follow.',
  severity: 'medium',
  mitre: { tactics: ['privilege-escalation', 'lateral-movement'], techniques: ['T1134', 'T1098', 'T1558'] },
  requires: [{
    channel: 'Security', eventIds: [5136],
    fields: ['ObjectDN', 'ObjectClass', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType', 'SubjectUserName', 'SubjectUserSid', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs, with an auditing SACL (Everyone, Write all properties) on computer objects',
  }, {
    channel: 'Security', eventIds: [4741],
    fields: ['TargetUserName', 'TargetSid', 'SubjectUserName'],
    auditPolicy: 'Audit Computer Account Management (Success) on DCs: the computer created to hold the delegation',
  }, {
    channel: 'Security', eventIds: [4769],
    fields: ['TargetUserName', 'ServiceName', 'TransmittedServices', 'IpAddress'],
    auditPolicy: 'Audit Kerberos Service Ticket Operations (Success) on DCs: the S4U2Proxy tickets that use the delegation',
  }],
  consumes: ['directory_object_change', 'account_management', 'kerberos_service_ticket'],
  falsePositives: [
    'An administrator configuring RBCD for a real service (a web front end delegating to SQL, Windows Admin Center): exclude that admin or the computer for this detector once reviewed.',
  ],
  thresholds: {
    newComputerMinutes: { default: 60, minimum: 1, integer: false, description: 'A computer created this many minutes before the write counts as created for the attack' },
    s4uMinutes: { default: 60, minimum: 1, integer: false, description: 'S4U2Proxy tickets to the computer within this many minutes after the write escalate the alert' },
  },
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Clear msDS-AllowedToActOnBehalfOfOtherIdentity on the computer (Set-ADComputer -PrincipalsAllowedToDelegateToAccount $null) unless the change is documented.',
    'Disable or delete the delegated account if it is a computer nobody asked for; set ms-DS-MachineAccountQuota to 0.',
    'Review service tickets issued to the computer since the change (4769 with transited services) and treat the computer as compromised if any were issued.',
  ],
  native: { kind: 'detector', queries: [rbcdWrite] },
};

interface NewComputer {
  readonly name: string;
  readonly sid?: string;
  readonly creator?: string;
  /** `accountKey` of the creator, matched against the writer. */
  readonly creatorKey?: string;
  readonly time: number;
  readonly event: EventOrigin;
}

interface Delegation {
  readonly keys: string[];
  readonly computer: string;
  readonly writer: Account;
  readonly time: number;
  escalated: boolean;
}

/**
 * `[time, name, sid, creator, creatorKey, origin]` (null for absent), for the state TTL: a
 * computer names its SID in later descriptions whatever its age, and counts as new for
 * newComputerMinutes.
 */
const computerTable: TableSpec<NewComputer> = {
  name: 'computers',
  lastSeen: (c) => c.time,
  encode: (c) => [c.time, c.name, c.sid ?? null, c.creator ?? null, c.creatorKey ?? null, encodeOrigin(c.event)],
  decode(v, read, path) {
    const [time, name, sid, creator, creatorKey, origin] = read.tuple(v, path, 6);
    const str = (x: unknown, p: string): string => read.string(x, p);
    const s = read.optional(sid, `${path}.2`, str);
    const c = read.optional(creator, `${path}.3`, str);
    const k = read.optional(creatorKey, `${path}.4`, str);
    return {
      time: read.number(time, `${path}.0`), name: read.string(name, `${path}.1`), event: decodeOrigin(origin, read, `${path}.5`),
      ...(s !== undefined ? { sid: s } : {}), ...(c !== undefined ? { creator: c } : {}), ...(k !== undefined ? { creatorKey: k } : {}),
    };
  },
};

/** `[time, computer, writer, escalated]`, kept for s4uMinutes: a later S4U2Proxy does not escalate. */
function delegationTable(horizonMs: number): TableSpec<Delegation> {
  return {
    name: 'delegations',
    horizonMs,
    lastSeen: (d) => d.time,
    encode: (d) => [d.time, d.computer, encodeAccount(d.writer), d.escalated ? 1 : 0],
    decode(v, read, path) {
      const [time, computer, writer, escalated] = read.tuple(v, path, 4);
      const c = read.string(computer, `${path}.1`);
      const w = decodeAccount(writer, read, `${path}.2`);
      return { time: read.number(time, `${path}.0`), computer: c, writer: w, keys: [c, accountKey(w)], escalated: read.count(escalated, `${path}.3`) === 1 };
    },
  };
}

export const rbcdModification: DetectorModule = {
  declaration,
  create: (settings, saved) => new RbcdDetector(settings, saved),
};

class RbcdDetector implements Detector {
  readonly declaration = declaration;
  /** New computers by `name:` and `sid:` keys. */
  private readonly computers: KeyedTable<NewComputer>;
  /** Computers whose delegation was just written, by short name. */
  private readonly delegations: KeyedTable<Delegation>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section } = openSection('rbcd_modification', saved);
    this.computers = new KeyedTable(computerTable, section['computers'], read);
    this.delegations = new KeyedTable(delegationTable(threshold(settings, 's4uMinutes') * MINUTE), section['delegations'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'kerberos_service_ticket') {
      if (ev.transitedServices) this.s4uProxy(ev, ctx);
    } else if (ev.kind === 'account_management') {
      if (ev.action === 'created' && ev.objectClass === 'computer') this.computerCreated(ev);
    } else if (ev.kind === 'directory_object_change' && ev.action === 'value_added' && ev.attribute?.toLowerCase() === ATTRIBUTE.toLowerCase()) {
      this.delegationWritten(ev, ctx);
    }
  }

  private delegationWritten(ev: DirectoryObjectChange, ctx: DetectionContext): void {
    const writer = ev.subject;
    if (!writer) return;
    const computer = hostKey(cnOf(ev.objectDn) ?? ev.objectDn);
    const delegated = [...new Set(daclAces(ev.value ?? '').filter(allowsOnObject).map((a) => a.trustee))];
    const recent = (key: string): NewComputer | undefined => {
      const c = this.computers.get(key);
      return c && ev.time - c.time <= threshold(this.settings, 'newComputerMinutes') * MINUTE ? c : undefined;
    };
    const newWriter = recent(`name:${accountKey(writer)}`) ?? (writer.sid ? recent(`sid:${writer.sid}`) : undefined);
    // The usual chain: the writer adds a computer (MachineAccountQuota), then delegates to it. When the
    // value is not rendered, a computer the writer created minutes earlier stands in for the delegate.
    const newDelegate = delegated.map((t) => recent(`sid:${t}`)).find((c) => c !== undefined)
      ?? (delegated.length === 0 ? this.createdBy(writer, recent) : undefined);
    const reasons = present([
      isMachineAccount(writer) ? 'the writer is a machine account, which does not administer delegation: its authentication was most likely relayed' : undefined,
      newWriter ? `the writer is a computer created ${minutesAgo(ev.time, newWriter.time)} earlier` : undefined,
      newDelegate ? delegateReason(newDelegate, delegated.length > 0, ev.time) : undefined,
    ]);
    const keys = [computer, accountKey(writer)];
    const who = delegated.length ? delegated.map((t) => this.nameOf(t)).join(', ') : 'a principal the event does not render';
    ctx.emit({
      keys,
      severity: reasons.length ? 'high' : 'medium',
      description: `${qualified(writer)} set msDS-AllowedToActOnBehalfOfOtherIdentity on ${ev.objectDn} (${ev.host}), allowing ${who} to impersonate any user to ${computer}'s services through S4U2Proxy. `
        + (reasons.length ? `${capitalise(reasons.join('; '))}. ` : 'Written by an administrator: confirm the change is documented. ')
        + 'Attackers write this attribute to take over a computer whose object they can edit.',
      accounts: [accountEntity(writer, 'actor'), ...(newDelegate ? [{ name: newDelegate.name, role: 'target' as const, ...(newDelegate.sid ? { sid: newDelegate.sid } : {}) }] : [])],
      hosts: present([hostEntity('target', ev.host), { name: computer, role: 'target' as const }]),
      events: present([ev, newWriter?.event, newDelegate?.event]),
      details: { object: ev.objectDn, delegated, ...(reasons.length ? { reasons } : {}) },
    });
    this.delegations.set(computer, { keys, computer, writer, time: ev.time, escalated: false });
    this.delegations.capTo(MAX_TRACKED);
  }

  /** S4U2Proxy to the computer after the write: the delegation is being used. */
  private s4uProxy(ev: KerberosServiceTicket, ctx: DetectionContext): void {
    const computer = serviceHostKey(ev.serviceName);
    const d = this.delegations.get(computer);
    if (!d || d.escalated || ev.time < d.time || ev.time - d.time > threshold(this.settings, 's4uMinutes') * MINUTE) return;
    d.escalated = true;
    ctx.emit({
      keys: d.keys,
      severity: 'high',
      description: `${minutesAgo(ev.time, d.time)} after ${qualified(d.writer)} configured resource-based delegation on ${d.computer}, the KDC issued a delegated (S4U2Proxy) ticket for ${ev.serviceName} `
        + `as ${qualified(ev.account)} through ${ev.transitedServices}${ev.ip ? `, requested from ${ev.ip}` : ''}: the delegation is being used to impersonate that user on ${d.computer}.`,
      accounts: [accountEntity(d.writer, 'actor'), accountEntity(ev.account, 'target')],
      hosts: present([hostEntity('source', undefined, ev.ip), { name: d.computer, role: 'target' as const }]),
      events: [ev],
      details: { service: ev.serviceName, impersonated: ev.account.name, transitedServices: ev.transitedServices },
    });
  }

  private computerCreated(ev: AccountManagement): void {
    const c: NewComputer = {
      name: ev.target.name, time: ev.time, event: originOf(ev),
      ...(ev.target.sid ? { sid: ev.target.sid } : {}), ...(ev.subject ? { creator: qualified(ev.subject), creatorKey: accountKey(ev.subject) } : {}),
    };
    this.computers.set(`name:${accountKey(ev.target)}`, c);
    if (ev.target.sid) this.computers.set(`sid:${ev.target.sid}`, c);
    this.computers.capTo(MAX_TRACKED);
  }

  private createdBy(writer: Account, recent: (key: string) => NewComputer | undefined): NewComputer | undefined {
    const by = accountKey(writer);
    for (const [key, c] of this.computers.entries()) {
      if (key.startsWith('name:') && c.creatorKey === by && recent(key)) return c;
    }
    return undefined;
  }

  private nameOf(trustee: string): string {
    return this.computers.get(`sid:${trustee}`)?.name ?? trusteeName(trustee);
  }

  snapshot(): unknown {
    return { computers: this.computers.snapshot(), delegations: this.delegations.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.computers.evict(before, watermark);
    this.delegations.evict(before, watermark);
  }
}

function delegateReason(c: NewComputer, named: boolean, now: number): string {
  const age = minutesAgo(now, c.time);
  return named
    ? `the delegated account ${c.name} is a computer ${c.creator ? `${c.creator} ` : ''}created ${age} earlier`
    : `the writer created the computer ${c.name} ${age} earlier (the value is not rendered, so it is the likely delegate)`;
}

function minutesAgo(now: number, then: number): string {
  const m = Math.max(0, Math.round((now - then) / MINUTE));
  return m === 0 ? 'less than a minute' : `${m} minute${m === 1 ? '' : 's'}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
