import type { Severity } from '../alerts/alert';
import { accountKey, asSid, type Account } from '../events/fields';
import type { AccountManagement, DirectoryObjectChange, IdentityEvent } from '../events/identity-event';
import { ADMINISTRATOR_RID, domainSidOf, ridOf } from '../estate/well-known-sids';
import type { DetectionContext, Detector, DetectorDeclaration, DetectorModule } from './detector';
import { accountEntity, qualified } from '../alerts/entities';
import { cnOf } from '../events/dn';
import { originOf } from '../alerts/evidence';
import { BUILTIN, DOMAIN_RIDS } from '../estate/sensitive-groups';
import { or, regex, security, type NativeQuery } from '../rules/tree';

/**
 * SID-history injection (T1134.005): a SID in an account's sIDHistory is honoured at logon as
 * if the account held it, so adding a privileged SID (the domain's Administrator, Domain or
 * Enterprise Admins, a tier-0 group) makes any account an admin without any group change.
 * Migrations add SID history legitimately (ADMT, DsAddSidHistory), but only from *another*
 * domain, and DsAddSidHistory refuses same-forest sources: a SID of the account's own domain in
 * sIDHistory is written by mimikatz `sid::add`, DCShadow or an offline edit. The DC audits
 * 4765 (added) / 4766 (refused), and 4738 / 5136 when sIDHistory itself changes.
 * Migrations from a domain listed in `migrationSourceDomains` are expected, unless the SID is
 * privileged.
 */
const PRIVILEGED_SID = [
  `^S-1-5-21-\\d+-\\d+-\\d+-(${[ADMINISTRATOR_RID, ...Object.keys(DOMAIN_RIDS)].join('|')})$`,
  `^(${Object.keys(BUILTIN).join('|')})$`,
];

const privilegedAdded: NativeQuery = {
  name: 'privileged-sid',
  match: [{ source: security(4765, 4766), where: or(...PRIVILEGED_SID.map((p) => regex('SourceSid', p))) }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['TargetUserName'] }],
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'sid_history_injection',
  title: 'SID history added to an account',
  summary: 'A SID was added to an account\'s sIDHistory (4765, refused 4766, 4738 / 5136 sIDHistory); high when the SID is privileged or of the account\'s own domain, expected from a configured migration source.',
  severity: 'high',
  mitre: { tactics: ['privilege-escalation', 'persistence'], techniques: ['T1134.005'] },
  requires: [{
    channel: 'Security', eventIds: [4765, 4766],
    fields: ['SourceUserName', 'SourceSid', 'TargetUserName', 'TargetSid', 'SubjectUserName', 'SubjectUserSid'],
    auditPolicy: 'Audit User Account Management (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4738, 4742],
    fields: ['SidHistory', 'TargetUserName', 'TargetSid', 'SubjectUserName'],
    auditPolicy: 'Audit User Account Management and Audit Computer Account Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136],
    fields: ['ObjectDN', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType', 'SubjectUserName'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs, with an auditing SACL on the domain (Write All Properties, descendant user and computer objects)',
  }],
  consumes: ['account_management', 'directory_object_change'],
  falsePositives: [
    'An ADMT migration from a domain not yet listed: add it to migrationSourceDomains (by DNS name, NetBIOS name or domain SID).',
    'The migration account itself: exclude it for this detector for the duration of a documented migration.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Remove the added SID from the account\'s sIDHistory (Set-ADUser -Remove @{sIDHistory=…}) and reset the account\'s password.',
    'Treat the actor as holding Domain Admin rights: adding SID history takes them, or a DC compromise.',
    'Enable SID filtering on trusts (netdom trust /quarantine) so foreign SID history is not honoured.',
  ],
  native: { kind: 'signal', queries: [privilegedAdded], note: 'privileged SIDs only: a SID of the target\'s own domain compares two fields, and a migration source is configuration the engine reads' },
};

interface Injection {
  readonly sid: string;
  readonly name?: string;
  readonly domain?: string;
  readonly target: Account;
  readonly actor?: Account;
  readonly refused: boolean;
}

export const sidHistoryInjection: DetectorModule = {
  declaration,
  create: () => new SidHistoryDetector(),
};

