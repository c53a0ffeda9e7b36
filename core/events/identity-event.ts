import type { Account } from './fields';

/**
 * The typed events detectors consume. One kind per thing that happened to an identity,
 * whatever the log that said so; `eventId` keeps the Windows id for evidence.
 */
export type IdentityEvent =
  | KerberosTgtRequest
  | KerberosServiceTicket
  | KerberosTicketRenewal
  | KerberosPreauthFailure
  | NtlmValidation
  | Logon
  | LogonFailure
  | ExplicitCredentialLogon
  | SpecialPrivilegeLogon
  | SamObjectAccess
  | DirectoryObjectAccess
  | ServiceInstalled
  | ScheduledTaskChange
  | AccountManagement
  | GroupMembershipChange
  | GroupEnumeration
  | DirectoryObjectChange
  | ReplicaSourceChange
  | ShareAccess
  | ProcessCreated
  | LogCleared
  | DsrmPasswordSet
  | NetlogonSecureChannel
  | RegistryValueSet
  | CloudSignInEvent
  | CloudAccountChange
  | CloudRoleChange;

export type IdentityEventKind = IdentityEvent['kind'];

export interface EventOrigin {
  /** Event time, epoch ms. Detectors take time from here, never from the clock. */
  readonly time: number;
  /** The logging host as written (`Computer`). */
  readonly host: string;
  readonly eventId: number;
  readonly recordId: number | null;
}

/** 4768: a TGT was requested (AS-REQ). Logged only by domain controllers. */
export interface KerberosTgtRequest extends EventOrigin {
  readonly kind: 'kerberos_tgt_request';
  readonly account: Account;
  readonly ip?: string;
  readonly status: number;
  readonly encryptionType?: number;
  readonly preAuthType?: number;
  readonly ticketOptions?: number;
}

/** 4769: a service ticket was requested (TGS-REQ). */
export interface KerberosServiceTicket extends EventOrigin {
  readonly kind: 'kerberos_service_ticket';
  readonly account: Account;
  readonly ip?: string;
  readonly serviceName: string;
  readonly serviceSid?: string;
  readonly status: number;
  readonly encryptionType?: number;
  readonly ticketOptions?: number;
  /** `TransmittedServices`: the services a delegated (S4U2Proxy) request passed through. */
  readonly transitedServices?: string;
}

/**
 * 4770: a ticket was renewed. Renewing the TGT (`serviceName` krbtgt) extends a logon's
 * Kerberos session past the TGT lifetime without a new 4768. Logged only by domain controllers.
 */
export interface KerberosTicketRenewal extends EventOrigin {
  readonly kind: 'kerberos_ticket_renewal';
  readonly account: Account;
  readonly ip?: string;
  readonly serviceName: string;
  readonly encryptionType?: number;
  readonly ticketOptions?: number;
}

/** 4771: Kerberos pre-authentication failed. */
export interface KerberosPreauthFailure extends EventOrigin {
  readonly kind: 'kerberos_preauth_failure';
  readonly account: Account;
  readonly ip?: string;
  readonly status: number;
  readonly preAuthType?: number;
}

/** 4776: the DC (or a member for local accounts) validated NTLM credentials. */
export interface NtlmValidation extends EventOrigin {
  readonly kind: 'ntlm_validation';
  readonly account: Account;
  readonly workstation?: string;
  readonly status: number;
}

/** 4624: a successful logon. */
export interface Logon extends EventOrigin {
  readonly kind: 'logon';
  readonly account: Account;
  readonly subject?: Account;
  readonly logonType?: number;
  readonly ip?: string;
  readonly workstation?: string;
  readonly authPackage?: string;
  readonly logonProcess?: string;
  readonly keyLength?: number;
  readonly logonId?: string;
  /**
   * Logon type 9 (NewCredentials, `runas /netonly`): the identity the new session presents on
   * the network (`TargetOutboundUserName`, Windows 10+/2016+), which differs from `account`.
   */
  readonly outboundAccount?: Account;
}

