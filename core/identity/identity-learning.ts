import type { SharedNeeds } from '../detectors/detector';
import type { DirectoryView } from '../estate/directory-model';
import { isMachineAccount, type Account } from '../events/fields';
import type { CloudPrincipal, CloudTarget, IdentityEvent } from '../events/identity-event';
import type { IdentityDirectory, IdentityRecord } from './identity-directory';
import { oidKey, sidKey, upnKey, type IdentityKey } from './identity-keys';
import { isWellKnownServiceSid, replicationTrustees, roleTier, sensitivePrivileges } from './privileged';

/**
 * What one event teaches about identities: which identifiers belong together (an event that
 * names an account and its SID, a sign-in with UPN and object id, an audit record whose target
 * lists its on-premises SID), who authenticated (activity), and what makes an identity
 * critical (sensitive group membership, privileges on a DC, replication rights, Entra roles,
 * enabled state).
 */

/**
 * The events identity learning reads, pulled whichever detectors are enabled: who is active
 * (4624, 4768, Entra sign-ins), which identifiers belong together (4771, sign-ins, audit
 * targets with their on-premises SID), and what makes an identity critical (4672 on a DC,
 * 4728-4757 sensitive groups, 5136 replication rights, 4722/4725 and Entra enabled state, roles).
 */
export const IDENTITY_NEEDS: SharedNeeds = {
  name: 'identity resolution',
  purpose: 'links SIDs, names, UPNs and Entra ids into one identity and learns who is tier 0: without it, alerts on one person split across identities and criticality falls back to defaults',
  requires: [{
    channel: 'Security', eventIds: [4624, 4768, 4771],
    fields: ['TargetUserName', 'TargetDomainName', 'TargetUserSid', 'TargetSid', 'Status'],
    auditPolicy: 'Audit Logon (Success) and Audit Kerberos Authentication Service (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4672],
    fields: ['SubjectUserName', 'SubjectUserSid', 'PrivilegeList'],
    auditPolicy: 'Audit Special Logon (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [4722, 4725],
    fields: ['TargetUserName', 'TargetSid'],
    auditPolicy: 'Audit User Account Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [4728, 4729, 4732, 4733, 4756, 4757],
    fields: ['TargetUserName', 'TargetSid', 'MemberSid'],
    auditPolicy: 'Audit Security Group Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136],
    fields: ['ObjectDN', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs',
  }, {
    channel: 'SigninLogs', eventIds: [0],
    fields: ['UserPrincipalName', 'UserId', 'ResultType'],
    auditPolicy: 'Entra ID diagnostic setting exporting SignInLogs to the SIEM',
  }, {
    channel: 'AuditLogs', eventIds: [0],
    fields: ['OperationName', 'Result', 'InitiatedBy', 'TargetResources'],
    auditPolicy: 'Entra ID diagnostic setting exporting AuditLogs to the SIEM',
  }],
};

export function learnFromEvent(ids: IdentityDirectory, ev: IdentityEvent, directory: DirectoryView): void {
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
      // One table for tier 0 and sensitive_group_change (core/estate/sensitive-groups.ts): built-in,
      // configured and learned-nested groups; a BUILTIN group counts only on a DC, where it is the domain's.
      const match = directory.sensitiveGroup({ name: ev.group.name, ...(ev.group.sid ? { sid: ev.group.sid } : {}) });
      const group = match && (!match.machineLocal || directory.isDomainController(ev.host)) ? match.name : undefined;
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
