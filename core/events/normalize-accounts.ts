import { account, integer, text } from './fields';
import type { AccountAction, GroupScope } from './identity-event';
import { done, origin, put, subject, target, type Builder } from './draft';
import { cnOf } from './dn';

const accountAction = (action: AccountAction, objectClass: 'user' | 'computer'): Builder => (r, o) => {
  // 4781 has no TargetUserName: name the account by its new name (with its SID), not by the SID alone.
  const renamedTo = action === 'renamed' ? account(r['NewTargetUserName'], r['TargetDomainName'], r['TargetSid']) : undefined;
  const t = renamedTo ?? target(r) ?? account(r['NewTargetUserName'], r['TargetDomainName'], r['TargetSid']);
  if (!t) return 'no target account';
  const e = origin(o, 'account_management');
  e['action'] = action;
  e['objectClass'] = objectClass;
  e['target'] = t;
  put(e, 'subject', subject(r));
  put(e, 'oldUac', integer(r['OldUacValue']));
  put(e, 'newUac', integer(r['NewUacValue']));
  put(e, 'uacChanges', text(r['UserAccountControl']));
  put(e, 'servicePrincipalNames', text(r['ServicePrincipalNames']));
  if (action === 'locked_out') put(e, 'callerComputer', text(r['TargetDomainName']));
  if (action === 'sid_history_added' || action === 'sid_history_failed') put(e, 'addedSidHistory', account(r['SourceUserName'], undefined, r['SourceSid']));
  if (action === 'renamed') put(e, 'oldName', text(r['OldTargetUserName']));
  put(e, 'samAccountName', text(r['SamAccountName']));
  put(e, 'passwordLastSet', text(r['PasswordLastSet']));
  put(e, 'sidHistory', text(r['SidHistory']));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
};

const groupChange = (action: 'added' | 'removed', scope: GroupScope): Builder => (r, o) => {
  const group = account(r['TargetUserName'], r['TargetDomainName'], r['TargetSid']);
  if (!group) return 'no group name';
  const memberDn = text(r['MemberName']);
  const memberSid = text(r['MemberSid']);
  const e = origin(o, 'group_membership_change');
  e['action'] = action;
  e['scope'] = scope;
  e['group'] = group;
  put(e, 'subject', subject(r));
  if (memberSid || memberDn) put(e, 'member', account(memberDn ? (cnOf(memberDn) ?? memberDn) : undefined, undefined, memberSid));
  put(e, 'memberDn', memberDn);
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
};

const groupEnumeration: Builder = (r, o) => {
  const t = target(r);
  if (!t) return 'no TargetUserName';
  const e = origin(o, 'group_enumeration');
  e['target'] = t;
  put(e, 'subject', subject(r));
  put(e, 'processName', text(r['CallerProcessName']));
  return done(e);
};

/** Account and group management on a DC: user and computer accounts (4720-4781, 4765/4766 SID history), 4794 the DSRM password, group membership (4728-4757) and group enumeration (4798/4799). */
export const ACCOUNT_BUILDERS: Readonly<Record<number, Builder>> = {
  4794: (r, o) => {
    const e = origin(o, 'dsrm_password_set');
    put(e, 'subject', subject(r));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    put(e, 'workstation', text(r['Workstation']));
    put(e, 'status', integer(r['Status']));
    return done(e);
  },
  4720: accountAction('created', 'user'),
  4722: accountAction('enabled', 'user'),
  4723: accountAction('password_change', 'user'),
  4724: accountAction('password_reset', 'user'),
  4725: accountAction('disabled', 'user'),
  4726: accountAction('deleted', 'user'),
  4728: groupChange('added', 'global'),
  4729: groupChange('removed', 'global'),
  4732: groupChange('added', 'local'),
  4733: groupChange('removed', 'local'),
  4738: accountAction('changed', 'user'),
  4740: accountAction('locked_out', 'user'),
  4741: accountAction('created', 'computer'),
  4742: accountAction('changed', 'computer'),
  4743: accountAction('deleted', 'computer'),
  4756: groupChange('added', 'universal'),
  4757: groupChange('removed', 'universal'),
  4765: accountAction('sid_history_added', 'user'),
  4766: accountAction('sid_history_failed', 'user'),
  4767: accountAction('unlocked', 'user'),
  4781: accountAction('renamed', 'user'),
  4798: groupEnumeration,
  4799: groupEnumeration,
};