class SidHistoryDetector implements Detector {
  readonly declaration = declaration;

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    const found = ev.kind === 'account_management' ? fromAccountEvent(ev) : ev.kind === 'directory_object_change' ? fromDirectoryChange(ev) : [];
    for (const inj of found) this.judge(inj, ev, ctx);
  }

  private judge(inj: Injection, ev: IdentityEvent, ctx: DetectionContext): void {
    const rid = ridOf(inj.sid);
    const group = ctx.directory.sensitiveGroup({ sid: inj.sid, ...(inj.name ? { name: inj.name } : {}) });
    const privileged = rid === ADMINISTRATOR_RID ? 'the domain\'s built-in Administrator' : group ? group.name : undefined;
    // 5136 names the target by DN only: the writer's own domain is then the directory's.
    const targetDomain = domainSidOf(inj.target.sid) ?? domainSidOf(inj.actor?.sid);
    const sameDomain = targetDomain !== undefined && domainSidOf(inj.sid) === targetDomain;
    if (!privileged && !sameDomain && ctx.directory.isMigrationSource(domainSidOf(inj.sid), inj.domain)) return;
    const grave = privileged !== undefined || sameDomain;
    const severity: Severity = inj.refused ? (grave ? 'medium' : 'low') : grave ? 'high' : 'medium';
    const added = `${inj.name ? `${inj.domain ? `${inj.domain}\\` : ''}${inj.name} (${inj.sid})` : inj.sid}`;
    const why = privileged
      ? `${privileged} is privileged: the account now logs on with its rights.`
      : sameDomain
        ? 'The SID belongs to the account\'s own domain, which no migration does (DsAddSidHistory refuses it): it was written by a tool.'
        : 'The SID comes from a domain that is not configured as a migration source (migrationSourceDomains).';
    ctx.emit({
      keys: [inj.actor ? accountKey(inj.actor) : '', accountKey(inj.target)],
      severity,
      title: inj.refused ? 'Attempt to add SID history to an account' : declaration.title,
      description: `${inj.actor ? qualified(inj.actor) : 'An unknown account'} ${inj.refused ? 'tried to add' : 'added'} ${added} to the SID history of ${qualified(inj.target)} on ${ev.host}. ${why}`,
      accounts: [...(inj.actor ? [accountEntity(inj.actor, 'actor')] : []), accountEntity(inj.target, 'target')],
      hosts: [{ role: 'target', name: ev.host }],
      events: [originOf(ev)],
      details: { addedSid: inj.sid, ...(privileged ? { privileged } : {}), sameDomain, refused: inj.refused },
    });
  }

  snapshot(): Record<string, never> {
    return {};
  }

  evictIdle(): void {
    // Stateless.
  }
}

function fromAccountEvent(ev: AccountManagement): Injection[] {
  if ((ev.action === 'sid_history_added' || ev.action === 'sid_history_failed') && ev.addedSidHistory?.sid) {
    const a = ev.addedSidHistory;
    return [{ sid: a.sid as string, ...(a.name !== a.sid ? { name: a.name } : {}), ...(a.domain ? { domain: a.domain } : {}), target: ev.target, ...(ev.subject ? { actor: ev.subject } : {}), refused: ev.action === 'sid_history_failed' }];
  }
  // 4738 / 4742 list sIDHistory when a change wrote it (`%%1793` when it was cleared).
  if (ev.action !== 'changed' || !ev.sidHistory) return [];
  return sidsIn(ev.sidHistory).map((sid) => ({ sid, target: ev.target, ...(ev.subject ? { actor: ev.subject } : {}), refused: false }));
}

function fromDirectoryChange(ev: DirectoryObjectChange): Injection[] {
  if (ev.action !== 'value_added' || ev.attribute?.toLowerCase() !== 'sidhistory' || !ev.value) return [];
  const target: Account = { name: cnOf(ev.objectDn) ?? ev.objectDn };
  return sidsIn(ev.value).map((sid) => ({ sid, target, ...(ev.subject ? { actor: ev.subject } : {}), refused: false }));
}

function sidsIn(textValue: string): string[] {
  return [...new Set([...textValue.matchAll(/S-1-\d+(?:-\d+)+/gi)].map((m) => asSid(m[0])).filter((s): s is NonNullable<typeof s> => s !== undefined))];
}
