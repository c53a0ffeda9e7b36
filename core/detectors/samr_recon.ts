import { accountKey, hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent } from '../events/identity-event';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { DistinctWindow, isIpcPipe, judgeBreadth, queryOrigin } from '../estate/source-profile';
import { actorHabitsTable, newActorHabits, type ActorHabits } from '../estate/actor-habits';
import { KeyedTable, rowAt, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';
import { originOf } from '../alerts/evidence';

import { none } from '../rules/tree';
import { ANONYMOUS_SID as ANONYMOUS, LOCAL_SYSTEM_SID } from '../estate/well-known-sids';

/**
 * SAMR reconnaissance: `net user /domain`, `net group "Domain Admins" /domain`, BloodHound's
 * local-group collection and RID brute forcing all speak MS-SAMR over the \PIPE\samr named
 * pipe. A DC audits the pipe open (5145), each SAM object handle (4661: the domain, a group,
 * a user) and, on member servers, group and user membership reads (4798/4799). Each actor is
 * judged against its own history (MDI profiles SAMR per source for 4 weeks):
 * - a query for a tier-0 principal (Domain Admins, Enterprise Admins, the built-in Administrator…);
 * - many distinct SAM objects in a short time (RID brute force, group walking);
 * - opening the account domain with the right to list every account, over the network;
 * - repeated SAMR binds from one client (a collector walking groups or hosts).
 * Machines' own lookups (SYSTEM, machine accounts) and local tools are not reconnaissance.
 */

export const declaration: DetectorDeclaration = {
  id: 'samr_recon',
  title: 'Security principal reconnaissance (SAMR)',
  summary: 'SAMR queries (4661 SAM objects, 4798/4799, 5145 \\samr) for tier-0 principals, for many objects, or listing all accounts, abnormal for the actor\'s own history.',
  severity: 'medium',
  mitre: { tactics: ['discovery'], techniques: ['T1087.002', 'T1069.002'] },
  requires: [{
    channel: 'Security', eventIds: [4661],
    fields: ['SubjectUserName', 'SubjectLogonId', 'ObjectType', 'ObjectName', 'AccessMask'],
    auditPolicy: 'Audit SAM (Success) on DCs, with an auditing SACL on the SAM objects (Network access: Restrict clients allowed to make remote calls to SAM, audit mode)',
  }, {
    channel: 'Security', eventIds: [4798, 4799],
    fields: ['SubjectUserName', 'TargetUserName', 'TargetSid', 'CallerProcessName'],
    auditPolicy: 'Audit Security Group Management (Success) and Audit User Account Management (Success) on member servers',
  }, {
    channel: 'Security', eventIds: [5145],
    fields: ['SubjectUserName', 'SubjectLogonId', 'ShareName', 'RelativeTargetName', 'IpAddress'],
    auditPolicy: 'Audit Detailed File Share (Success) on DCs and servers',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'LogonType'],
    auditPolicy: 'Audit Logon (Success): traces a 4661 to the client that opened the session',
  }],
  consumes: ['sam_object_access', 'group_enumeration', 'share_access'],
  falsePositives: [
    'Identity-management tools, vulnerability scanners and inventory agents that query SAM every day: their habits (which principals, how many objects) are learned per actor.',
    'Administrators running `net group "Domain Admins" /domain` now and then: learned once they have done so on several days.',
  ],
  thresholds: {
    distinctObjects: { default: 10, minimum: 2, integer: true, description: 'Distinct SAM users, groups and aliases queried by one actor within the window' },
    pipeBinds: { default: 3, minimum: 2, integer: true, description: 'SAMR pipe opens (5145 \\samr) by one actor within the window' },
    windowMinutes: { default: 10, minimum: 1, integer: false, description: 'Sliding window' },
    learnAfterDays: { default: 3, minimum: 1, integer: true, description: 'Earlier days of SAMR activity after which an actor\'s habits are trusted' },
    growth: { default: 2, minimum: 1, integer: false, description: 'For a learned actor, how many times its widest earlier day the number of objects must reach' },
  },
  learningPeriodDays: 28,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source that made the queries; BloodHound/SharpHound, CrackMapExec, PowerView and impacket are the usual tools.',
    'Set "Network access: Restrict clients allowed to make remote calls to SAM" so only administrators can query SAM remotely.',
  ],
  native: none("judges SAMR queries against the actor's own learned history and tier-0 membership"),
};

