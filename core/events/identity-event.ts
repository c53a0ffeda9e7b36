import type { KerberosTgtRequest, KerberosServiceTicket, KerberosTicketRenewal, KerberosPreauthFailure } from './events-kerberos';
import type { NtlmValidation, Logon, LogonFailure, ExplicitCredentialLogon, SpecialPrivilegeLogon } from './events-logon';
import type { SamObjectAccess, DirectoryObjectAccess, DirectoryObjectChange, ReplicaSourceChange } from './events-directory';
import type { ServiceInstalled, ScheduledTaskChange, ShareAccess, ProcessCreated } from './events-execution';
import type { AccountManagement, GroupMembershipChange, GroupEnumeration, DsrmPasswordSet } from './events-accounts';
import type { LogCleared, NetlogonSecureChannel, RegistryValueSet } from './events-system';
import type { CloudSignInEvent, CloudAccountChange, CloudRoleChange } from './events-cloud';

export type { EventOrigin } from './event-origin';
export type { KerberosTgtRequest, KerberosServiceTicket, KerberosTicketRenewal, KerberosPreauthFailure } from './events-kerberos';
export type { NtlmValidation, Logon, LogonFailure, ExplicitCredentialLogon, SpecialPrivilegeLogon } from './events-logon';
export type { SamObjectAccess, DirectoryObjectAccess, DirectoryObjectChange, ReplicaSourceChange } from './events-directory';
export type { ServiceInstalled, ScheduledTaskChange, ShareAccess, ProcessCreated } from './events-execution';
export type { AccountAction, AccountManagement, GroupScope, GroupMembershipChange, GroupEnumeration, DsrmPasswordSet } from './events-accounts';
export type { LogCleared, NetlogonSecureChannel, RegistryValueSet } from './events-system';
export type { CloudSignInEvent, MfaOutcome, CloudPrincipal, CloudTarget, CloudAccountChange, CloudRoleChange } from './events-cloud';

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
