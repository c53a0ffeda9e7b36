import type { Severity } from '../alerts/alert';
import { accountKey, isLoopback, type Account } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';
import { DAY, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { cnOf } from '../events/dn';
import type { SensitiveGroupMatch } from '../estate/sensitive-groups';
import { SYSTEM_SIDS } from '../estate/well-known-sids';
import { none } from '../rules/tree';
import { countDay, countedDaysTable, NO_DAYS, type CountedDays } from '../state/day-bits';
import { KeyedTable } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Sensitive group change: a principal joins a tier-0 group (Domain Admins, BUILTIN\Administrators,
 * Backup Operators, …, configured ones, or a group nested in one) and so gains control of the
 * domain. Seen as 4728/4732/4756 (SAM) and 5136 `member` adds (LDAP); SID history carrying a
 * sensitive group's SID (4765) is the same grant without the membership. Identity-management
 * tooling that changes a group routinely is learned per (actor, group), as MDI does.
 */

export const declaration: DetectorDeclaration = {
  id: 'sensitive_group_change',
  title: 'Member added to a sensitive group',
  summary: 'A principal was added to a tier-0 group (built-in, configured, or nested in one) by an actor that does not routinely manage it (4728/4732/4756, 5136 member, 4765 SID history).',
  severity: 'high',
  mitre: { tactics: ['persistence', 'privilege-escalation'], techniques: ['T1098', 'T1484.001', 'T1134.005'] },
  requires: [{
    channel: 'Security', eventIds: [4728, 4732, 4756, 4729, 4733, 4757],
    fields: ['TargetUserName', 'TargetSid', 'MemberName', 'MemberSid', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Security Group Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136],
    fields: ['ObjectDN', 'ObjectClass', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType', 'SubjectUserName'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs, with an auditing SACL on the groups (or the domain)',
  }, {
    channel: 'Security', eventIds: [4765],
    fields: ['TargetUserName', 'SourceUserName', 'SourceSid', 'SubjectUserName'],
    auditPolicy: 'Audit User Account Management (Success) on DCs',
  }],
  consumes: ['group_membership_change', 'directory_object_change', 'account_management'],
  falsePositives: [
    'Joiner/mover/leaver and PAM tooling that adds people to admin groups: learned per (actor, group) after it changes the group on several days.',
    'Break-glass procedures: exclude the break-glass actor, or accept the alert as the audit trail.',
    'Machine setup adding a local account to a member machine\'s own Administrators group (reported at lower severity).',
  ],
  thresholds: {
    routineDays: { default: 3, minimum: 2, integer: true, description: 'Distinct days an actor must change a sensitive group, starting inside the learning period, to be learned as routine for that group' },
  },
  learningPeriodDays: 28,
  bucketHours: 24,
  recommendations: [
    'Confirm the change with the actor and its change ticket; if unexplained, remove the member and reset the actor\'s credentials.',
    'Review what the new member did since the change (logons to DCs, replication, GPO edits).',
    'Require a PAM workflow for tier-0 groups so every legitimate change comes from one learned actor.',
  ],
  native: none("needs the tier-0 groups nested at any depth (learned from group-change events) and each actor's learned history of managing them"),
};

/** The days an actor changed a group (at most 31), counted only once it was first seen while learning. */
interface ActorHistory extends CountedDays {
  lastSeen: number;
}

const MAX_DAYS = 31;

/** One membership grant, whichever event showed it. */
interface Grant {
  readonly match: SensitiveGroupMatch;
  readonly member: Account;
  readonly how: 'member' | 'sid_history';
  readonly actor: Account;
  readonly logonId?: string;
}

const MAX_ACTORS_PER_GROUP = 64;

export const sensitiveGroupChange: DetectorModule = {
  declaration,
  create: (settings, saved) => new SensitiveGroupChangeDetector(settings, saved),
};

class SensitiveGroupChangeDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  /** `group\tactor` (group name lower case) → the days the actor changed that group, for the state TTL. */
  private readonly actors: KeyedTable<ActorHistory>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section, since } = openSection('sensitive_group_change', saved);
    this.since = since;
    this.actors = new KeyedTable<ActorHistory>(countedDaysTable('actors'), section['actors'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    const grant = grantIn(ev, ctx);
    if (!grant) return;
    this.since ??= ev.time;
    const actor = grant.actor;
    const verdict = this.profile(grant.match.name, actor, ev.time);
    if (verdict === 'routine') return;

    const onDc = ctx.directory.isDomainController(ev.host);
    const machineLocal = grant.match.machineLocal === true && !onDc;
    const severity: Severity = machineLocal ? 'medium' : 'high';
    const session = grant.logonId ? ctx.directory.logonSession(ev.host, grant.logonId) : undefined;
    const sourceIp = session?.ip && !isLoopback(session.ip) ? session.ip : undefined;
    const from = sourceIp ?? session?.workstation;
    const groupText = describeGroup(grant.match, machineLocal, ev.host);
    const what = grant.how === 'sid_history'
      ? `added the SID of ${groupText} to the SID history of ${qualified(grant.member)}, which puts the group in every logon token of that account without any visible membership`
      : `added ${qualified(grant.member)} to ${groupText}`;
    const why = machineLocal
      ? `${ev.host} is not a known domain controller, so this is that machine's own group: local administrator rights there`
      : verdict === 'learning'
        ? 'membership grants control of the domain; the actor\'s usual changes are still being learned'
        : `membership grants control of the domain, and ${qualified(actor)} does not routinely manage this group`;
    ctx.emit({
      keys: [grant.match.name.toLowerCase(), accountKey(grant.member)],
      severity,
      title: grant.how === 'sid_history' ? 'Sensitive group SID added to SID history' : declaration.title,
      description: `${qualified(actor)}${from ? ` from ${from}` : ''} ${what} (on ${ev.host}): ${why}.`,
      accounts: [accountEntity(actor, 'actor'), accountEntity(grant.member, 'member'), { name: grant.match.name, role: 'group' }],
      hosts: present([hostEntity('source', session?.workstation, sourceIp), hostEntity('target', ev.host)]),
      events: [ev],
      details: { group: grant.match.name, reason: grant.match.reason, ...(grant.match.via ? { nestedIn: grant.match.via } : {}), member: grant.member.sid ?? grant.member.name, via: grant.how },
      learning: verdict === 'learning',
    });
  }

  /**
   * An actor is routine for a group once it changed it on `routineDays` distinct days, the first
   * inside the learning period — a provisioning service does that; an intruder changes it once.
   */
  private profile(group: string, actor: Account, time: number): 'routine' | 'learning' | 'unusual' {
    const learning = stillLearning(this.settings, this.since, time);
    const groupKey = `${group.toLowerCase()}\t`;
    const key = `${groupKey}${actor.sid ?? accountKey(actor)}`;
    let h = this.actors.get(key);
    const routine = h !== undefined && h.dayCount >= threshold(this.settings, 'routineDays');
    if (!h && this.actorsOf(groupKey) < MAX_ACTORS_PER_GROUP) {
      h = { days: NO_DAYS, dayCount: 0, lastSeen: time };
      this.actors.set(key, h);
    }
    if (h) {
      h.lastSeen = time;
      // Days only count toward "routine" for an actor first seen while learning.
      if (h.dayCount > 0 || learning) countDay(h, Math.floor(time / DAY), MAX_DAYS);
    }
    if (routine) return 'routine';
    return learning ? 'learning' : 'unusual';
  }

  /** How many actors of a group are kept: counted only when a new actor changes it, which is rare. */
  private actorsOf(groupKey: string): number {
    let n = 0;
    for (const k of this.actors.entries()) if (k[0].startsWith(groupKey)) n++;
    return n;
  }

  snapshot(): unknown {
    return { ...(this.since !== undefined ? { since: this.since } : {}), actors: this.actors.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.actors.evict(before, watermark);
  }
}

/** The grant an event shows, if it touches a sensitive group; system-internal changes are not grants. */
function grantIn(ev: IdentityEvent, ctx: DetectionContext): Grant | undefined {
  switch (ev.kind) {
    case 'group_membership_change': {
      if (ev.action !== 'added' || !ev.subject || isDirectoryInternal(ev.subject, ev.host, ctx)) return undefined;
      const match = ctx.directory.sensitiveGroup({ name: ev.group.name, ...(ev.group.sid ? { sid: ev.group.sid } : {}) });
      const member = ev.member ?? (ev.memberDn ? { name: ev.memberDn } : undefined);
      return match && member ? { match, member, how: 'member', actor: ev.subject, ...(ev.logonId ? { logonId: ev.logonId } : {}) } : undefined;
    }
    case 'directory_object_change': {
      if (ev.action !== 'value_added' || ev.attribute?.toLowerCase() !== 'member' || !ev.value) return undefined;
      if (!ev.subject || isDirectoryInternal(ev.subject, ev.host, ctx)) return undefined;
      if (ev.objectClass && ev.objectClass.toLowerCase() !== 'group') return undefined;
      const match = ctx.directory.sensitiveGroup({ dn: ev.objectDn });
      return match ? { match, member: { name: cnOf(ev.value) ?? ev.value }, how: 'member', actor: ev.subject, ...(ev.logonId ? { logonId: ev.logonId } : {}) } : undefined;
    }
    case 'account_management': {
      if (ev.action !== 'sid_history_added' || !ev.addedSidHistory || !ev.subject || isDirectoryInternal(ev.subject, ev.host, ctx)) return undefined;
      const added = ev.addedSidHistory;
      const match = ctx.directory.sensitiveGroup({ name: added.name, ...(added.sid ? { sid: added.sid } : {}) });
      return match ? { match, member: ev.target, how: 'sid_history', actor: ev.subject, ...(ev.logonId ? { logonId: ev.logonId } : {}) } : undefined;
    }
    default:
      return undefined;
  }
}

/** A DC changing its own directory as SYSTEM (promotion, upgrades): no person behind it. */
function isDirectoryInternal(subject: Account, host: string, ctx: DetectionContext): boolean {
  return subject.sid !== undefined && SYSTEM_SIDS.has(subject.sid) && ctx.directory.isDomainController(host);
}

function describeGroup(match: SensitiveGroupMatch, machineLocal: boolean, host: string): string {
  if (machineLocal) return `the local ${match.name} group of ${host}`;
  switch (match.reason) {
    case 'built-in': return `${match.name} (a built-in tier-0 group)`;
    case 'configured': return `${match.name} (configured as sensitive)`;
    case 'nested': return `${match.name} (nested in ${match.via ?? 'a sensitive group'}, so its members hold that group's rights)`;
  }
}