// Domain-relative RIDs of tier-0 principals (MS docs "Well-known SIDs").
const SENSITIVE_RIDS: Record<number, string> = {
  500: 'Administrator', 502: 'krbtgt', 498: 'Enterprise Read-only Domain Controllers', 512: 'Domain Admins', 516: 'Domain Controllers',
  518: 'Schema Admins', 519: 'Enterprise Admins', 520: 'Group Policy Creator Owners', 521: 'Read-only Domain Controllers',
  526: 'Key Admins', 527: 'Enterprise Key Admins',
};
const DOMAIN_SID = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/i;
// MS-SAMR 2.2.1.4: the right SamrEnumerateUsersInDomain and friends need on the domain handle.
const DOMAIN_LIST_ACCOUNTS = 0x100;
const OBJECT_TYPES = new Set(['SAM_USER', 'SAM_GROUP', 'SAM_ALIAS']);
const CAP = 512;
const EVIDENCE = 10;
const MAX_SESSIONS = 4096;

type Trigger = 'sensitive' | 'breadth' | 'enumeration' | 'binds';

/** What the actor queried within the window, kept for the window past its last query. */
interface QueryWindow {
  objects: DistinctWindow;
  binds: DistinctWindow;
  evidence: EventOrigin[];
  lastSeen: number;
}

/** A SAMR pipe session's client address (host|logonId), for 4661s whose 4624 was not collected. */
interface PipeSession {
  ip: string;
  lastSeen: number;
}

/** `[lastSeen, objects, binds, evidence]`. */
function windowTable(horizonMs: number): TableSpec<QueryWindow> {
  return {
    name: 'windows',
    horizonMs,
    lastSeen: (w) => w.lastSeen,
    encode: (w) => [w.lastSeen, w.objects.encode(), w.binds.encode(), w.evidence.map(encodeOrigin)],
    decode(v, read, path) {
      const [lastSeen, objects, binds, evidence] = read.tuple(v, path, 4);
      return {
        lastSeen: read.number(lastSeen, `${path}.0`),
        objects: DistinctWindow.decode(objects, read, `${path}.1`, CAP), binds: DistinctWindow.decode(binds, read, `${path}.2`, CAP),
        evidence: read.list(evidence, `${path}.3`, EVIDENCE, (x, p) => decodeOrigin(x, read, p)),
      };
    },
  };
}

/** `[lastSeen, ip]`; capped at MAX_SESSIONS, the oldest touched going first. */
const sessionTable: TableSpec<PipeSession> = valueTable('sessions', 'ip', { read: (v, read, path) => read.string(v, path) });

interface Actor {
  readonly habits: ActorHabits;
  readonly window: QueryWindow;
}

export const samrRecon: DetectorModule = {
  declaration,
  create: (settings, saved) => new SamrReconDetector(settings, saved),
};

class SamrReconDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly actors: KeyedTable<ActorHabits>;
  private readonly windows: KeyedTable<QueryWindow>;
  private readonly sessions: KeyedTable<PipeSession>;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const { read, section, since } = openSection('samr_recon', saved);
    this.since = since;
    this.actors = new KeyedTable(actorHabitsTable, section['actors'], read);
    this.windows = new KeyedTable(windowTable(this.windowMs), section['windows'], read);
    this.sessions = new KeyedTable(sessionTable, section['sessions'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    switch (ev.kind) {
      case 'share_access': return this.onPipe(ev, ctx);
      case 'sam_object_access': return this.onSamObject(ev, ctx);
      case 'group_enumeration': return this.onGroupEnumeration(ev, ctx);
      default:
    }
  }

  /** 5145 IPC$\samr from a client address: one SAMR bind. */
  private onPipe(ev: Extract<IdentityEvent, { kind: 'share_access' }>, ctx: DetectionContext): void {
    if (!isIpcPipe(ev.shareName, ev.relativeTarget, 'samr') || !ev.subject || !isPerson(ev.subject)) return;
    if (!ev.ip || isLoopback(ev.ip)) return;
    if (ev.logonId) this.rememberSession(`${hostKey(ev.host)}|${ev.logonId}`, ev.ip, ev.time);
    const a = this.actor(ev.subject, ev.time, ev.ip);
    a.window.binds.touch(`${hostKey(ev.host)}|${ev.recordId ?? ev.time}`, ev.time, this.windowMs, CAP);
    this.judge(ev, ev.subject, a, ctx, { binds: a.window.binds.size });
  }

  /** 4661: a handle to a SAM object. */
  private onSamObject(ev: Extract<IdentityEvent, { kind: 'sam_object_access' }>, ctx: DetectionContext): void {
    const type = ev.objectType?.toUpperCase();
    if (!type?.startsWith('SAM_') || !ev.subject || !ev.objectName) return;
    const origin = queryOrigin(ctx.directory, ev.host, ev.logonId);
    const pipeIp = ev.logonId ? this.sessions.get(`${hostKey(ev.host)}|${ev.logonId}`)?.ip : undefined;
    // The machine's own services and local tools (ntdsutil, backup agents) are not reconnaissance.
    if (origin.remote === false && !pipeIp) return;
    const person = isPerson(ev.subject);
    if (!person && ev.subject.sid === LOCAL_SYSTEM_SID) return;
    const a = this.actor(ev.subject, ev.time, origin.ip ?? pipeIp, origin.workstation);
    const found: { sensitive?: string; enumeration?: boolean } = {};
    if (OBJECT_TYPES.has(type)) {
      a.window.objects.touch(ev.objectName.toLowerCase(), ev.time, this.windowMs, CAP);
      // Members look up Domain Admins for themselves during policy processing: machines' queries are only judged by breadth.
      if (person) {
        const sensitive = sensitiveName(ev.objectName);
        if (sensitive) found.sensitive = sensitive;
      }
    } else if (type === 'SAM_DOMAIN' && person && !/^CN=Builtin,/i.test(ev.objectName)
      && ev.accessMask !== undefined && (ev.accessMask & DOMAIN_LIST_ACCOUNTS) !== 0 && (origin.remote === true || pipeIp !== undefined)) {
      found.enumeration = true;
    }
    this.judge(ev, ev.subject, a, ctx, { objects: a.window.objects.size, ...found, objectName: ev.objectName, objectType: type });
  }

  /** 4798/4799 on a member: a user's groups or a group's members read. No caller process means an RPC client did it. */
  private onGroupEnumeration(ev: Extract<IdentityEvent, { kind: 'group_enumeration' }>, ctx: DetectionContext): void {
    if (ev.processName || !ev.subject || !isPerson(ev.subject)) return;
    const a = this.actor(ev.subject, ev.time);
    a.window.objects.touch(`${hostKey(ev.host)}|${(ev.target.sid ?? ev.target.name).toLowerCase()}`, ev.time, this.windowMs, CAP);
    this.judge(ev, ev.subject, a, ctx, { objects: a.window.objects.size });
  }

  private judge(ev: IdentityEvent, actor: Account, a: Actor, ctx: DetectionContext, seen: { objects?: number; binds?: number; sensitive?: string; enumeration?: boolean; objectName?: string; objectType?: string }): void {
    this.since ??= ev.time;
    if (a.window.evidence.length < EVIDENCE) a.window.evidence.push(originOf(ev));
    const breadth = a.window.objects.size;
    const judged = judgeBreadth(a.habits.profile, breadth, ev.time, threshold(this.settings, 'distinctObjects'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'growth'));
    const regular = judged.regular;
    const fired: Trigger[] = [];
    const why: string[] = [];
    if (seen.sensitive && !(regular && a.habits.profile.knewBefore(`sensitive:${seen.sensitive}`, ev.time))) {
      fired.push('sensitive');
      why.push(`queried the tier-0 principal ${seen.sensitive} (${seen.objectName})`);
    }
    if (seen.enumeration && !(regular && a.habits.profile.knewBefore('enumeration', ev.time))) {
      fired.push('enumeration');
      why.push(`opened the domain ${seen.objectName} over the network with the right to list every account`);
    }
    if (seen.objects !== undefined && judged.abnormal) {
      fired.push('breadth');
      why.push(`queried ${breadth} distinct SAM users and groups within ${this.windowMs / MINUTE} minutes${regular ? ` (its widest earlier day: ${judged.usual})` : ''}`);
    }
    if (seen.binds !== undefined && seen.binds >= threshold(this.settings, 'pipeBinds') && !(regular && a.habits.profile.knewBefore('binds', ev.time))) {
      fired.push('binds');
      why.push(`opened the SAMR pipe ${seen.binds} times within ${this.windowMs / MINUTE} minutes, as collectors do for each group or host they walk`);
    }
    a.habits.profile.observe(ev.time, breadth);
    if (seen.sensitive) a.habits.profile.remember(`sensitive:${seen.sensitive}`, ev.time);
    if (seen.enumeration) a.habits.profile.remember('enumeration', ev.time);
    if (seen.binds !== undefined && seen.binds >= threshold(this.settings, 'pipeBinds')) a.habits.profile.remember('binds', ev.time);
    if (fired.length === 0) return;

    const from = a.habits.sourceIp ? ` from ${a.habits.sourceName ? `${a.habits.sourceName} (${a.habits.sourceIp})` : a.habits.sourceIp}` : '';
    ctx.emit({
      keys: [actorKey(actor, a.habits.sourceIp)],
      severity: 'medium',
      description: `On ${ev.host}, ${qualified(actor)}${from} ${why.join('; ')}. `
        + (regular ? 'This is outside what the account has done on earlier days.' : 'The account has no history of such SAMR queries; attackers map privileged accounts and groups this way before moving on them.'),
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', a.habits.sourceName, a.habits.sourceIp), hostEntity('target', ev.host)]),
      events: [originOf(ev), ...a.window.evidence],
      details: { triggers: fired, distinctObjects: breadth, samrBinds: a.window.binds.size, ...(seen.sensitive ? { sensitive: seen.sensitive } : {}), usualObjects: judged.usual },
      learning: !regular && stillLearning(this.settings, this.since, ev.time),
    });
  }

  /** The actor's habits and its query window; a window idle past windowMs starts afresh. */
  private actor(subject: Account, time: number, ip?: string, workstation?: string): Actor {
    const key = actorKey(subject, ip);
    const h = rowAt(this.actors, key, time, () => newActorHabits(time));
    let w = this.windows.get(key);
    if (!w || time - w.lastSeen > this.windowMs) {
      w ??= { objects: new DistinctWindow(), binds: new DistinctWindow(), evidence: [], lastSeen: time };
      w.evidence = [];
      this.windows.set(key, w);
    }
    w.lastSeen = time;
    if (ip) h.sourceIp = ip;
    if (workstation) h.sourceName = workstation;
    w.objects.expire(time - this.windowMs);
    w.binds.expire(time - this.windowMs);
    return { habits: h, window: w };
  }

  private rememberSession(key: string, ip: string, time: number): void {
    this.sessions.touch(key, { ip, lastSeen: time });
    this.sessions.capTo(MAX_SESSIONS);
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      actors: this.actors.snapshot(),
      windows: this.windows.snapshot(),
      sessions: this.sessions.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.actors.evict(before, watermark);
    this.windows.evict(before, watermark);
    this.sessions.evict(before, watermark);
  }
}

/**
 * Who the queries are judged as: the account, except for null sessions (ANONYMOUS LOGON, how
 * enum4linux and `rpcclient -U ""` query SAMR), which are one identity shared by every client.
 */
function actorKey(subject: Account, ip: string | undefined): string {
  return subject.sid === ANONYMOUS && ip ? `${accountKey(subject)}@${ip}` : accountKey(subject);
}

/** A person or service account, not a computer account or the machine's own SYSTEM. */
function isPerson(a: Account): boolean {
  return !isMachineAccount(a) && a.sid !== LOCAL_SYSTEM_SID;
}

function sensitiveName(objectName: string): string | undefined {
  const m = DOMAIN_SID.exec(objectName);
  return m?.[1] ? SENSITIVE_RIDS[Number(m[1])] : undefined;
}
