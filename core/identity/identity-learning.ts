import type { DirectoryView } from '../detectors/directory-model';
import { isMachineAccount, type Account } from '../events/fields';
import type { CloudPrincipal, CloudTarget, IdentityEvent } from '../events/identity-event';
import type { IdentityDirectory, IdentityRecord } from './identity-directory';
import { oidKey, sidKey, upnKey, type IdentityKey } from './identity-keys';
import { isWellKnownServiceSid, replicationTrustees, roleTier, sensitiveGroupName, sensitivePrivileges } from './privileged';

/**
 * What one event teaches about identities: which identifiers belong together (an event that
 * names an account and its SID, a sign-in with UPN and object id, an audit record whose target
 * lists its on-premises SID), who authenticated (activity), and what makes an identity
 * critical (sensitive group membership, privileges on a DC, replication rights, Entra roles,
 * enabled state).
 */

/** The events identity learning reads, beyond those detectors ask for (engine event filter). */
export const IDENTITY_NEEDS: readonly (readonly [string, number])[] = [
  ['security', 4624], ['security', 4672], ['security', 4722], ['security', 4725], ['security', 4728], ['security', 4729],
  ['security', 4732], ['security', 4733], ['security', 4756], ['security', 4757], ['security', 4768], ['security', 4771],
  ['security', 5136], ['signinlogs', 0], ['auditlogs', 0],
];

export function learnFromEvent(ids: IdentityDirectory, ev: IdentityEvent, directory: DirectoryView, sensitiveGroups: ReadonlySet<string>): void {
  switch (ev.kind) {
    case 'logon':
      active(ids, ev.account, ev.time);
      return;
    case 'kerberos_tgt_request':
    case 'ntlm_validation':
      if (ev.status === 0) active(ids, ev.account, ev.time);
      else if (ev.account.sid) link(ids, ev.account, ev.time);
      return;
    case 'kerberos_preauth_failure':
      // Failures link a name to its SID when Windows resolved one; guessed names make no identity.
      if (ev.account.sid) link(ids, ev.account, ev.time);
      return;
    case 'cloud_sign_in': {
      const record = ids.link(present([upnKey(ev.upn), oidKey(ev.userId)]), ev.time);
      if (record && ev.resultType === 0) ids.active(record, ev.time);
      return;
    }
    case 'special_privilege_logon': {
      // Admin logons on a DC: the account administers the domain. Machine accounts and the
      // well-known service SIDs get these privileges by design.
      if (isMachineAccount(ev.account) || isWellKnownServiceSid(ev.account.sid) || !directory.isDomainController(ev.host)) return;
      const privileges = sensitivePrivileges(ev.privileges);
      const record = link(ids, ev.account, ev.time);
      if (record && privileges.length) ids.addReason(record, 'tier0', `holds ${privileges.slice(0, 2).join(', ')} on domain controller ${ev.host}`);
      return;
    }
    case 'group_membership_change': {
      const group = sensitiveGroupName(ev.group, sensitiveGroups);
      // 4728-4757 name the member by SID and DN; the DN's CN is a display name, not an account name.
      const member = ev.member?.sid ? ids.link([sidKey(ev.member.sid) as string], ev.time) : undefined;
      if (!group || !member) return;
      if (ev.action === 'added') ids.addReason(member, 'tier0', `member of ${group}`);
      else ids.removeReason(member, 'tier0', `member of ${group}`);
      return;
    }
    case 'account_management': {
      const record = link(ids, ev.target, ev.time);
      if (!record) return;
      if (ev.action === 'disabled') record.disabled = true;
      if (ev.action === 'enabled') record.disabled = false;
      return;
    }
    case 'directory_object_change':
      if (ev.attribute?.toLowerCase() === 'ntsecuritydescriptor' && ev.value && ev.action === 'value_added') {
        for (const sid of replicationTrustees(ev.value)) {
          const record = ids.link([sidKey(sid) as string], ev.time);
          if (record) ids.addReason(record, 'tier0', `granted directory replication rights on ${ev.objectDn}`);
        }
      }
      return;
    case 'cloud_account_change': {
      cloudPrincipal(ids, ev.initiator, ev.time);
      const record = cloudTarget(ids, ev.target, ev.time);
      if (record) record.disabled = ev.action === 'disabled';
      return;
    }
    case 'cloud_role_change': {
      cloudPrincipal(ids, ev.initiator, ev.time);
      const record = cloudTarget(ids, ev.target, ev.time);
      const tier = roleTier(ev.role);
      if (!record || !tier) return;
      if (ev.action === 'added') ids.addReason(record, tier, `Entra role ${ev.role}`);
      else ids.removeReason(record, tier, `Entra role ${ev.role}`);
      return;
    }
    default:
      linkNamed(ids, ev);
      return;
  }
}

/**
 * Any other event that names an account with its SID (a 4688 or 4662 subject, a 5136 changer)
 * links the two, so an alert that names someone by SID alone (7045 logs only the installer's
 * SID) still resolves to their account name.
 */
function linkNamed(ids: IdentityDirectory, ev: IdentityEvent): void {
  const e = ev as unknown as Partial<Record<'subject' | 'account' | 'target' | 'targetAccount', Account>>;
  for (const a of [e.subject, e.account, e.target, e.targetAccount]) {
    if (a?.sid && a.name && a.name !== a.sid && !isMachineAccount(a)) link(ids, a, ev.time);
  }
}

function link(ids: IdentityDirectory, a: Account, time: number): IdentityRecord | undefined {
  // A name alone links nothing new, but still marks the identity as seen.
  return ids.linkAccount(a, time);
}

/**
 * A successful authentication by a person's account. Machine accounts (`NAME$`) authenticate
 * all day and are not who the priority score ranks among its active population; they get an
 * identity when an alert names them.
 */
function active(ids: IdentityDirectory, a: Account, time: number): void {
  if (isMachineAccount(a)) return;
  const record = link(ids, a, time);
  if (record) ids.active(record, time);
}

function cloudTarget(ids: IdentityDirectory, t: CloudTarget, time: number): IdentityRecord | undefined {
  return ids.link(present([oidKey(t.objectId), sidKey(t.onPremisesSid), upnKey(t.upn)]), time);
}

function cloudPrincipal(ids: IdentityDirectory, p: CloudPrincipal, time: number): void {
  ids.link(present([oidKey(p.objectId), upnKey(p.upn)]), time);
}

function present(keys: readonly (IdentityKey | undefined)[]): IdentityKey[] {
  return keys.filter((k): k is IdentityKey => k !== undefined);
}