/** 4625: a failed logon. */
export interface LogonFailure extends EventOrigin {
  readonly kind: 'logon_failure';
  readonly account: Account;
  readonly subject?: Account;
  readonly logonType?: number;
  readonly ip?: string;
  readonly workstation?: string;
  readonly status?: number;
  readonly subStatus?: number;
  readonly authPackage?: string;
  readonly processName?: string;
}

/** 4648: a logon was attempted with explicit credentials. */
export interface ExplicitCredentialLogon extends EventOrigin {
  readonly kind: 'explicit_credential_logon';
  readonly subject?: Account;
  readonly account: Account;
  readonly targetServer?: string;
  readonly ip?: string;
  readonly processName?: string;
}

/** 4672: special privileges assigned to a new logon. */
export interface SpecialPrivilegeLogon extends EventOrigin {
  readonly kind: 'special_privilege_logon';
  readonly account: Account;
  readonly logonId?: string;
  readonly privileges: string;
}

/** 4661: a handle to a SAM object was requested. */
export interface SamObjectAccess extends EventOrigin {
  readonly kind: 'sam_object_access';
  readonly subject?: Account;
  readonly objectType?: string;
  readonly objectName?: string;
  readonly accessMask?: number;
  readonly logonId?: string;
}

/** 4662: an operation was performed on a directory object. */
export interface DirectoryObjectAccess extends EventOrigin {
  readonly kind: 'directory_object_access';
  readonly subject?: Account;
  readonly logonId?: string;
  readonly objectServer?: string;
  /** Schema class GUID of the object, lower case. */
  readonly objectType?: string;
  /** Object GUID (or DN) of the object, lower case GUID when it is one. */
  readonly objectName?: string;
  readonly accessMask?: number;
  /** Every GUID in `Properties`: control access rights, property sets, attributes. */
  readonly properties: readonly string[];
  /** `ObjectName` as logged when it is a path, not a bare GUID (LSA: `Policy\Secrets\G$BCKUPKEY_…`). */
  readonly objectPath?: string;
  /** `AdditionalInfo`: for a directory create-child, the DN of the object being created. */
  readonly additionalInfo?: string;
}

/** 4697 (Security) or 7045 (System): a service was installed. */
export interface ServiceInstalled extends EventOrigin {
  readonly kind: 'service_installed';
  readonly subject?: Account;
  /** 4697 only: the installer's logon session (7045 names the installer by SID alone). */
  readonly logonId?: string;
  readonly serviceName: string;
  readonly imagePath?: string;
  readonly serviceAccount?: string;
  readonly startType?: string;
  readonly serviceType?: string;
}

/** 4698 created, 4699 deleted, 4700 enabled, 4701 disabled, 4702 updated. */
export interface ScheduledTaskChange extends EventOrigin {
  readonly kind: 'scheduled_task';
  readonly action: 'created' | 'deleted' | 'enabled' | 'disabled' | 'updated';
  readonly subject?: Account;
  /** The changer's logon session (SubjectLogonId). */
  readonly logonId?: string;
  readonly taskName: string;
  readonly taskContent?: string;
  /** 0 = the change came over RPC from another machine (`ClientProcessId`-era 4698s). */
  readonly clientProcessId?: number;
  /**
   * Windows 10 1903+ RPC client locality (rpcasync.h: 1 local, 2 remote). Calls that did not
   * come over local RPC are logged as 0 with ClientProcessId 0: the client had no local process.
   */
  readonly rpcCallClientLocality?: number;
}

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

/** 5136 modified, 5137 created, 5139 moved, 5141 deleted: directory service changes. */
export interface DirectoryObjectChange extends EventOrigin {
  readonly kind: 'directory_object_change';
  readonly action: 'value_added' | 'value_deleted' | 'created' | 'moved' | 'deleted';
  readonly subject?: Account;
  readonly objectDn: string;
  readonly objectGuid?: string;
  readonly objectClass?: string;
  readonly attribute?: string;
  readonly value?: string;
  readonly correlationId?: string;
  /** The changer's logon session (SubjectLogonId). */
  readonly logonId?: string;
}

