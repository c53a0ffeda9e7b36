import type { Account } from './fields';
import type { EventOrigin } from './event-origin';

// Account and group management (4720-4781, 4728-4757, 4798/4799) and the DSRM password (4794).

export type AccountAction =
  | 'created' | 'changed' | 'deleted' | 'enabled' | 'disabled'
  | 'password_reset' | 'password_change' | 'locked_out' | 'unlocked' | 'renamed' | 'sid_history_added' | 'sid_history_failed';

/** 4720–4726, 4738, 4740, 4741–4743, 4765/4766, 4767, 4781. */
export interface AccountManagement extends EventOrigin {
  readonly kind: 'account_management';
  readonly action: AccountAction;
  readonly objectClass: 'user' | 'computer';
  readonly subject?: Account;
  readonly target: Account;
  /** SAM account-control flags (ACB bits) before/after, when the event carries them. */
  readonly oldUac?: number;
  readonly newUac?: number;
  /** The rendered `UserAccountControl` change list, e.g. `%%2096`. */
  readonly uacChanges?: string;
  readonly servicePrincipalNames?: string;
  /** 4740: the machine the lock-out came from. */
  readonly callerComputer?: string;
  /** 4765/4766: the account or group whose SID was (or was to be) added to the target's sIDHistory (SourceUserName/SourceSid). */
  readonly addedSidHistory?: Account;
  /** 4781: the name before the rename (`OldTargetUserName`); `target` carries the new one. */
  readonly oldName?: string;
  /** 4741/4742/4738 `SamAccountName`: written only when the change set it. */
  readonly samAccountName?: string;
  /** 4741/4742/4738 `PasswordLastSet`: written only when the change set the password. */
  readonly passwordLastSet?: string;
  /** 4738/4742 `SidHistory`: written only when the change touched sIDHistory. */
  readonly sidHistory?: string;
  /** The changer's logon session (SubjectLogonId). */
  readonly logonId?: string;
}

export type GroupScope = 'global' | 'local' | 'universal';

/** 4728/4732/4756 added, 4729/4733/4757 removed (security-enabled groups). */
export interface GroupMembershipChange extends EventOrigin {
  readonly kind: 'group_membership_change';
  readonly action: 'added' | 'removed';
  readonly scope: GroupScope;
  readonly subject?: Account;
  readonly member?: Account;
  readonly memberDn?: string;
  readonly group: Account;
  /** The changer's logon session (SubjectLogonId). */
  readonly logonId?: string;
}

/** 4798 (a user's local groups) / 4799 (a local group's members) were enumerated. */
export interface GroupEnumeration extends EventOrigin {
  readonly kind: 'group_enumeration';
  readonly subject?: Account;
  readonly target: Account;
  readonly processName?: string;
}

/** 4794: an attempt was made to set the Directory Services Restore Mode administrator password (DCs only). */
export interface DsrmPasswordSet extends EventOrigin {
  readonly kind: 'dsrm_password_set';
  readonly subject?: Account;
  readonly logonId?: string;
  /** `Workstation`: the caller's machine. */
  readonly workstation?: string;
  /** 0 when the password was set. */
  readonly status?: number;
}
