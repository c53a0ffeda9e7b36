import { hostKey, isLoopback, isMachineAccount, type Account } from '../../events/fields';
import type { EventOrigin, Logon, ShareAccess } from '../../events/identity-event';
import type { DirectoryView } from '../directory-model';
import { SYSTEM_SIDS } from '../well-known-sids';
import { originOf } from '../../alerts/evidence';

/**
 * What the logs of a target host can prove about where an action came from. Remote execution
 * always starts with a network logon on the target (4624 type 3); the service install, task
 * change or process it causes is then logged in that session, or — for the System log's 7045,
 * which names the installer by SID only — right after the SCM pipe (IPC$\svcctl) was opened.
 */

/** Where a remote action came from, as far as the target's own events tell. */
export interface RemoteSource {
  readonly account?: Account;
  readonly accountName: string;
  readonly ip?: string;
  readonly workstation?: string;
}

// 4624 LogonType 3 (network) and 8 (network cleartext: basic auth over WinRM/IIS).
const NETWORK_LOGON_TYPES = new Set([3, 8]);

/**
 * The remote origin of logon session `logonId` on `host`, or undefined when the session is
 * local (console, RDP, service), unknown, or a loopback/self connection. A network session
 * without an address is remote with an unknown source: WinRM's Kerberos logons log no IpAddress.
 */
export function remoteSession(directory: DirectoryView, host: string, logonId: string | undefined): RemoteSource | undefined {
  if (!logonId) return undefined;
  const s = directory.logonSession(host, logonId);
  if (!s || s.logonType === undefined || !NETWORK_LOGON_TYPES.has(s.logonType)) return undefined;
  if (s.ip && isSelf(directory, host, s.ip)) return undefined;
  if (s.workstation && hostKey(s.workstation) === hostKey(host)) return undefined;
  return { accountName: s.account, ...(s.ip ? { ip: s.ip } : {}), ...(s.workstation ? { workstation: s.workstation } : {}) };
}

/** The host reaching itself: loopback, or an address its own machine account has logged on from. */
export function isSelf(directory: DirectoryView, host: string, ip: string): boolean {
  return isLoopback(ip) || directory.machineAddresses(host).includes(ip);
}

/**
 * One piece of remote evidence on a target, kept for a short while to explain what follows:
 * `scm` an IPC$\svcctl open (Service Control Manager RPC), `tasks` an IPC$\atsvc open (Task
 * Scheduler RPC), `staged` an executable written to an admin share, `logon` a network logon.
 */
export interface Touch {
  readonly kind: 'scm' | 'tasks' | 'staged' | 'logon';
  readonly time: number;
  readonly account: Account;
  readonly ip?: string;
  readonly workstation?: string;
  readonly logonId?: string;
  readonly file?: string;
  readonly origin: EventOrigin;
}

// FILE_WRITE_DATA | FILE_APPEND_DATA (MS docs "File Access Rights Constants").
const WRITE_DATA = 0x2 | 0x4;
// Payloads a service or a scheduled command can run directly.
const EXECUTABLE = /\.(exe|dll|sys|bat|cmd|ps1|vbs|js|hta|msi|scr|com)$/i;

/**
 * A 5145 as remote evidence, or undefined. Pipe opens on IPC$ carry the RPC interface in the
 * pipe name; a write of an executable into ADMIN$ or a drive share (C$) stages a payload.
 */
export function touchOf(ev: ShareAccess, directory: DirectoryView): Touch | undefined {
  // Most 5145s are SYSVOL, NETLOGON and file-share reads: classify by name first, look up sessions last.
  if (ev.eventId !== 5145 || !ev.subject || !ev.relativeTarget || !ev.ip) return undefined;
  const share = shareOf(ev.shareName);
  let kind: Touch['kind'];
  if (share === 'IPC$') {
    const pipe = ev.relativeTarget.toLowerCase().replace(/^\\*(pipe\\)?/, '');
    if (pipe === 'svcctl') kind = 'scm';
    else if (pipe === 'atsvc') kind = 'tasks';
    else return undefined;
  } else if ((share === 'ADMIN$' || /^[A-Z]\$$/.test(share)) && ev.accessMask !== undefined && (ev.accessMask & WRITE_DATA) !== 0 && EXECUTABLE.test(ev.relativeTarget)) {
    kind = 'staged';
  } else {
    return undefined;
  }
  if (isSelf(directory, ev.host, ev.ip)) return undefined;
  if (ev.logonId) {
    // The SMB session of a local user reaching its own machine is that user's interactive session.
    const s = directory.logonSession(ev.host, ev.logonId);
    if (s?.logonType !== undefined && !NETWORK_LOGON_TYPES.has(s.logonType)) return undefined;
  }
  return {
    kind, time: ev.time, account: ev.subject, ip: ev.ip, logonId: ev.logonId, origin: originOf(ev),
    ...(kind === 'staged' ? { file: `${share}\\${ev.relativeTarget}` } : {}),
  };
}

/** `\\*\IPC$` → `IPC$`. */
function shareOf(shareName: string): string {
  const i = shareName.lastIndexOf('\\');
  return (i >= 0 ? shareName.slice(i + 1) : shareName).toUpperCase();
}

/** `C:\Windows\System32\wbem\WmiPrvSE.exe` → `wmiprvse.exe`. */
export function baseName(path: string | undefined): string {
  if (!path) return '';
  const i = path.lastIndexOf('\\');
  return (i >= 0 ? path.slice(i + 1) : path).toLowerCase();
}

/** Accounts that are the machine acting for itself, never a remote operator. */
export function isLocalSystemIdentity(a: Account | undefined): boolean {
  if (!a) return true;
  const sid = a.sid ?? '';
  return SYSTEM_SIDS.has(sid) || (isMachineAccount(a) && !a.sid);
}

/** What a remembered network logon is read for: a Logon event is one, kept as it is (no copy). */
export type RecentLogon = Pick<Logon, 'time' | 'host' | 'eventId' | 'recordId' | 'account' | 'ip' | 'workstation' | 'logonId'>;

/** A remembered network logon as evidence. */
export function logonTouch(ev: RecentLogon): Touch {
  return { kind: 'logon', time: ev.time, account: ev.account, ip: ev.ip, workstation: ev.workstation, logonId: ev.logonId, origin: originOf(ev) };
}