/**
 * 4928 established / 4929 removed: a DC added or dropped another DSA as a replication source
 * for a naming context (Audit Detailed Directory Service Replication).
 */
export interface ReplicaSourceChange extends EventOrigin {
  readonly kind: 'replica_source_change';
  readonly action: 'added' | 'removed';
  /** `SourceAddr`: the source DSA's DNS name (`host.domain` or `<DSA GUID>._msdcs.forest`). */
  readonly sourceAddress: string;
  readonly destinationDsa?: string;
  readonly namingContext?: string;
  /** Win32 status of the operation; 0 when it succeeded. */
  readonly status?: number;
}

/** 5140 (share accessed) / 5145 (share object checked). */
export interface ShareAccess extends EventOrigin {
  readonly kind: 'share_access';
  readonly subject?: Account;
  readonly ip?: string;
  readonly shareName: string;
  readonly relativeTarget?: string;
  readonly accessMask?: number;
  readonly logonId?: string;
}

/**
 * 4688 (Security) or Sysmon 1: a process was created. The new process runs in the creator's
 * session unless `targetLogonId` says otherwise (4688 on Windows 10+ logs the new token when it
 * differs; Sysmon always logs it).
 */
export interface ProcessCreated extends EventOrigin {
  readonly kind: 'process_created';
  /** The creator (4688 Subject*); absent for Sysmon, which names only the new process's user. */
  readonly subject?: Account;
  readonly logonId?: string;
  readonly processName: string;
  readonly processId?: number;
  readonly parentProcessId?: number;
  /** 4688 `ParentProcessName` (Windows 10+), Sysmon `ParentImage`. */
  readonly parentProcessName?: string;
  readonly commandLine?: string;
  /** The new process's own account and session when they differ from the creator's. */
  readonly targetAccount?: Account;
  readonly targetLogonId?: string;
}

/**
 * 1102 (Security, "The audit log was cleared") or 104 (System, "The <log> log file was
 * cleared"), both written by the Microsoft-Windows-Eventlog provider: the normaliser drops a
 * 104 from any other provider, which means something else.
 */
