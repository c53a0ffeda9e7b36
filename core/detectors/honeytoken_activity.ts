import type { Severity } from '../alerts/alert';
import { accountKey, isLoopback, type Account } from '../events/fields';
import type { AccountAction, EventOrigin, IdentityEvent } from '../events/identity-event';
import type { DetectionContext, Detector, DetectorDeclaration, DetectorModule } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { cnOf } from '../events/dn';
import { SYSTEM_SIDS } from '../estate/well-known-sids';
import { and, anyOf, cloud, inSetting, not, or, security, type NativeQuery } from '../rules/tree';

/**
 * Honeytoken activity: a decoy account or object (config `honeytokens`: names, SIDs or object
 * GUIDs) exists only to be found, so any authentication as it, change to it or query of it is
 * an intruder's footprint — no learning, no threshold. Every event kind that can name an
 * account or a directory object is checked, in whichever field names it.
 */

type Touch = 'authentication' | 'change' | 'query';

/** What an event did to a honeytoken: who, from which session, and in what role. */
interface Finding {
  readonly touch: Touch;
  /** The honeytoken as the event names it (name, SID or GUID). */
  readonly token: string;
  /** Who acted: the decoy itself for an authentication, else the subject. */
  readonly actor?: Account;
  readonly ip?: string;
  readonly workstation?: string;
  readonly logonId?: string;
  /** Plain-language verb phrase, e.g. `read properties of`. */
  readonly what: string;
}

/**
 * Any event naming a decoy, in whichever field names it — the same fields `findingIn` reads.
 * The engine adds what a search cannot: the DCs' own maintenance (learned), and the source
 * traced through the logon session.
 */
