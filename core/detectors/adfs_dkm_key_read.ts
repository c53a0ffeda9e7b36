import { accountKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { DirectoryObjectAccess, IdentityEvent } from '../events/identity-event';
import { DS_ACCESS, SCHEMA } from '../estate/directory-rights';
import { SYSTEM_SIDS } from '../estate/well-known-sids';
import { DAY, stillLearning, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { and, anyOf, bits, contains, not, or, security, type NativeQuery } from '../rules/tree';
import { countDay, countedDaysTable, NO_DAYS, type CountedDays } from '../state/day-bits';
import { KeyedTable, rowAt } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Golden SAML preparation (MDI "Suspected AD FS DKM key read"; AADInternals Export-AADIntADFSCertificates,
 * ADFSDump): AD FS encrypts its token-signing key with a DKM master key it keeps in Active
 * Directory, in the `thumbnailPhoto` attribute of a contact object under
 * CN=ADFS,CN=Microsoft,CN=Program Data. Whoever reads that attribute and the AD FS configuration
 * can decrypt the signing certificate and forge SAML tokens for any federated user. The DC audits
 * the read as 4662 (Read Property on class contact, property thumbnailPhoto) when the container
 * has an auditing SACL. Only the AD FS service account reads it, when the service starts; it is
 * learned (a reader seen on several days from the start of learning) or configured as an
 * exclusion. Reading the AD FS configuration or the container without the key is not alerted.
 */

const CONTACT_CLASS_NAMES = [SCHEMA.contact, 'contact'];

/** Read Property of thumbnailPhoto on a contact object, by anyone but the DC's own services. */
const keyRead: NativeQuery = {
  name: 'dkm-key-read',
  match: [{
    source: security(4662),
    where: and(or(contains('ObjectType', SCHEMA.contact), anyOf('ObjectType', ['contact'])), bits('AccessMask', DS_ACCESS.readProperty),
      contains('Properties', SCHEMA.thumbnailPhoto), not(anyOf('SubjectUserSid', [...SYSTEM_SIDS]))),
  }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['ObjectName'] }],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'adfs_dkm_key_read',
  title: 'AD FS DKM key read (Golden SAML preparation)',
  summary: 'A principal other than the (learned or configured) AD FS service account read the thumbnailPhoto attribute of a contact object — where AD FS keeps its DKM master key (4662, Read Property).',
  severity: 'high',
  mitre: { tactics: ['credential-access'], techniques: ['T1552.004', 'T1606.002'] },
  requires: [{
    channel: 'Security', eventIds: [4662],
    fields: ['ObjectType', 'ObjectName', 'AccessMask', 'Properties', 'SubjectUserName', 'SubjectUserSid', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs, with an auditing SACL (Everyone, Read all properties) on the AD FS DKM container CN=ADFS,CN=Microsoft,CN=Program Data',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: traces the read to its source address',
  }],
  consumes: ['directory_object_access'],
  falsePositives: [
    'The AD FS service account reads the key whenever the AD FS service starts: it is learned, or list it in detectors.adfs_dkm_key_read.exclusions.accounts.',
    'An AD FS farm migration or certificate renewal run by an administrator: a one-off, check the change record.',
  ],
  thresholds: {
    learnAfterDays: { default: 2, minimum: 2, integer: true, description: 'Distinct days a principal must read the DKM key, starting during the learning period, to be learned as the AD FS service account' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Treat the AD FS token-signing certificate as stolen: roll it over twice (Update-AdfsCertificate -Urgent) and update every relying party and Entra ID federation trust.',
    'Isolate the source machine and reset the actor\'s credentials; look for forged SAML sign-ins (Entra sign-ins federated without a matching AD FS 1200/1202 event).',
    'Restrict read access to the DKM container to the AD FS service account.',
  ],
  native: { kind: 'signal', queries: [keyRead], note: 'the engine learns the AD FS service account, which reads the key on every service start; the query alerts on it too until it is excluded' },
};

/** A reader of the DKM key being learned: the days it read it (at most 31), for the state TTL. */
interface Reader extends CountedDays {
  lastSeen: number;
}

const MAX_DAYS = 31;

export const adfsDkmKeyRead: DetectorModule = {
  declaration,
  create: (settings, saved) => new AdfsDkmKeyReadDetector(settings, saved),
};

class AdfsDkmKeyReadDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly readers: KeyedTable<Reader>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section, since } = openSection('adfs_dkm_key_read', saved);
    this.since = since;
    this.readers = new KeyedTable<Reader>(countedDaysTable('readers'), section['readers'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'directory_object_access' || !isKeyRead(ev) || !ev.subject) return;
    const actor = ev.subject;
    if ((actor.sid && SYSTEM_SIDS.has(actor.sid)) || ctx.directory.isDomainControllerAccount(actor)) return;
    this.since ??= ev.time;
    const verdict = this.learnReader(accountKey(actor), ev.time);
    if (verdict === 'benign') return;
    const session = ev.logonId ? ctx.directory.logonSession(ev.host, ev.logonId) : undefined;
    const ip = session?.ip && !isLoopback(session.ip) ? session.ip : undefined;
    const from = ip ?? session?.workstation;
    ctx.emit({
      keys: [accountKey(actor), ev.objectName ?? ''],
      severity: 'high',
      description: `${who(actor)}${from ? ` from ${from}` : ''} read the thumbnailPhoto attribute of the contact object ${ev.objectName ?? '(unnamed)'} on ${ev.host}: `
        + 'this is where AD FS keeps its DKM master key, which decrypts the token-signing certificate. With it and the AD FS configuration, SAML tokens can be forged for any federated user (Golden SAML). '
        + 'Only the AD FS service account reads it, when the service starts.'
        + (verdict === 'learning' ? ' The reader recurs like the AD FS service account; it will be learned if it keeps doing so.' : ' If this is the AD FS service account, add it to this detector\'s exclusions.'),
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', session?.workstation, ip), hostEntity('target', ev.host)]),
      events: [ev],
      details: { object: ev.objectName, accessMask: `0x${(ev.accessMask ?? 0).toString(16)}`, attribute: 'thumbnailPhoto' },
      learning: verdict === 'learning',
    });
  }

  /**
   * The service account reads the key on each service start, on days apart; it is learned once
   * it has done so on `learnAfterDays` days, starting inside the learning period. A reader first
   * seen after learning ended is never learned: that is what a key theft looks like.
   */
  private learnReader(key: string, time: number): 'benign' | 'alert' | 'learning' {
    const learning = stillLearning(this.settings, this.since, time);
    if (!learning && !this.readers.has(key)) return 'alert';
    const r = rowAt(this.readers, key, time, () => ({ days: NO_DAYS, dayCount: 0, lastSeen: time }));
    countDay(r, Math.floor(time / DAY), MAX_DAYS);
    if (r.dayCount >= (this.settings.thresholds['learnAfterDays'] ?? 2)) return 'benign';
    return learning && r.dayCount > 1 ? 'learning' : 'alert';
  }

  snapshot(): unknown {
    return { ...(this.since !== undefined ? { since: this.since } : {}), readers: this.readers.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.readers.evict(before, watermark);
  }
}

/** Read Property on a contact object that includes thumbnailPhoto: the DKM key itself. */
function isKeyRead(ev: DirectoryObjectAccess): boolean {
  return ev.accessMask !== undefined && (ev.accessMask & DS_ACCESS.readProperty) !== 0
    && ev.objectType !== undefined && CONTACT_CLASS_NAMES.includes(ev.objectType.toLowerCase())
    && ev.properties.includes(SCHEMA.thumbnailPhoto);
}

function who(actor: Account): string {
  return isMachineAccount(actor) ? `The machine account ${qualified(actor)}` : qualified(actor);
}