export interface LogCleared extends EventOrigin {
  readonly kind: 'log_cleared';
  /** The log that was cleared: `Security` for 1102, the 104's `Channel` otherwise. */
  readonly log: string;
  readonly subject?: Account;
  readonly logonId?: string;
  /** 104 `BackupPath`: where the log was saved before clearing, when it was. */
  readonly backupPath?: string;
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

/**
 * Netlogon on a DC (System log): 5805, a session setup from a computer failed to
 * authenticate; 5827/5828, a vulnerable (no secure RPC) secure channel from a machine / trust
 * account was denied; 5829, such a connection was allowed; 5830/5831, allowed by the
 * "Allow vulnerable Netlogon secure channel connections" policy (KB4557222, CVE-2020-1472).
 */
export interface NetlogonSecureChannel extends EventOrigin {
  readonly kind: 'netlogon_secure_channel';
  readonly outcome: 'authentication_failed' | 'vulnerable_denied' | 'vulnerable_allowed';
  /** The computer or trust the client claimed to be, as logged (`NAME$`, `NAME`, or a trust name). */
  readonly accountName?: string;
  readonly accountType?: string;
  readonly domain?: string;
  readonly operatingSystem?: string;
  /** 5805: the error text or code (`%%5` access denied). */
  readonly error?: string;
}

/** 4657 (Audit Registry, with a SACL on the key) or Sysmon 13: a registry value was set. */
export interface RegistryValueSet extends EventOrigin {
  readonly kind: 'registry_value_set';
  readonly subject?: Account;
  readonly logonId?: string;
  /** The key as logged (`\REGISTRY\MACHINE\SYSTEM\…` or `HKLM\System\…`). */
  readonly keyPath: string;
  readonly valueName: string;
  readonly newValue?: string;
  readonly oldValue?: string;
  readonly processName?: string;
}

/** An Entra ID sign-in (SigninLogs). */
export interface CloudSignInEvent extends EventOrigin {
  readonly kind: 'cloud_sign_in';
  readonly upn: string;
  readonly userId?: string;
  readonly ip?: string;
  /** 0 = success; Entra error codes otherwise (50126 bad password, …). */
  readonly resultType: number;
  readonly app?: string;
  readonly country?: string;
  readonly city?: string;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly asn?: number;
  readonly deviceId?: string;
  readonly correlationId?: string;
  /** The record's `Id`: the same sign-in exported twice carries the same id. */
  readonly signInId?: string;
  /** `DeviceDetail`: what the device said about itself (no deviceId on unmanaged devices). */
  readonly deviceName?: string;
  readonly operatingSystem?: string;
  readonly browser?: string;
  /** `DeviceDetail.trustType`: Azure AD joined, Hybrid Azure AD joined, Azure AD registered. */
  readonly trustType?: string;
  readonly isCompliant?: boolean;
  readonly isManaged?: boolean;
  /** `ClientAppUsed`: Browser, Mobile Apps and Desktop clients, Exchange ActiveSync, IMAP4, … */
  readonly clientApp?: string;
  /** `AuthenticationRequirement`: singleFactorAuthentication or multiFactorAuthentication. */
  readonly authenticationRequirement?: string;
  /** What happened to the MFA step, read from `AuthenticationDetails`, `Status` and the result code. */
  readonly mfa?: MfaOutcome;
  /** The second factor used or offered (`Mobile app notification`, `OATH verification code`, …). */
  readonly mfaMethod?: string;
  /** Entra's own words for the MFA step (`MFA denied; user declined the authentication`). */
  readonly mfaDetail?: string;
}

/**
 * The MFA step of a sign-in. `required`: Entra asked for a second factor (50074/50076), which
 * it does only after the password was right; `satisfied`: MFA was met without a prompt
 * (claim in the token, remembered device); the rest are the answers to a prompt.
 */
export type MfaOutcome = 'required' | 'approved' | 'satisfied' | 'denied' | 'timeout' | 'fraud' | 'wrong_code' | 'failed';

/** Who made an Entra directory change (`AuditLogs.InitiatedBy`): a user, or an app. */
export interface CloudPrincipal {
  readonly upn?: string;
  readonly objectId?: string;
  /** `InitiatedBy.app.displayName` when an application (a playbook, a sync engine) made the change. */
  readonly app?: string;
  readonly appId?: string;
  readonly ip?: string;
}

/** The user an Entra directory change was made to (`AuditLogs.TargetResources[0]`). */
export interface CloudTarget {
  readonly upn?: string;
  readonly objectId?: string;
  /** `onPremisesSecurityIdentifier` when the record lists it: links the cloud user to its AD account. */
  readonly onPremisesSid?: string;
}

/** Entra AuditLogs: a user account was disabled or enabled (`Disable account`, `Enable account`, `Update user` of AccountEnabled). */
export interface CloudAccountChange extends EventOrigin {
  readonly kind: 'cloud_account_change';
  readonly action: 'enabled' | 'disabled';
  readonly target: CloudTarget;
  readonly initiator: CloudPrincipal;
  readonly operation: string;
  readonly auditId?: string;
  readonly correlationId?: string;
}

/** Entra AuditLogs: a user was added to or removed from a directory role (`Add member to role`, …). */
export interface CloudRoleChange extends EventOrigin {
  readonly kind: 'cloud_role_change';
  readonly action: 'added' | 'removed';
  readonly role: string;
  readonly target: CloudTarget;
  readonly initiator: CloudPrincipal;
  readonly auditId?: string;
}
