import { accountKey, isMachineAccount, type Account } from '../events/fields';
import type { DirectoryObjectAccess, EventOrigin, IdentityEvent } from '../events/identity-event';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { DistinctWindow, judgeBreadth, queryOrigin } from '../estate/source-profile';
import { actorHabitsTable, newActorHabits, type ActorHabits } from '../estate/actor-habits';
import { KeyedTable, rowAt, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';
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

/** What the actor read within the window, kept for the window past its last read. */
interface ReadWindow {
  objects: DistinctWindow;
  evidence: EventOrigin[];
  lastSeen: number;
}

interface Actor {
  readonly habits: ActorHabits;
  readonly window: ReadWindow;
}

/** `[lastSeen, objects, evidence]`. */
function windowTable(horizonMs: number): TableSpec<ReadWindow> {
  return {
    name: 'windows',
    horizonMs,
    lastSeen: (w) => w.lastSeen,
    encode: (w) => [w.lastSeen, w.objects.encode(), w.evidence.map(encodeOrigin)],
    decode(v, read, path) {
      const [lastSeen, objects, evidence] = read.tuple(v, path, 3);
      return {
        lastSeen: read.number(lastSeen, `${path}.0`), objects: DistinctWindow.decode(objects, read, `${path}.1`, CAP),
        evidence: read.list(evidence, `${path}.2`, EVIDENCE, (x, p) => decodeOrigin(x, read, p)),
      };
    },
  };
}

export const ldapRecon: DetectorModule = {
  declaration,
  create: (settings, saved) => new LdapReconDetector(settings, saved),
};

class LdapReconDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly actors: KeyedTable<ActorHabits>;
  private readonly windows: KeyedTable<ReadWindow>;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const { read, section, since } = openSection('ldap_recon', saved);
    this.since = since;
    this.actors = new KeyedTable(actorHabitsTable, section['actors'], read);
    this.windows = new KeyedTable(windowTable(this.windowMs), section['windows'], read);
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
    const breadth = a.window.objects.touch(ev.objectName, ev.time, this.windowMs, CAP);
    if (a.window.evidence.length < EVIDENCE) a.window.evidence.push(originOf(ev));
    const judged = judgeBreadth(a.habits.profile, breadth, ev.time, threshold(this.settings, 'distinctObjects'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'growth'));
    a.habits.profile.observe(ev.time, breadth);
    if (!judged.abnormal) return;
    this.emit(ctx, ev, subject, a, breadth, judged.regular, judged.usual);
  }

  private emit(ctx: DetectionContext, ev: DirectoryObjectAccess, actor: Account, { habits: a, window: w }: Actor, breadth: number, regular: boolean, usual: number): void {
    const from = a.sourceIp ? ` from ${a.sourceName ? `${a.sourceName} (${a.sourceIp})` : a.sourceIp}` : '';
    ctx.emit({
      keys: [accountKey(actor)],
      severity: 'medium',
      description: `${qualified(actor)}${from} read ${breadth} distinct directory objects on ${ev.host} within ${duration(ev.time - (w.objects.since ?? ev.time))}`
        + (regular
          ? `, more than ${threshold(this.settings, 'growth')}× its widest earlier day (${usual}): a bulk collection beyond its habits.`
          : ': a bulk collection of the directory (users, groups, ACLs), which reconnaissance tools run before choosing a path to tier 0; the account has no history of reading this widely.'),
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', a.sourceName, a.sourceIp), hostEntity('target', ev.host)]),
      events: [originOf(ev), ...w.evidence],
      details: { distinctObjects: breadth, objectType: ev.objectType, usualObjects: usual },
      learning: !regular && stillLearning(this.settings, this.since, ev.time),
    });
  }

  /** The actor's habits and its read window; a window idle past windowMs starts afresh. */
  private actor(subject: Account, time: number, ip?: string, workstation?: string): Actor {
    const key = accountKey(subject);
    const habits = rowAt(this.actors, key, time, () => newActorHabits(time));
    let w = this.windows.get(key);
    if (!w || time - w.lastSeen > this.windowMs) {
      w ??= { objects: new DistinctWindow(), evidence: [], lastSeen: time };
      w.evidence = [];
      this.windows.set(key, w);
    }
    w.lastSeen = time;
    if (ip) habits.sourceIp = ip;
    if (workstation) habits.sourceName = workstation;
    return { habits, window: w };
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      actors: this.actors.snapshot(),
      windows: this.windows.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.actors.evict(before, watermark);
    this.windows.evict(before, watermark);
  }
}

/** A read of a directory object (not a write, not a replication or promotion right). */
function isBulkReadCandidate(ev: DirectoryObjectAccess): boolean {
  if (ev.objectServer?.toUpperCase() !== 'DS' || ev.accessMask === undefined) return false;
  if ((ev.accessMask & READ_RIGHTS) === 0 || (ev.accessMask & WRITE_RIGHTS) !== 0) return false;
  return !ev.properties.some((p) => DC_RIGHTS.has(p));
}
