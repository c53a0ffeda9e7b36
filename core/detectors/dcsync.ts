import type { Severity } from '../alerts/alert';
import { accountKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { DirectoryObjectAccess, IdentityEvent } from '../events/identity-event';
import { DAY, stillLearning, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { DS_ACCESS, DS_REPLICATION_GET_CHANGES, REPLICATION_RIGHTS } from '../estate/directory-rights';
import { and, bits, contains, inSetting, not, or, security, suffix, type NativeQuery } from '../rules/tree';
import { countDay, NO_DAYS, readDayBits, type CountedDays } from '../state/day-bits';
import { KeyedTable, rowAt, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * DCSync: a principal asks a DC to replicate directory secrets (DRSUAPI GetNCChanges), which
 * the DC audits as 4662 with the replication control access rights. Only DCs replicate; the
 * exceptions are directory-sync services, recognised by config or by learning, not by name.
 */

const GET_CHANGES = DS_REPLICATION_GET_CHANGES;
const RIGHT_NAMES = REPLICATION_RIGHTS;
const CONTROL_ACCESS = DS_ACCESS.controlAccess;

/**
 * A user account (not a machine account) asking for replication rights, other than a configured
 * sync service: the classic DCSync. The engine also catches non-DC machine accounts and DC
 * credentials used from elsewhere, which need the DCs it learns.
 */
const userReplicates: NativeQuery = {
  name: 'user-account',
  match: [{
    source: security(4662),
    where: and(bits('AccessMask', CONTROL_ACCESS), or(...Object.keys(RIGHT_NAMES).map((g) => contains('Properties', g))),
      not(suffix('SubjectUserName', '$')), not(inSetting('SubjectUserName', 'directorySyncAccounts'))),
  }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'dcsync',
  title: 'Suspected DCSync attack (replication of directory services)',
  summary: 'A principal that is not a domain controller requested directory replication rights (4662 with DS-Replication-Get-Changes[-All]).',
  severity: 'high',
  mitre: { tactics: ['credential-access'], techniques: ['T1003.006'] },
  requires: [{
    channel: 'Security', eventIds: [4662],
    fields: ['SubjectUserName', 'SubjectUserSid', 'SubjectLogonId', 'AccessMask', 'Properties', 'ObjectServer'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs, with an auditing SACL for Everyone on the domain object',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: traces the request to its source address',
  }],
  consumes: ['directory_object_access'],
  falsePositives: [
    'Directory-sync services (Entra Connect, identity governance connectors) that hold replication rights: list them in directorySyncAccounts, or let them be learned.',
    'A domain controller whose own logs are not collected: add it to domainControllers.',
  ],
  thresholds: {
    learnAfterDays: { default: 3, minimum: 2, integer: true, description: 'Distinct days a principal must replicate, from one source, during the learning period to be learned as a sync service' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source machine that made the request and isolate the machine.',
    'Treat every account secret in the domain as exposed: reset the actor\'s password, then reset krbtgt twice.',
    'Review who holds replication rights on the domain object (DS-Replication-Get-Changes-All).',
  ],
  native: { kind: 'signal', queries: [userReplicates], note: 'user accounts only: non-DC machine accounts and DC credentials used from another address need the domain controllers the engine learns' },
};

/** A replicating principal being learned: the days it replicated (at most 31) and its sources (at most MAX_SOURCES). */
interface Principal extends CountedDays {
  lastSeen: number;
  sources: string[];
}

const MAX_DAYS = 31;
// A sync service replicates from one host; a fifth source changes no verdict (more than one already alerts).
const MAX_SOURCES = 4;

/** `[lastSeen, days, dayCount, sources]`, for the state TTL. */
const principalTable: TableSpec<Principal> = {
  name: 'principals',
  lastSeen: (p) => p.lastSeen,
  encode: (p) => [p.lastSeen, p.days, p.dayCount, p.sources],
  decode(v, read, path) {
    const [lastSeen, days, dayCount, sources] = read.tuple(v, path, 4);
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), days: readDayBits(days, read, `${path}.1`), dayCount: read.count(dayCount, `${path}.2`),
      sources: read.list(sources, `${path}.3`, MAX_SOURCES, (x, p) => read.string(x, p)),
    };
  },
};

export const dcsync: DetectorModule = {
  declaration,
  create: (settings, saved) => new DcsyncDetector(settings, saved),
};

class DcsyncDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly principals: KeyedTable<Principal>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section, since } = openSection('dcsync', saved);
    this.since = since;
    this.principals = new KeyedTable(principalTable, section['principals'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'directory_object_access') return;
    if (ev.accessMask === undefined || (ev.accessMask & CONTROL_ACCESS) === 0) return;
    const rights = ev.properties.filter((p) => p in RIGHT_NAMES);
    if (rights.length === 0 || !ev.subject) return;
    this.since ??= ev.time;
    const actor = ev.subject;
    const session = ev.logonId ? ctx.directory.logonSession(ev.host, ev.logonId) : undefined;
    const sourceIp = session?.ip && !isLoopback(session.ip) ? session.ip : undefined;
    const verdict = this.judge(actor, sourceIp, ev, ctx);
    if (verdict === 'benign') return;

    const secrets = rights.some((r) => r !== GET_CHANGES);
    const severity: Severity = secrets ? 'high' : 'medium';
    const rightNames = rights.map((r) => RIGHT_NAMES[r]).join(', ');
    const from = sourceIp ?? session?.workstation;
    const who = verdict === 'dc_account_elsewhere'
      ? `the domain controller account ${qualified(actor)}, logged on from ${from}, which is not a domain controller address,`
      : isMachineAccount(actor)
        ? `the machine account ${qualified(actor)}, which is not a known domain controller,`
        : `${qualified(actor)}, an account that is not a domain controller,`;
    ctx.emit({
      keys: [accountKey(actor), from ?? ''],
      severity,
      title: verdict === 'dc_account_elsewhere' ? 'DCSync with a domain controller\'s credentials from another machine' : declaration.title,
      description: `${who} requested directory replication (${rightNames}) from ${ev.host}${from ? ` from ${from}` : ''}. `
        + `Only domain controllers replicate${secrets ? '; these rights return password hashes, including krbtgt\'s' : ''}.`
        + (isMachineAccount(actor) && verdict !== 'dc_account_elsewhere' ? ' If this machine is a DC whose logs are not collected, add it to domainControllers.' : '')
        + (verdict === 'learning' ? ' The principal recurs like a sync service; it will be learned if it keeps to one source.' : ''),
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', session?.workstation, sourceIp), hostEntity('target', ev.host)]),
      events: [ev],
      details: { rights: rights.map((r) => RIGHT_NAMES[r]), objectName: ev.objectName },
      learning: verdict === 'learning',
    });
  }

  /** Why this request is or is not a DCSync, in the order the checks are cheap and certain. */
  private judge(actor: Account, sourceIp: string | undefined, ev: DirectoryObjectAccess, ctx: DetectionContext): 'benign' | 'alert' | 'learning' | 'dc_account_elsewhere' {
    if (ctx.directory.isDomainControllerAccount(actor)) {
      // A DC's own account replicating from an address that is not a DC: stolen or relayed DC credentials.
      return sourceIp && !ctx.directory.isDomainControllerAddress(sourceIp) ? 'dc_account_elsewhere' : 'benign';
    }
    if (sourceIp && ctx.directory.isDomainControllerAddress(sourceIp)) return 'benign';
    if (ctx.directory.isDirectorySyncAccount(actor)) return 'benign';
    return this.learnPrincipal(accountKey(actor), sourceIp ?? '', ev.time);
  }

  /**
   * A sync service replicates on a schedule from one host; it is learned when it does so on
   * `learnAfterDays` distinct days, starting inside the learning period. A principal that first
   * replicates after learning ended is never learned: that is what an intruder looks like.
   */
  private learnPrincipal(key: string, source: string, time: number): 'benign' | 'alert' | 'learning' {
    const learning = stillLearning(this.settings, this.since, time);
    if (!learning && !this.principals.has(key)) return 'alert';
    const p = rowAt(this.principals, key, time, () => ({ days: NO_DAYS, dayCount: 0, sources: [], lastSeen: time }));
    countDay(p, Math.floor(time / DAY), MAX_DAYS);
    const knownSource = source === '' || p.sources.length === 0 || p.sources.includes(source);
    if (source && !p.sources.includes(source) && p.sources.length < MAX_SOURCES) p.sources.push(source);
    const required = this.settings.thresholds['learnAfterDays'] ?? 3;
    const learned = p.dayCount >= required && p.sources.length <= 1;
    if (learned && knownSource) return 'benign';
    return learning && p.dayCount > 1 && knownSource ? 'learning' : 'alert';
  }

  snapshot(): unknown {
    return { ...(this.since !== undefined ? { since: this.since } : {}), principals: this.principals.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.principals.evict(before, watermark);
  }
}
