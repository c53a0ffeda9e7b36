import { accountKey, hostKey, isLoopback, type Account } from '../events/fields';
import type { AccountManagement, DirectoryObjectAccess, DirectoryObjectChange, EventOrigin, IdentityEvent, ReplicaSourceChange } from '../events/identity-event';
import { HOUR, MINUTE, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { cnOf } from '../events/dn';
import { aclTable, replicaRightsGranted, type AclMemory } from '../estate/replica-rights-grants';
import { KeyedTable, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';

import { none } from '../rules/tree';
import { SYSTEM_SIDS } from '../estate/well-known-sids';
import { originOf } from '../alerts/evidence';

/**
 * DCShadow: to push changes through replication, an attacker makes a machine look like a DC for
 * a few seconds — it gets the DC SPNs (`GC/…` and the DRS interface
 * `E3514235-4B06-11D1-AB04-00C04FC2DCD2/…`), a server object with an nTDSDSA child under
 * CN=Sites in the configuration partition — pushes, then removes it all. A real promotion does
 * the same registration, but the new DC stays and acts as a DC. So a registration on a machine
 * that is not a DC opens a case; it becomes an alert when torn down quickly (a short-lived DC),
 * or when the machine has still not acted as a DC after the promotion grace period. Granting the
 * rights the registration needs (DS-Install-Replica, Manage-Topology, Synchronize) to a principal
 * that is not a DC group is the preparation, alerted on its own.
 */

const GC_SPN = /^GC\//i;
const DRS_SPN = /^E3514235-4B06-11D1-AB04-00C04FC2DCD2\//i;
// schemaIDGUIDs (MS docs, AD schema).
const NTDS_DSA = 'f0f8ffab-1191-11d0-a060-00aa006c33ed';
const SERVER = 'bf967a92-0de6-11d0-a285-00aa003049e2';
const SERVERS_CONTAINER = 'f780acc0-56f0-11d1-a9c6-0000f80367c1';
const CREATE_CHILD = 0x1;
const DELETE = 0x10000;
/** SAM account-control bit ACB_SVRTRUST: the account became a DC's (4742 NewUacValue). */
const ACB_SVRTRUST = 0x100;
const MAX_EVIDENCE = 20;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_REGISTRATIONS = 1_000;

export const declaration: DetectorDeclaration = {
  id: 'dcshadow',
  title: 'Suspected DCShadow attack (rogue domain controller registration)',
  summary: 'A machine that is not a DC registered as one (GC/ or DRS SPNs via 4742/5136, server/nTDSDSA objects via 5137/4662) and unregistered within minutes or never acted as a DC; or DCShadow replication rights granted on the domain (5136).',
  severity: 'high',
  mitre: { tactics: ['defense-evasion'], techniques: ['T1207'] },
  requires: [{
    channel: 'Security', eventIds: [4742],
    fields: ['TargetUserName', 'ServicePrincipalNames', 'NewUacValue', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Computer Account Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136, 5137, 5141],
    fields: ['ObjectDN', 'ObjectGUID', 'ObjectClass', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType', 'OpCorrelationID', 'SubjectUserName'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs, with an auditing SACL on the domain and configuration partitions',
  }, {
    channel: 'Security', eventIds: [4662],
    fields: ['ObjectType', 'ObjectName', 'AccessMask', 'Properties', 'AdditionalInfo', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs, with an auditing SACL on the configuration partition\'s Sites container',
  }, {
    channel: 'Security', eventIds: [4928, 4929],
    fields: ['SourceAddr', 'DestinationDRA', 'NamingContext', 'StatusCode'],
    auditPolicy: 'Audit Detailed Directory Service Replication (Success, Failure) on DCs',
  }],
  consumes: ['account_management', 'directory_object_change', 'directory_object_access', 'replica_source_change'],
  falsePositives: [
    'A DC promotion that failed and was rolled back within minutes.',
    'A new DC whose own logs are not collected: it never shows up acting as a DC; add it to domainControllers.',
  ],
  thresholds: {
    shortLivedMinutes: { default: 30, minimum: 1, integer: false, description: 'A DC registration removed within this many minutes is a short-lived (rogue) DC' },
    promotionGraceHours: { default: 24, minimum: 1, integer: false, description: 'Hours a registered machine has to start acting as a DC before the registration is reported' },
  },
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Isolate the machine that was registered as a DC and find the process that ran as SYSTEM on it (mimikatz lsadump::dcshadow).',
    'Review the objects replicated during the registration window: look for changes to sIDHistory, primaryGroupID, ACLs and group memberships that have no matching 4738/5136 on any DC.',
    'Reset the actor\'s credentials; registering a DC requires Domain Admin rights or the replication rights it was granted.',
  ],
  native: none("pairs a DC registration with its teardown minutes later, or with a DC that never acts as one, which needs the registration remembered"),
};

interface Actor {
  name: string;
  domain?: string;
  sid?: string;
  logonId?: string;
  host: string;
}

interface Registration {
  /** The machine's name as first logged. */
  name: string;
  firstSeen: number;
  lastSeen: number;
  actors: Actor[];
  spns: string[];
  evidence: EventOrigin[];
  /** The machine account became a server trust account: a real promotion in progress. */
  promoted?: boolean;
  /** When its SPNs or objects were first removed again. */
  removedAt?: number;
  /** Alerted already; later events of the same episode add nothing. */
  reported?: boolean;
}

const PROMOTED = 1;
const REPORTED = 2;
const MAX_SPNS = 16;
const MAX_ACTORS = 4;

/**
 * `[lastSeen, firstSeen, name, actors, spns, evidence, removedAt, flags]` (null for absent; flags
 * promoted 1, reported 2), an actor `[name, host, domain, sid, logonId]`. Not evicted: a
 * registration ends when its grace period is judged (expire), whatever the TTL.
 */
const registrationTable: TableSpec<Registration> = {
  name: 'registrations',
  lastSeen: (r) => r.lastSeen,
  encode: (r) => [
    r.lastSeen, r.firstSeen, r.name, r.actors.map((a) => [a.name, a.host, a.domain ?? null, a.sid ?? null, a.logonId ?? null]), r.spns,
    r.evidence.map(encodeOrigin), r.removedAt ?? null, (r.promoted ? PROMOTED : 0) | (r.reported ? REPORTED : 0),
  ],
  decode(v, read, path) {
    const [lastSeen, firstSeen, name, actors, spns, evidence, removedAt, flags] = read.tuple(v, path, 8);
    const str = (x: unknown, p: string): string => read.string(x, p);
    const f = read.count(flags, `${path}.7`);
    const removed = read.optional(removedAt, `${path}.6`, (x, p) => read.number(x, p));
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), firstSeen: read.number(firstSeen, `${path}.1`), name: read.string(name, `${path}.2`),
      actors: read.list(actors, `${path}.3`, MAX_ACTORS, (x, p) => {
        const [n, host, domain, sid, logonId] = read.tuple(x, p, 5);
        const d = read.optional(domain, `${p}.2`, str);
        const s = read.optional(sid, `${p}.3`, str);
        const l = read.optional(logonId, `${p}.4`, str);
        return { name: read.string(n, `${p}.0`), host: read.string(host, `${p}.1`), ...(d !== undefined ? { domain: d } : {}), ...(s !== undefined ? { sid: s } : {}), ...(l !== undefined ? { logonId: l } : {}) };
      }),
      spns: read.list(spns, `${path}.4`, MAX_SPNS, str),
      evidence: read.list(evidence, `${path}.5`, MAX_EVIDENCE, (x, p) => decodeOrigin(x, read, p)),
      ...(removed !== undefined ? { removedAt: removed } : {}), ...((f & PROMOTED) !== 0 ? { promoted: true } : {}), ...((f & REPORTED) !== 0 ? { reported: true } : {}),
    };
  },
};

/** server/nTDSDSA object GUID → host key, so a later delete of that object names its host: `[lastSeen, host]`, for the state TTL. */
const objectTable: TableSpec<{ host: string; lastSeen: number }> = valueTable('objects', 'host', { read: (v, read, path) => read.string(v, path) });

export const dcshadow: DetectorModule = {
  declaration,
  create: (settings, saved) => new DcshadowDetector(settings, saved),
};

class DcshadowDetector implements Detector {
  readonly declaration = declaration;
  private readonly shortLivedMs: number;
  private readonly graceMs: number;
  /** host key of the would-be DC → its registration. */
  private readonly registrations: KeyedTable<Registration>;
  private readonly objects: KeyedTable<{ host: string; lastSeen: number }>;
  private readonly acls: AclMemory;
  /** The earliest promotion deadline among open registrations, so `handle` checks them only then. */
  private nextDeadline: number | undefined;

  constructor(settings: DetectorSettings, saved: unknown) {
    this.shortLivedMs = threshold(settings, 'shortLivedMinutes') * MINUTE;
    this.graceMs = threshold(settings, 'promotionGraceHours') * HOUR;
    const { read, section } = openSection('dcshadow', saved);
    this.registrations = new KeyedTable(registrationTable, section['registrations'], read);
    this.objects = new KeyedTable(objectTable, section['objects'], read);
    this.acls = new KeyedTable(aclTable, section['acls'], read);
    this.nextDeadline = read.optional(section['nextDeadline'], 'nextDeadline', (x, p) => read.number(x, p));
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (this.nextDeadline !== undefined && ev.time >= this.nextDeadline) this.expire(ev.time, ctx);
    switch (ev.kind) {
      case 'account_management':
        if (ev.objectClass === 'computer' && ev.action === 'changed') this.computerChanged(ev, ctx);
        return;
      case 'directory_object_change':
        this.directoryChanged(ev, ctx);
        return;
      case 'directory_object_access':
        this.directoryAccessed(ev, ctx);
        return;
      case 'replica_source_change':
        this.replicaSourceChanged(ev, ctx);
        return;
      default:
        return;
    }
  }

  /** 4742: the machine account's SPN list after the change (only logged when it changed). */
  private computerChanged(ev: AccountManagement, ctx: DetectionContext): void {
    const name = ev.target.name.replace(/\$$/, '');
    const host = hostKey(name);
    const reg = this.registrations.get(host);
    if (reg && ev.newUac !== undefined && (ev.newUac & ACB_SVRTRUST) !== 0) reg.promoted = true;
    if (ev.servicePrincipalNames === undefined || ev.servicePrincipalNames.startsWith('%%')) return;
    const rogue = ev.servicePrincipalNames.split(/\s+/).filter((s) => GC_SPN.test(s) || DRS_SPN.test(s));
    const removed = reg?.spns.filter((s) => !rogue.includes(s)) ?? [];
    if (rogue.length) this.register(host, name, ev, ctx, ev.subject, ev.logonId, rogue);
    if (removed.length) this.tornDown(host, ev, ctx, `removed ${removed.join(', ')} from its SPNs`);
  }

  private directoryChanged(ev: DirectoryObjectChange, ctx: DetectionContext): void {
    const attribute = ev.attribute?.toLowerCase();
    if (attribute === 'serviceprincipalname' && ev.value && (GC_SPN.test(ev.value) || DRS_SPN.test(ev.value))) {
      const name = cnOf(ev.objectDn) ?? ev.objectDn;
      const host = hostKey(name);
      if (ev.action === 'value_added') this.register(host, name, ev, ctx, ev.subject, ev.logonId, [ev.value]);
      else if (ev.action === 'value_deleted' && this.registrations.get(host)?.spns.includes(ev.value)) this.tornDown(host, ev, ctx, `removed ${ev.value} from its SPNs`);
      return;
    }
    if (attribute === 'ntsecuritydescriptor' && ev.value && ev.objectGuid) {
      replicaRightsGranted(ev, this.acls, ctx);
      return;
    }
    const name = siteServerName(ev.objectDn);
    if (!name || (ev.action !== 'created' && ev.action !== 'deleted')) return;
    const host = hostKey(name);
    if (ev.objectGuid) this.objects.set(ev.objectGuid, { host, lastSeen: ev.time });
    if (ev.action === 'created') this.register(host, name, ev, ctx, ev.subject, ev.logonId, []);
    else this.tornDown(host, ev, ctx, `deleted ${ev.objectDn}`);
  }

  /** 4662 on the configuration partition: creating a server object, deleting a server or nTDSDSA. */
  private directoryAccessed(ev: DirectoryObjectAccess, ctx: DetectionContext): void {
    const mask = ev.accessMask ?? 0;
    if ((mask & CREATE_CHILD) && ev.objectType === SERVERS_CONTAINER && ev.properties.some((p) => p === SERVER || p === NTDS_DSA)) {
      const name = siteServerName(ev.additionalInfo ?? '');
      if (name) this.register(hostKey(name), name, ev, ctx, ev.subject, ev.logonId, []);
      return;
    }
    if ((mask & DELETE) && (ev.objectType === NTDS_DSA || ev.objectType === SERVER) && ev.objectName) {
      const host = this.objects.get(ev.objectName)?.host ?? this.registrationOf(ev.subject);
      if (host) this.tornDown(host, ev, ctx, `deleted its ${ev.objectType === NTDS_DSA ? 'nTDSDSA (NTDS Settings)' : 'server'} object`);
    }
  }

  /**
   * 4928/4929: a DC took another DSA as a replication source, or dropped it. DCShadow makes the
   * real DC pull from the rogue one this way; KCC links to real DCs name known DCs.
   */
  private replicaSourceChanged(ev: ReplicaSourceChange, ctx: DetectionContext): void {
    const first = ev.sourceAddress.split('.')[0] ?? '';
    // `<DSA GUID>._msdcs.<forest>`: the GUID is also in the DRS SPN of a registration, if one is open.
    const host = GUID.test(first) ? this.registrationWithDsa(first.toLowerCase()) : hostKey(first);
    if (!host || ctx.directory.isDomainController(host)) return;
    if (ev.action === 'added') this.register(host, first, ev, ctx, undefined, undefined, []);
    else this.tornDown(host, ev, ctx, `was dropped as a replication source of ${ev.host}`);
  }

  private registrationWithDsa(dsaGuid: string): string | undefined {
    for (const [host, reg] of this.registrations.entries()) if (reg.spns.some((s) => s.toLowerCase().includes(dsaGuid))) return host;
    return undefined;
  }

  private register(host: string, name: string, ev: EventOrigin, ctx: DetectionContext, subject: Account | undefined, logonId: string | undefined, spns: readonly string[]): void {
    if (ctx.directory.isDomainController(host)) return;
    // A machine (or a DC on its behalf) registering its own SPNs is how a real promotion finishes.
    if (subject && (hostKey(subject.name.replace(/\$$/, '')) === host || ctx.directory.isDomainControllerAccount(subject) || (subject.sid && SYSTEM_SIDS.has(subject.sid)))) return;
    let reg = this.registrations.get(host);
    if (!reg) {
      if (this.registrations.size >= MAX_REGISTRATIONS) return;
      reg = { name, firstSeen: ev.time, lastSeen: ev.time, actors: [], spns: [], evidence: [] };
      this.registrations.set(host, reg);
      const deadline = ev.time + this.graceMs;
      if (this.nextDeadline === undefined || deadline < this.nextDeadline) this.nextDeadline = deadline;
    }
    reg.lastSeen = ev.time;
    for (const s of spns) if (!reg.spns.includes(s) && reg.spns.length < MAX_SPNS) reg.spns.push(s);
    if (subject && !reg.actors.some((a) => a.name.toLowerCase() === subject.name.toLowerCase()) && reg.actors.length < MAX_ACTORS) {
      reg.actors.push({ name: subject.name, host: ev.host, ...(subject.domain ? { domain: subject.domain } : {}), ...(subject.sid ? { sid: subject.sid } : {}), ...(logonId ? { logonId } : {}) });
    }
    remember(reg, ev);
  }

  /**
   * The registration (or part of it) was removed. Quickly: alert now. Later: the grace-period
   * check still reports it unless the machine acted as a DC meanwhile.
   */
  private tornDown(host: string, ev: EventOrigin, ctx: DetectionContext, how: string): void {
    const reg = this.registrations.get(host);
    if (!reg || reg.promoted) return;
    remember(reg, ev);
    reg.removedAt ??= ev.time;
    const lived = ev.time - reg.firstSeen;
    if (reg.reported || lived > this.shortLivedMs || ctx.directory.isDomainController(host)) return;
    reg.reported = true;
    this.report(host, reg, ctx, 'high',
      `was registered as a domain controller${reg.spns.length ? ` (${reg.spns.join(', ')})` : ''} and ${how} ${seconds(lived)} later. `
      + 'A real DC stays; a DC that exists for seconds is how DCShadow pushes changes through replication without leaving change events on any DC.');
  }

  /**
   * End of finished input: the machine's own events, had it acted as a DC, would be in it. Every
   * open registration is judged now, as if its grace period ran out at the last event.
   */
  flush(ctx: DetectionContext, watermark: number): void {
    this.expire(watermark, ctx, true);
  }

  /** Registrations whose grace period ran out (or, at the end of finished input, every one): report those whose machine never acted as a DC. */
  private expire(now: number, ctx: DetectionContext, endOfInput = false): void {
    let next: number | undefined;
    for (const [host, reg] of this.registrations.entries()) {
      const deadline = reg.firstSeen + this.graceMs;
      if (deadline > now && !endOfInput) {
        next = next === undefined ? deadline : Math.min(next, deadline);
        continue;
      }
      this.registrations.delete(host);
      if (reg.reported || reg.promoted || ctx.directory.isDomainController(host)) continue;
      this.report(host, reg, ctx, 'medium',
        `was registered as a domain controller${reg.spns.length ? ` (${reg.spns.join(', ')})` : ''} ${endOfInput ? `${ago(now - reg.firstSeen)} before the input ends` : `${Math.round((now - reg.firstSeen) / HOUR)} hours ago`}`
        + `${reg.removedAt ? `, unregistered ${seconds(reg.removedAt - reg.firstSeen)} later,` : ''} and has not acted as a DC. `
        + 'A promoted DC writes its own Kerberos and directory events; if this machine is a DC whose logs are not collected, add it to domainControllers.');
    }
    this.nextDeadline = next;
  }

  private report(host: string, reg: Registration, ctx: DetectionContext, severity: 'high' | 'medium', why: string): void {
    const sources = reg.actors.map((a) => (a.logonId ? ctx.directory.logonSession(a.host, a.logonId) : undefined));
    const source = sources.find((s) => s?.ip && !isLoopback(s.ip));
    const actors = reg.actors.map((a) => accountEntity({ name: a.name, ...(a.domain ? { domain: a.domain } : {}), ...(a.sid ? { sid: a.sid as Account['sid'] } : {}) } as Account, 'actor'));
    const byWhom = reg.actors.length ? ` by ${reg.actors.map((a) => qualified(a as Account)).join(', ')}${source?.ip ? ` from ${source.ip}` : ''}` : '';
    ctx.emit({
      keys: [host, reg.actors[0] ? accountKey(reg.actors[0] as Account) : ''],
      severity,
      description: `${reg.name}, which is not a domain controller,${byWhom} ${why}`,
      accounts: [...actors, { name: `${reg.name}$`, role: 'target' }],
      hosts: present([hostEntity('source', source?.workstation, source?.ip), hostEntity('target', reg.name)]),
      events: reg.evidence,
      details: { rogueDc: host, spns: reg.spns, registeredAt: new Date(reg.firstSeen).toISOString() },
    });
  }

  /** The one open registration this principal made, for a delete that names no host. */
  private registrationOf(subject: Account | undefined): string | undefined {
    if (!subject) return undefined;
    const mine = [...this.registrations.entries()].filter(([, r]) => r.actors.some((a) => a.name.toLowerCase() === subject.name.toLowerCase()));
    return mine.length === 1 ? mine[0]?.[0] : undefined;
  }

  snapshot(): unknown {
    return {
      registrations: this.registrations.snapshot(), objects: this.objects.snapshot(), acls: this.acls.snapshot(),
      ...(this.nextDeadline !== undefined ? { nextDeadline: this.nextDeadline } : {}),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.objects.evict(before, watermark);
    this.acls.evict(before, watermark);
  }
}

/** `CN=NTDS Settings,CN=X,CN=Servers,CN=Site,CN=Sites,CN=Configuration,…` or `CN=X,CN=Servers,…` → `X`. */
function siteServerName(dn: string): string | undefined {
  const m = /^(?:CN=NTDS Settings,)?CN=((?:\\,|[^,])+),CN=Servers,CN=[^,]+,CN=Sites,CN=Configuration,/i.exec(dn);
  return m?.[1];
}

function remember(reg: Registration, ev: EventOrigin): void {
  reg.lastSeen = Math.max(reg.lastSeen, ev.time);
  if (reg.evidence.length < MAX_EVIDENCE) reg.evidence.push(originOf(ev));
}


function ago(ms: number): string {
  return ms < 2 * HOUR ? seconds(ms) : `${Math.round(ms / HOUR)} hours`;
}

function seconds(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} seconds` : `${Math.round(ms / MINUTE)} minutes`;
}
