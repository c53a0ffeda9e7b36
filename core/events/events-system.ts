import type { Account } from './fields';
import type { EventOrigin } from './event-origin';

// Host and DC housekeeping with security meaning: logs cleared, Netlogon secure channels, registry values.

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
