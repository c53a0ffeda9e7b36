import { accountKey, isMachineAccount, type Account } from '../events/fields';
import type { DirectoryObjectAccess, EventOrigin, IdentityEvent } from '../events/identity-event';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { DistinctWindow, judgeBreadth, queryOrigin, SourceProfile, type ProfileSnapshot } from '../estate/source-profile';
import { originOf, duration } from '../alerts/evidence';

import { none } from '../rules/tree';
import { REPLICA_RIGHTS, REPLICATION_RIGHTS } from '../estate/directory-rights';
import { LOCAL_SYSTEM_SID } from '../estate/well-known-sids';

/**
 * LDAP reconnaissance: BloodHound, PowerView, CrackMapExec and ADFind pull the directory in
 * bulk — every group, every user, every computer with its attributes. Where the domain has an
 * auditing SACL for reads (Audit Directory Service Access), each object read is a 4662 with
 * Read Property or Control Access; a person's tools read a handful of objects at a time, a
 * collector reads hundreds within seconds. Each actor is judged against its own widest
 * earlier day, so monitoring and identity tools that read in bulk every day are learned.
 */

export const declaration: DetectorDeclaration = {
  id: 'ldap_recon',
  title: 'Active Directory reconnaissance (bulk LDAP reads)',
  summary: 'One actor reading many distinct directory objects (4662 Read Property / Control Access) within minutes, beyond its own history.',
  severity: 'medium',
  mitre: { tactics: ['discovery'], techniques: ['T1087.002', 'T1069.002', 'T1482'] },
  requires: [{
    channel: 'Security', eventIds: [4662],
    fields: ['SubjectUserName', 'SubjectUserSid', 'SubjectLogonId', 'ObjectServer', 'ObjectType', 'ObjectName', 'AccessMask', 'Properties'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs, with an auditing SACL for reads (Everyone: Read all properties) on the objects to watch',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'LogonType'],
    auditPolicy: 'Audit Logon (Success) on DCs: traces the reads to the client address',
  }],
  consumes: ['directory_object_access'],
  falsePositives: [
    'Identity governance, monitoring and backup tools that read the directory in bulk on a schedule: learned per actor after a few days.',
    'The breadth depends on how much of the directory the read SACL covers; tune distinctObjects to it.',
  ],
  thresholds: {
    distinctObjects: { default: 30, minimum: 2, integer: true, description: 'Distinct directory objects read by one actor within the window' },
    windowMinutes: { default: 10, minimum: 1, integer: false, description: 'Sliding window' },
    learnAfterDays: { default: 3, minimum: 1, integer: true, description: 'Earlier days of reads after which an actor\'s usual breadth is trusted' },
    growth: { default: 2, minimum: 1, integer: false, description: 'For a learned actor, how many times its widest earlier day the breadth must reach' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source that ran the queries (SharpHound, ADFind, PowerView, CrackMapExec are typical) and the account it used.',
    'Review what the actor could have learned: group memberships, ACLs and SPNs are the map to tier 0.',
  ],
  native: none("judges the breadth of directory reads against the actor's own learned history"),
};

// Directory service access rights (MS-ADTS 5.1.3.2): reads, and writes that disqualify an event.
const READ_RIGHTS = 0x4 /* LIST_CHILDREN */ | 0x10 /* READ_PROP */ | 0x80 /* LIST_OBJECT */ | 0x100 /* CONTROL_ACCESS */;
const WRITE_RIGHTS = 0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x10000 | 0x40000 | 0x80000;
// Replication and DC-promotion control access rights: dcsync's and dcshadow's, not reconnaissance.
const DC_RIGHTS: ReadonlySet<string> = new Set([...Object.keys(REPLICATION_RIGHTS), ...Object.keys(REPLICA_RIGHTS)]);
const CAP = 2048;
const EVIDENCE = 10;

interface ActorState {
  objects: DistinctWindow;
  profile: SourceProfile;
  evidence: EventOrigin[];
  sourceIp?: string;
  sourceName?: string;
  lastSeen: number;
}

interface SavedActor extends Omit<ActorState, 'objects' | 'profile'> {
  objects: [string, number][];
  profile: ProfileSnapshot;
}

interface SavedState {
  since?: number;
  actors: [string, SavedActor][];
}

export const ldapRecon: DetectorModule = {
  declaration,
  create: (settings, saved) => new LdapReconDetector(settings, saved as SavedState | undefined),
};

class LdapReconDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly actors = new Map<string, ActorState>();
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, saved: SavedState | undefined) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    this.since = saved?.since;
    for (const [key, a] of saved?.actors ?? []) {
      this.actors.set(key, { ...a, objects: new DistinctWindow(a.objects), profile: new SourceProfile(a.profile), evidence: [...a.evidence] });
    }
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'directory_object_access' || !isBulkReadCandidate(ev) || !ev.subject || !ev.objectName) return;
    const subject = ev.subject;
    // DCs read their own directory constantly; sync services read it by design.
    if (subject.sid === LOCAL_SYSTEM_SID || ctx.directory.isDomainControllerAccount(subject) || ctx.directory.isDirectorySyncAccount(subject)) return;
    const origin = queryOrigin(ctx.directory, ev.host, ev.logonId);
    if (origin.remote === false && isMachineAccount(subject)) return;
    this.since ??= ev.time;
    const a = this.actor(subject, ev.time, origin.ip, origin.workstation);
    const breadth = a.objects.touch(ev.objectName, ev.time, this.windowMs, CAP);
    if (a.evidence.length < EVIDENCE) a.evidence.push(originOf(ev));
    const judged = judgeBreadth(a.profile, breadth, ev.time, threshold(this.settings, 'distinctObjects'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'growth'));
    a.profile.observe(ev.time, breadth);
    if (!judged.abnormal) return;
    this.emit(ctx, ev, subject, a, breadth, judged.regular, judged.usual);
  }

  private emit(ctx: DetectionContext, ev: DirectoryObjectAccess, actor: Account, a: ActorState, breadth: number, regular: boolean, usual: number): void {
    const from = a.sourceIp ? ` from ${a.sourceName ? `${a.sourceName} (${a.sourceIp})` : a.sourceIp}` : '';
    ctx.emit({
      keys: [accountKey(actor)],
      severity: 'medium',
      description: `${qualified(actor)}${from} read ${breadth} distinct directory objects on ${ev.host} within ${duration(ev.time - (a.objects.since ?? ev.time))}`
        + (regular
          ? `, more than ${threshold(this.settings, 'growth')}× its widest earlier day (${usual}): a bulk collection beyond its habits.`
          : ': a bulk collection of the directory (users, groups, ACLs), which reconnaissance tools run before choosing a path to tier 0; the account has no history of reading this widely.'),
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', a.sourceName, a.sourceIp), hostEntity('target', ev.host)]),
      events: [originOf(ev), ...a.evidence],
      details: { distinctObjects: breadth, objectType: ev.objectType, usualObjects: usual },
      learning: !regular && stillLearning(this.settings, this.since, ev.time),
    });
  }

  private actor(subject: Account, time: number, ip?: string, workstation?: string): ActorState {
    const key = accountKey(subject);
    let a = this.actors.get(key);
    if (!a || time - a.lastSeen > this.windowMs) {
      a ??= { objects: new DistinctWindow(), profile: new SourceProfile(), evidence: [], lastSeen: time };
      a.evidence = [];
      this.actors.set(key, a);
    }
    a.lastSeen = time;
    if (ip) a.sourceIp = ip;
    if (workstation) a.sourceName = workstation;
    return a;
  }

  snapshot(): SavedState {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      actors: [...this.actors].map(([k, a]) => [k, { ...a, objects: a.objects.toJSON(), profile: a.profile.toJSON() }]),
    };
  }

  evictIdle(before: number): void {
    for (const [k, a] of this.actors) if (a.lastSeen < before) this.actors.delete(k);
  }
}

/** A read of a directory object (not a write, not a replication or promotion right). */
function isBulkReadCandidate(ev: DirectoryObjectAccess): boolean {
  if (ev.objectServer?.toUpperCase() !== 'DS' || ev.accessMask === undefined) return false;
  if ((ev.accessMask & READ_RIGHTS) === 0 || (ev.accessMask & WRITE_RIGHTS) !== 0) return false;
  return !ev.properties.some((p) => DC_RIGHTS.has(p));
}
