import { hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';
import type { DirectoryView } from './directory-view';
import { LOCAL_SYSTEM_SID } from './well-known-sids';
import { KDC_ERR_C_PRINCIPAL_UNKNOWN, KDC_ERR_CLIENT_REVOKED, KDC_ERR_KEY_EXPIRED, KDC_ERR_PREAUTH_FAILED, STATUS_ACCOUNT_EXISTS, STATUS_NO_SUCH_USER, STATUS_WRONG_PASSWORD } from './status-codes';

/**
 * One authentication attempt as the password-guessing detectors see it, whichever protocol
 * carried it: Kerberos AS (4768/4771, logged by the KDC with the client address), NTLM
 * (4776 on the DC with the client's self-reported name; 4625/4624 on the member with both).
 */
export type AttemptOutcome =
  /** The name does not exist (KDC_ERR_C_PRINCIPAL_UNKNOWN, STATUS_NO_SUCH_USER). */
  | 'unknown_user'
  /** The account exists and the password was wrong (KDC_ERR_PREAUTH_FAILED, STATUS_WRONG_PASSWORD). */
  | 'wrong_password'
  /** The account exists but is locked, disabled, expired or restricted: the name is confirmed. */
  | 'exists'
  /** The password was checked and accepted. */
  | 'success';

export interface AuthAttempt {
  readonly outcome: AttemptOutcome;
  readonly account: Account;
  /** Where the attempt came from: an address when one is known, else a host name key. */
  readonly source: string;
  readonly sourceIp?: string;
  readonly sourceName?: string;
  /** The local user behind a member-side 4625 (the process that called LogonUser), when it is a person. */
  readonly actor?: Account;
  /** The protocol family, for descriptions: Kerberos and NTLM guesses from one source add up. */
  readonly protocol: 'kerberos' | 'ntlm';
}

// Kerberos failures only an existing account gets (codes: core/estate/status-codes.ts).
const KDC_EXISTS: ReadonlySet<number> = new Set([KDC_ERR_CLIENT_REVOKED, KDC_ERR_KEY_EXPIRED]);
const NT_EXISTS = STATUS_ACCOUNT_EXISTS;

/** The Kinds `attemptOf` reads, for detector declarations. */
export const ATTEMPT_KINDS = ['kerberos_tgt_request', 'kerberos_preauth_failure', 'ntlm_validation', 'logon_failure', 'logon'] as const;

/** The attempt an event records, or undefined when it is not a password attempt by a person or service. */
export function attemptOf(ev: IdentityEvent, directory: DirectoryView): AuthAttempt | undefined {
  switch (ev.kind) {
    case 'kerberos_tgt_request': {
      // A TGT issued without pre-authentication (PreAuthType 0) proves nothing about a password.
      const outcome = ev.status === 0 ? (ev.preAuthType === 0 ? 'exists' : 'success') : kerberosOutcome(ev.status);
      return outcome && make(outcome, ev.account, 'kerberos', ev.ip, undefined, ev.host, ev.time, directory);
    }
    case 'kerberos_preauth_failure': {
      const outcome = kerberosOutcome(ev.status);
      return outcome && make(outcome, ev.account, 'kerberos', ev.ip, undefined, ev.host, ev.time, directory);
    }
    case 'ntlm_validation': {
      const outcome = ev.status === 0 ? 'success' : ntOutcome(ev.status);
      return outcome && make(outcome, ev.account, 'ntlm', undefined, ev.workstation, ev.host, ev.time, directory);
    }
    case 'logon_failure': {
      const code = ev.subStatus && ev.subStatus !== 0 ? ev.subStatus : ev.status;
      const outcome = code === undefined ? undefined : ntOutcome(code);
      return outcome && make(outcome, ev.account, 'ntlm', ev.ip, ev.workstation, ev.host, ev.time, directory, ev.subject);
    }
    case 'logon':
      // Only logons that checked a password from somewhere: network, interactive, remote interactive, cached.
      if (ev.logonType === undefined || ![2, 3, 8, 10, 11].includes(ev.logonType)) return undefined;
      return make('success', ev.account, ev.authPackage?.toLowerCase() === 'kerberos' ? 'kerberos' : 'ntlm', ev.ip, ev.workstation, ev.host, ev.time, directory);
    default:
      return undefined;
  }
}

function kerberosOutcome(status: number): AttemptOutcome | undefined {
  if (status === KDC_ERR_C_PRINCIPAL_UNKNOWN) return 'unknown_user';
  if (status === KDC_ERR_PREAUTH_FAILED) return 'wrong_password';
  return KDC_EXISTS.has(status) ? 'exists' : undefined;
}

function ntOutcome(status: number): AttemptOutcome | undefined {
  if (status === STATUS_NO_SUCH_USER) return 'unknown_user';
  if (status === STATUS_WRONG_PASSWORD) return 'wrong_password';
  return NT_EXISTS.has(status) ? 'exists' : undefined;
}

function make(outcome: AttemptOutcome, account: Account, protocol: 'kerberos' | 'ntlm', ip: string | undefined, workstation: string | undefined, host: string, time: number, directory: DirectoryView, subject?: Account): AuthAttempt | undefined {
  if (isMachineAccount(account) || account.name === '(unknown)') return undefined;
  const actor = subject && !isMachineAccount(subject) && subject.sid !== LOCAL_SYSTEM_SID && subject.name.toLowerCase() !== account.name.toLowerCase() ? subject : undefined;
  return { outcome, account, protocol, ...clientSource(ip, workstation, host, time, directory), ...(actor ? { actor } : {}) };
}

export interface ClientSource {
  /** The key sources are counted by: an address when one is known, else a host name key. */
  readonly source: string;
  readonly sourceIp?: string;
  readonly sourceName?: string;
}

/**
 * The source of an attempt, one key per host whether the event names or addresses it: the
 * client address when the event has one; else the client's name resolved to the address the
 * estate knows for it — its machine account's trusted address, or the address a recent
 * 4624/4625 bound the name to (core/estate/host-addresses.ts) — so a 4776 naming SCAN01 and
 * a 4771 from SCAN01's address add up; else the name; else the logging host itself (an
 * attempt at its console).
 */
export function clientSource(ip: string | undefined, workstation: string | undefined, host: string, time: number, directory: DirectoryView): ClientSource {
  const remoteIp = ip && !isLoopback(ip) ? ip : undefined;
  const name = workstation ?? (remoteIp ? undefined : host);
  const resolvedIp = remoteIp ?? (workstation ? directory.machineAddresses(workstation)[0] ?? directory.clientAddress(workstation, time) : undefined);
  return {
    source: resolvedIp ?? hostKey(name ?? host),
    ...(resolvedIp ? { sourceIp: resolvedIp } : {}),
    ...(name ? { sourceName: name } : {}),
  };
}

/** A source key counted earlier by name, folded into the address the name is bound to now. */
export function currentSourceKey(source: string, time: number, directory: DirectoryView): string {
  if (isAddress(source)) return source;
  return directory.machineAddresses(source)[0] ?? directory.clientAddress(source, time) ?? source;
}

export function isAddress(s: string): boolean {
  return /^[\d.]+$/.test(s) ? /^\d+\.\d+\.\d+\.\d+$/.test(s) : /^[\da-f:.]+$/i.test(s) && s.includes(':');
}

export function describeSource(a: Pick<AuthAttempt, 'sourceIp' | 'sourceName' | 'source'>): string {
  if (a.sourceIp && a.sourceName) return `${a.sourceName} (${a.sourceIp})`;
  return a.sourceIp ?? a.sourceName ?? a.source;
}
