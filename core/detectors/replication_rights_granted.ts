import { asSid, hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { DirectoryObjectAccess, DirectoryObjectChange, EventOrigin, IdentityEvent } from '../events/identity-event';
import { allowsOnObject, daclAces, trusteeName } from '../events/sddl';
import { DS_ACCESS, DS_REPLICATION_GET_CHANGES, DS_REPLICATION_GET_CHANGES_FILTERED, REPLICATION_RIGHTS, SCHEMA, holdsReplicationRightsByDefault } from '../estate/directory-rights';
import { SYSTEM_SIDS } from '../estate/well-known-sids';
import { HOUR, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule } from './detector';
import type { AlertAccount, Severity } from '../alerts/alert';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { and, anyOf, regex, security, type NativeQuery } from '../rules/tree';
import { originOf } from '../alerts/evidence';
import { KeyedTable, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * A DCSync backdoor planted in the domain's ACL (PowerView Add-DomainObjectAcl -Rights DCSync,
 * impacket dacledit, ntlmrelayx --escalate-user after PrivExchange): a 5136 rewriting the domain object's `nTSecurityDescriptor` so that a principal that is not a
 * DC or a configured sync account is allowed DS-Replication-Get-Changes(-All), or rights that
 * let it grant itself those (GenericAll, WriteDACL, WriteOwner, all extended rights). Windows logs
 * the old descriptor ("value deleted") just before the new one, so the grant is the diff of the
 * two, and the alert says which principal got which right. The 4662 WRITE_DAC in the same logon
 * session is kept as evidence; a machine account doing it is relayed credentials (PrivExchange).
 * OU-level delegations are not on the domain object and are not replication: they are left out.
 */

const NT_SECURITY_DESCRIPTOR = 'ntsecuritydescriptor';
/** Replication without password hashes: Get-Changes-All (or a right to grant it) is what DCSync needs. */
const NON_SECRET_RIGHTS = new Set([REPLICATION_RIGHTS[DS_REPLICATION_GET_CHANGES], REPLICATION_RIGHTS[DS_REPLICATION_GET_CHANGES_FILTERED]]);
/** 5136 OperationType of a written value: the message-table code, or its text where an exporter renders it. */
const VALUE_ADDED = ['%%14674', 'Value Added'];
const MAX_OBJECTS = 1_000;
const MAX_WRITE_DAC = 10_000;
const WRITE_DAC_MEMORY_MS = HOUR;

/**
 * The new descriptor of the domain object grants a replication right to a principal outside the
 * built-in RIDs (below 1000): what every alert satisfies when the right is a replication one. It
 * also fires when such a grant is only carried over (an Entra Connect account) — the diff is the
 * engine's. The rights string is matched in two-letter steps so `DCRP` is not read as `CR`; the
 * pattern keeps to what every SIEM's regex dialect reads (no `\d`, no `(?:`: Lucene has neither).
 */
const grantInDescriptor: NativeQuery = {
  name: 'domain-acl-replication-grant',
  match: [{
    source: security(5136),
    where: and(anyOf('AttributeLDAPDisplayName', ['nTSecurityDescriptor']), anyOf('OperationType', VALUE_ADDED), anyOf('ObjectClass', ['domainDNS']),
      regex('AttributeValue', `\\(OA;[^;()]*;([a-z][a-z])*CR([a-z][a-z])*;(${Object.keys(REPLICATION_RIGHTS).join('|')});[^;()]*;S-1-5-21-[0-9]+-[0-9]+-[0-9]+-[0-9]{4,}\\)`)),
  }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['ObjectDN'] }],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'replication_rights_granted',
  title: 'Replication rights granted on the domain (DCSync backdoor)',
  summary: 'A 5136 on the domain object\'s nTSecurityDescriptor added an ACE giving DS-Replication-Get-Changes(-All), GenericAll, WriteDACL or WriteOwner to a principal that is not a DC or a sync account (old and new SDDL diffed); the 4662 WRITE_DAC before it is evidence.',
  severity: 'high',
  mitre: { tactics: ['persistence', 'privilege-escalation'], techniques: ['T1222.001', 'T1098', 'T1003.006'] },
  requires: [{
    channel: 'Security', eventIds: [5136],
    fields: ['ObjectDN', 'ObjectGUID', 'ObjectClass', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType', 'OpCorrelationID', 'SubjectUserName', 'SubjectUserSid', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs, with an auditing SACL (Everyone, Write all properties / Modify permissions) on the domain object',
  }, {
    channel: 'Security', eventIds: [4662],
    fields: ['ObjectType', 'ObjectName', 'AccessMask', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs: the WRITE_DAC on the domain object that precedes the change',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: traces the change to its source address',
  }],
  consumes: ['directory_object_change', 'directory_object_access'],
  falsePositives: [
    'Installing a directory-sync service (Entra Connect, an identity-governance connector) grants its account replication rights: list it in directorySyncAccounts by SID, as the descriptor names it.',
    'Exchange setup (/PrepareAD) rewrites the domain ACL for its own groups; review and exclude the installing admin for this detector during the change window.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Remove the added ACE from the domain object (Active Directory Users and Computers > domain > Security > Advanced, or dsacls) and confirm it is gone.',
    'Check whether the principal that got the rights has already replicated (DCSync alerts, 4662 with DS-Replication-Get-Changes-All); if so, reset krbtgt twice and every privileged password.',
    'Reset the credentials of the actor; a machine account making this change means its NTLM authentication was relayed (PrivExchange): require LDAP signing and channel binding on DCs.',
  ],
  native: { kind: 'signal', queries: [grantInDescriptor], note: 'the query sees a replication right held by a non-built-in principal in the new descriptor; whether this change added it needs the old descriptor, which the engine diffs' },
};

/** A right a principal holds on the domain object that amounts to being able to DCSync. */
interface DominanceGrant {
  readonly right: string;
  readonly trustee: string;
  readonly key: string;
}

/** A domain object's last descriptor seen: the grant keys in it. */
interface SeenDescriptor {
  grants: string[];
  lastSeen: number;
}

/**
 * `object|trustee` → rights granted within the alert bucket: PowerView and dacledit write one
 * right per change, and the merged alert must name them all, not the last.
 */
interface BucketGrants {
  rights: string[];
  since: number;
}

// Grants in one descriptor: each (right, trustee) pair once; restore refuses only what no descriptor could hold.
const MAX_SAVED_GRANTS = 10_000;

/** `[lastSeen, grant keys]`, for the state TTL, at most MAX_OBJECTS. */
const descriptorTable: TableSpec<SeenDescriptor> = valueTable('descriptors', 'grants', { read: (v, read, path) => read.list(v, path, MAX_SAVED_GRANTS, (x, p) => read.string(x, p)) });

/** `[since, rights]`, for the alert bucket: past it the rights start afresh. */
const grantedTable: TableSpec<BucketGrants> = {
  name: 'granted',
  horizonMs: declaration.bucketHours * HOUR,
  lastSeen: (g) => g.since,
  encode: (g) => [g.since, g.rights],
  decode(v, read, path) {
    const [since, rights] = read.tuple(v, path, 2);
    return { since: read.number(since, `${path}.0`), rights: read.list(rights, `${path}.1`, MAX_SAVED_GRANTS, (x, p) => read.string(x, p)) };
  },
};

export const replicationRightsGranted: DetectorModule = {
  declaration,
  create: (_settings, saved) => new ReplicationRightsDetector(saved),
};

class ReplicationRightsDetector implements Detector {
  readonly declaration = declaration;
  /** `host|logonId` → the last WRITE_DAC opened on a domain object in that session (not persisted: minutes apart). */
  private readonly writeDac = new Map<string, EventOrigin>();
  /** Domain object (GUID or DN) → its last descriptor seen. */
  private readonly descriptors: KeyedTable<SeenDescriptor>;
  private readonly granted: KeyedTable<BucketGrants>;

  constructor(saved: unknown) {
    const { read, section } = openSection('replication_rights_granted', saved);
    this.descriptors = new KeyedTable(descriptorTable, section['descriptors'], read);
    this.granted = new KeyedTable(grantedTable, section['granted'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'directory_object_access') this.rememberWriteDac(ev);
    else if (ev.kind === 'directory_object_change' && ev.attribute?.toLowerCase() === NT_SECURITY_DESCRIPTOR && isDomainHead(ev)) this.descriptorChanged(ev, ctx);
  }

  private descriptorChanged(ev: DirectoryObjectChange, ctx: DetectionContext): void {
    const object = ev.objectGuid ?? ev.objectDn.toLowerCase();
    const grants = dominanceGrants(ev.value ?? '');
    const previous = this.descriptors.get(object);
    this.remember(object, grants, ev.time);
    if (ev.action !== 'value_added' || !ev.subject || isDirectoryItself(ev.subject)) return;
    const session = ev.logonId ? ctx.directory.logonSession(ev.host, ev.logonId) : undefined;
    const ip = session?.ip && !isLoopback(session.ip) ? session.ip : undefined;
    // A DC's own account rewriting the domain ACL is the directory at work, unless it came from elsewhere.
    if (ctx.directory.isDomainControllerAccount(ev.subject) && (!ip || ctx.directory.isDomainControllerAddress(ip))) return;
    const added = grants.filter((g) => !(previous?.grants.includes(g.key) ?? false))
      .filter((g) => !isSyncAccount(g.trustee, ctx));
    const trustees = [...new Set(added.map((g) => g.trustee))];
    const writeDac = ev.logonId ? this.writeDac.get(`${hostKey(ev.host)}|${ev.logonId}`) : undefined;
    for (const trustee of trustees) {
      const rights = this.accumulate(`${object}|${trustee}`, added.filter((g) => g.trustee === trustee).map((g) => g.right), ev.time);
      const machine = isMachineAccount(ev.subject);
      // Get-Changes alone replicates no secrets: some sync tools (SharePoint profile sync) hold just that.
      const secrets = rights.some((r) => !NON_SECRET_RIGHTS.has(r));
      const severity: Severity = secrets ? (previous ? 'high' : 'medium') : (previous ? 'medium' : 'low');
      ctx.emit({
        keys: [object, trustee],
        severity,
        title: machine ? 'Replication rights granted on the domain by a machine account (relayed credentials)' : declaration.title,
        description: `${machine ? 'The machine account ' : ''}${qualified(ev.subject)}${ip ? ` from ${ip}` : ''} changed the ACL of the domain object ${ev.objectDn} on ${ev.host}, giving ${trusteeName(trustee)} ${rights.join(', ')}. `
          + (secrets
            ? 'With these rights the principal can replicate every password hash in the domain, krbtgt\'s included (DCSync), without being a domain admin; only domain controllers and directory-sync accounts need them.'
            : 'These rights replicate the directory without its secrets; adding DS-Replication-Get-Changes-All would make it a DCSync backdoor. Some sync services (SharePoint profile sync) are granted just this.')
          + (machine ? ' A computer account does not edit domain ACLs: its authentication was most likely relayed (PrivExchange, NTLM relay to LDAP).' : '')
          + (previous ? '' : ' The previous descriptor was not seen, so the right may be older than this change.'),
        accounts: [accountEntity(ev.subject, 'actor'), trusteeEntity(trustee)],
        hosts: present([hostEntity('source', session?.workstation, ip), hostEntity('target', ev.host)]),
        events: writeDac ? [ev, writeDac] : [ev],
        details: { object: ev.objectDn, trustee, rights, ...(ev.correlationId ? { correlationId: ev.correlationId } : {}) },
      });
    }
  }

  private accumulate(key: string, rights: readonly string[], time: number): string[] {
    const known = this.granted.get(key);
    const current = known && time - known.since < declaration.bucketHours * HOUR ? known : { rights: [], since: time };
    for (const r of rights) if (!current.rights.includes(r)) current.rights.push(r);
    this.granted.touch(key, current);
    this.granted.capTo(MAX_OBJECTS);
    return [...current.rights];
  }

  private remember(object: string, grants: readonly DominanceGrant[], time: number): void {
    this.descriptors.touch(object, { grants: grants.map((g) => g.key), lastSeen: time });
    this.descriptors.capTo(MAX_OBJECTS);
  }

  private rememberWriteDac(ev: DirectoryObjectAccess): void {
    if (!ev.logonId || ev.accessMask === undefined || (ev.accessMask & DS_ACCESS.writeDac) === 0 || ev.objectType !== SCHEMA.domainDNS) return;
    const key = `${hostKey(ev.host)}|${ev.logonId}`;
    this.writeDac.delete(key);
    this.writeDac.set(key, originOf(ev));
    for (const [k, o] of this.writeDac) {
      if (this.writeDac.size <= MAX_WRITE_DAC && ev.time - o.time <= WRITE_DAC_MEMORY_MS) break;
      this.writeDac.delete(k);
    }
  }

  snapshot(): unknown {
    return { descriptors: this.descriptors.snapshot(), granted: this.granted.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.descriptors.evict(before, watermark);
    this.granted.evict(before, watermark);
    for (const [k, o] of this.writeDac) if (o.time < before) this.writeDac.delete(k);
  }
}

/** The domain naming context head: class domainDNS, or a DN made of DC= parts only. */
function isDomainHead(ev: DirectoryObjectChange): boolean {
  if (ev.objectClass) return ev.objectClass.toLowerCase() === 'domaindns';
  return /^DC=[^,]+(,DC=[^,]+)*$/i.test(ev.objectDn.trim());
}

/** What the descriptor lets non-default principals do that amounts to DCSync. */
export function dominanceGrants(sddl: string): DominanceGrant[] {
  const out = new Map<string, DominanceGrant>();
  const add = (right: string, trustee: string): void => {
    const key = `${right}|${trustee}`;
    if (!out.has(key)) out.set(key, { right, trustee, key });
  };
  for (const ace of daclAces(sddl)) {
    if (!allowsOnObject(ace) || holdsReplicationRightsByDefault(ace.trustee)) continue;
    const has = (code: string, bit: number): boolean => ace.rights.includes(code) || ((ace.mask ?? 0) & bit) !== 0;
    if (ace.objectGuid) {
      const right = REPLICATION_RIGHTS[ace.objectGuid];
      if (right && has('CR', DS_ACCESS.controlAccess)) add(right, ace.trustee);
      continue;
    }
    if (has('GA', DS_ACCESS.genericAll)) add('GenericAll', ace.trustee);
    if (has('WD', DS_ACCESS.writeDac)) add('WriteDACL', ace.trustee);
    if (has('WO', DS_ACCESS.writeOwner)) add('WriteOwner', ace.trustee);
    if (has('CR', DS_ACCESS.controlAccess)) add('All extended rights (replication included)', ace.trustee);
  }
  return [...out.values()];
}

/** A configured directory-sync account, named in the descriptor by its SID. */
function isSyncAccount(trustee: string, ctx: DetectionContext): boolean {
  const sid = asSid(trustee);
  return ctx.directory.isDirectorySyncAccount(sid ? { name: trustee, sid } : { name: trustee });
}

function trusteeEntity(trustee: string): AlertAccount {
  const sid = asSid(trustee);
  return { name: trusteeName(trustee), role: 'target', ...(sid ? { sid } : {}) };
}

/** SYSTEM rewrites descriptors itself (SDProp, schema defaults). */
function isDirectoryItself(subject: Account): boolean {
  return subject.sid !== undefined && SYSTEM_SIDS.has(subject.sid);
}
