import type { EventOrigin } from './event-origin';

// Entra ID sign-ins and directory audit records.

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