const notDirectoryInternal = not(anyOf('SubjectUserSid', [...SYSTEM_SIDS]));
const decoyTouched: NativeQuery = {
  name: 'touch',
  match: [
    { source: security(4768, 4771, 4776, 4624, 4625, 4648), where: or(inSetting('TargetUserName', 'honeytokens'), inSetting('TargetUserSid', 'honeytokens')) },
    { source: security(4769), where: or(inSetting('TargetUserName', 'honeytokens'), inSetting('ServiceName', 'honeytokens'), inSetting('ServiceSid', 'honeytokens')) },
    { source: security(4662, 4661), where: and(notDirectoryInternal, or(inSetting('ObjectName', 'honeytokens'), inSetting('ObjectName', 'honeytokens', 'dn'))) },
    {
      source: security(4798, 4799, 4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4765, 4767, 4781, 4728, 4729, 4732, 4733, 4756, 4757),
      where: and(notDirectoryInternal, or(inSetting('TargetUserName', 'honeytokens'), inSetting('TargetSid', 'honeytokens'), inSetting('MemberSid', 'honeytokens'), inSetting('MemberName', 'honeytokens', 'dn'))),
    },
    { source: security(5136, 5137, 5139, 5141), where: and(notDirectoryInternal, or(inSetting('ObjectGUID', 'honeytokens'), inSetting('ObjectDN', 'honeytokens', 'dn'), and(anyOf('AttributeLDAPDisplayName', ['member']), inSetting('AttributeValue', 'honeytokens', 'dn')))) },
    { source: cloud('SigninLogs'), where: or(inSetting('UserPrincipalName', 'honeytokens'), inSetting('UserId', 'honeytokens')) },
  ],
  outputs: [
    { name: 'user', fields: ['SubjectUserName', 'TargetUserName', 'UserPrincipalName'] },
    { name: 'src', fields: ['IpAddress', 'WorkstationName', 'Workstation', 'IPAddress'] },
    { name: 'dest', fields: ['Computer'] },
    { name: 'object', fields: ['ObjectName', 'ObjectDN', 'ObjectGUID', 'ServiceName', 'TargetUserName', 'UserPrincipalName'] },
  ],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'honeytoken_activity',
  title: 'Honeytoken activity',
  summary: 'Any authentication as, change to, or query of a configured honeytoken (decoy account, group or object), across every event that names an account or directory object.',
  severity: 'high',
  mitre: { tactics: ['discovery', 'credential-access', 'persistence'], techniques: ['T1087.002', 'T1078.002', 'T1098'] },
  requires: [{
    channel: 'Security', eventIds: [4768, 4769, 4771, 4776, 4624, 4625, 4648],
    fields: ['TargetUserName', 'IpAddress'],
    auditPolicy: 'Audit Kerberos Authentication Service, Kerberos Service Ticket Operations, Credential Validation and Logon (Success and Failure)',
  }, {
    channel: 'Security', eventIds: [4662, 4661, 4798, 4799],
    fields: ['ObjectName', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Access (with a read-auditing SACL on each decoy object) and Audit SAM / Security Group Management',
  }, {
    channel: 'Security', eventIds: [4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4765, 4767, 4781, 4728, 4729, 4732, 4733, 4756, 4757],
    fields: ['TargetUserName', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit User Account Management and Audit Security Group Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136, 5137, 5139, 5141],
    fields: ['ObjectDN', 'ObjectGUID', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs',
  }, {
    channel: 'SigninLogs', eventIds: [0],
    fields: ['UserPrincipalName', 'IPAddress', 'ResultType'],
    auditPolicy: 'Entra ID sign-in logs exported to the SIEM (diagnostic setting SignInLogs)',
  }],
  consumes: [
    'kerberos_tgt_request', 'kerberos_service_ticket', 'kerberos_preauth_failure', 'ntlm_validation', 'logon', 'logon_failure',
    'explicit_credential_logon', 'directory_object_access', 'sam_object_access', 'group_enumeration', 'account_management',
    'group_membership_change', 'directory_object_change', 'cloud_sign_in',
  ],
  falsePositives: [
    'A script or scanner that still uses or enumerates the decoy: fix the script, or exclude its account or host for this detector.',
    'Directory maintenance by domain controllers themselves (SDProp, replication) is not reported.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Treat the source as compromised: find what ran there at that time and isolate it.',
    'A logon attempt as the decoy means its credentials were harvested from where they were planted: check that place.',
    'Keep the decoy untouched by scripts and scanners so that every alert stays meaningful.',
  ],
  native: { kind: 'detector', queries: [decoyTouched] },
};

export const honeytokenActivity: DetectorModule = {
  declaration,
  create: () => new HoneytokenDetector(),
};

class HoneytokenDetector implements Detector {
  readonly declaration = declaration;
  private directory: DetectionContext['directory'] | undefined;
  /**
   * Asked of the directory each time, not cached: a verdict cache of 100,000 entries thrashed on
   * an estate of 100,000 accounts (names plus SIDs), and its get/set on fresh SID strings cost
   * twice the lookup it saved (measured: 1.2 M lookups, 2.2 s cached against 1.1 s direct), plus
   * ~8 MB of heap for nothing.
   */
  private readonly isHoneytoken = (value: string | undefined): boolean =>
    value !== undefined && this.directory !== undefined && this.directory.isHoneytoken(value);

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (!ctx.directory.hasHoneytokens()) return;
    this.directory = ctx.directory;
    const f = findingIn(ev, this.isHoneytoken);
    if (!f) return;
    if (f.touch !== 'authentication' && f.actor && isDirectoryInternal(f.actor, ctx)) return;
    const session = f.logonId && (!f.ip || isLoopback(f.ip)) ? ctx.directory.logonSession(ev.host, f.logonId) : undefined;
    const ip = f.ip && !isLoopback(f.ip) ? f.ip : session?.ip && !isLoopback(session.ip) ? session.ip : undefined;
    const workstation = f.workstation ?? session?.workstation;
    const from = ip ?? workstation;
    const severity: Severity = f.touch === 'query' ? 'medium' : 'high';
    const who = f.touch === 'authentication' ? `Someone${from ? ` on ${from}` : ''}` : `${f.actor ? qualified(f.actor) : 'An unknown account'}${from ? ` from ${from}` : ''}`;
    ctx.emit({
      keys: [f.token.toLowerCase(), f.touch, f.actor ? accountKey(f.actor) : from ?? ''],
      severity,
      title: TITLES[f.touch],
      description: `${who} ${f.what} (${eventName(ev)} on ${ev.host}). ${display(f.token)} is a honeytoken: nothing legitimate `
        + `${f.touch === 'authentication' ? 'signs in with it' : f.touch === 'change' ? 'changes it' : 'looks it up'}, so this is an intruder's footprint.`,
      accounts: present([
        f.actor ? accountEntity(f.actor, 'actor') : undefined,
        f.touch === 'authentication' ? undefined : { name: f.token, role: 'target' as const },
      ]),
      hosts: present([hostEntity('source', workstation, ip), hostEntity('target', ev.host)]),
      events: [ev],
      details: { honeytoken: f.token, touch: f.touch, eventId: ev.eventId },
    });
  }

  snapshot(): Record<string, never> {
    return {};
  }

  evictIdle(): void {
    // Stateless: every touch is reported on its own.
  }
}

const TITLES: Record<Touch, string> = {
  authentication: 'Honeytoken authentication activity',
  change: 'Honeytoken was modified',
  query: 'Honeytoken was queried',
};

/** Which honeytoken an event touches, and how; the field that names it differs per event. */
export function findingIn(ev: IdentityEvent, isHoneytoken: (v: string | undefined) => boolean): Finding | undefined {
  // No closures in here: this runs for almost every event, and each one would cost an allocation.
  switch (ev.kind) {
    case 'kerberos_tgt_request':
    case 'kerberos_preauth_failure': {
      const token = decoyOf(ev.account, isHoneytoken);
      return token ? auth(token, ev.account, `requested a Kerberos TGT as ${token}${ev.status ? ' (failed)' : ''}`, ev.ip) : undefined;
    }
    case 'kerberos_service_ticket': {
      const user = decoyOf(ev.account, isHoneytoken);
      if (user) return auth(user, ev.account, `requested a service ticket for ${ev.serviceName} as ${user}`, ev.ip);
      // A ticket *for* the decoy's SPN is a roasting or SPN-discovery probe of it.
      const service = isHoneytoken(ev.serviceName) ? ev.serviceName : isHoneytoken(ev.serviceSid) ? ev.serviceSid : undefined;
      return service ? { touch: 'query', token: service, actor: ev.account, what: `requested a service ticket for the honeytoken service ${service}`, ...(ev.ip ? { ip: ev.ip } : {}) } : undefined;
    }
    case 'ntlm_validation': {
      const token = decoyOf(ev.account, isHoneytoken);
      return token ? auth(token, ev.account, `authenticated with NTLM as ${token}${ev.status ? ' (failed)' : ''}`, undefined, ev.workstation) : undefined;
    }
    case 'logon':
    case 'logon_failure': {
      const token = decoyOf(ev.account, isHoneytoken);
      return token ? { ...auth(token, ev.account, `${ev.kind === 'logon' ? 'logged on' : 'failed to log on'} as ${token}`, ev.ip, ev.workstation), ...(ev.kind === 'logon' && ev.logonId ? { logonId: ev.logonId } : {}) } : undefined;
    }
    case 'explicit_credential_logon': {
      const token = decoyOf(ev.account, isHoneytoken);
      return token ? { touch: 'authentication', token, actor: ev.account, what: `used the honeytoken's credentials explicitly${ev.subject ? ` (as ${qualified(ev.subject)})` : ''}${ev.targetServer ? ` towards ${ev.targetServer}` : ''}`, ...(ev.ip ? { ip: ev.ip } : {}) } : undefined;
    }
    case 'directory_object_access': {
      const token = isHoneytoken(ev.objectName) ? ev.objectName : undefined;
      return token ? subjectFinding('query', token, ev, `${accessVerb(ev.accessMask)} the honeytoken ${CLASS_NAMES[ev.objectType ?? ''] ?? 'object'} ${display(token)}`) : undefined;
    }
    case 'sam_object_access': {
      const token = isHoneytoken(ev.objectName) || isHoneytoken(cnOf(ev.objectName)) ? ev.objectName : undefined;
      return token ? subjectFinding('query', token, ev, `opened the honeytoken ${token} through SAM (${ev.objectType ?? 'SAM object'})`) : undefined;
    }
    case 'group_enumeration': {
      const token = decoyOf(ev.target, isHoneytoken);
      return token ? subjectFinding('query', token, ev, `enumerated the group memberships of the honeytoken ${token}`) : undefined;
    }
    case 'account_management': {
      const token = decoyOf(ev.target, isHoneytoken);
      return token ? subjectFinding('change', token, ev, `${ACTION_TEXT[ev.action]} the honeytoken account ${token}`) : undefined;
    }
    case 'group_membership_change': {
      const member = decoyOf(ev.member, isHoneytoken) ?? (isHoneytoken(cnOf(ev.memberDn)) ? cnOf(ev.memberDn) : undefined);
      if (member) return subjectFinding('change', member, ev, `${ev.action} the honeytoken ${member} ${ev.action === 'added' ? 'to' : 'from'} ${ev.group.name}`);
      const group = decoyOf(ev.group, isHoneytoken);
      return group ? subjectFinding('change', group, ev, `changed the membership of the honeytoken group ${group}`) : undefined;
    }
    case 'directory_object_change': {
      const token = isHoneytoken(ev.objectGuid) ? ev.objectGuid : isHoneytoken(cnOf(ev.objectDn)) ? cnOf(ev.objectDn) : undefined;
      if (token) return subjectFinding('change', token, ev, `${ev.action.replace('_', ' ')}${ev.attribute ? ` ${ev.attribute} of` : ''} the honeytoken object ${ev.objectDn}`);
      const member = ev.attribute?.toLowerCase() === 'member' && isHoneytoken(cnOf(ev.value)) ? cnOf(ev.value) : undefined;
      return member ? subjectFinding('change', member, ev, `changed group ${ev.objectDn} to ${ev.action === 'value_added' ? 'include' : 'exclude'} the honeytoken ${member}`) : undefined;
    }
    case 'cloud_sign_in': {
      const token = isHoneytoken(ev.upn) ? ev.upn : isHoneytoken(ev.userId) ? ev.userId : undefined;
      return token ? auth(token, { name: ev.upn }, `signed in to Entra ID as ${token}${ev.resultType ? ` (error ${ev.resultType})` : ''}`, ev.ip) : undefined;
    }
    default:
      return undefined;
  }
}

/** The name or SID by which `a` is a configured honeytoken, if it is one. */
function decoyOf(a: Account | undefined, isHoneytoken: (v: string | undefined) => boolean): string | undefined {
  if (a === undefined) return undefined;
  if (isHoneytoken(a.name)) return a.name;
  return isHoneytoken(a.sid) ? a.sid : undefined;
}

function auth(token: string, account: Account, what: string, ip?: string, workstation?: string): Finding {
  return { touch: 'authentication', token, actor: account, what, ...(ip ? { ip } : {}), ...(workstation ? { workstation } : {}) };
}

function subjectFinding(touch: Touch, token: string, ev: { readonly subject?: Account; readonly logonId?: string }, what: string): Finding {
  return { touch, token, what, ...(ev.subject ? { actor: ev.subject } : {}), ...(ev.logonId ? { logonId: ev.logonId } : {}) };
}

/** Domain controllers and SYSTEM maintain every object (SDProp, replication, group expansion). */
function isDirectoryInternal(actor: Account, ctx: DetectionContext): boolean {
  return (actor.sid !== undefined && SYSTEM_SIDS.has(actor.sid)) || ctx.directory.isDomainControllerAccount(actor);
}

// 4662 AccessMask bits on a DS object (MS docs "Active Directory access rights").
function accessVerb(mask: number | undefined): string {
  if (mask === undefined) return 'accessed';
  if (mask & 0x20) return 'wrote properties of';
  if (mask & 0x10) return 'read properties of';
  if (mask & 0x100) return 'used a control access right on';
  if (mask & 0x4) return 'listed the contents of';
  return 'accessed';
}

const ACTION_TEXT: Record<AccountAction, string> = {
  created: 'created', changed: 'changed', deleted: 'deleted', enabled: 'enabled', disabled: 'disabled',
  password_reset: 'reset the password of', password_change: 'changed the password of', locked_out: 'locked out',
  unlocked: 'unlocked', renamed: 'renamed', sid_history_added: 'added SID history to', sid_history_failed: 'tried to add SID history to',
};

// schemaIDGUIDs of the classes a decoy usually is (MS docs, AD schema).
const CLASS_NAMES: Record<string, string> = {
  'bf967aba-0de6-11d0-a285-00aa003049e2': 'user',
  'bf967a9c-0de6-11d0-a285-00aa003049e2': 'group',
  'bf967a86-0de6-11d0-a285-00aa003049e2': 'computer',
};

/** A GUID in the braces AD tools show it with; names and SIDs as they are. */
function display(token: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token) ? `{${token}}` : token;
}

function eventName(ev: EventOrigin): string {
  return ev.eventId === 0 ? 'Entra sign-in' : `event ${ev.eventId}`;
}
