import type { Account } from './fields';
import type { EventOrigin } from './event-origin';

// Logons and credential use (4624, 4625, 4648, 4672) and NTLM validation (4776).

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
