import { securityEvent } from './harness';

/**
 * Target-side events of remote execution, shaped like the datasets' canonical records.
 * `at` is minutes after the harness epoch (2024-03-04T09:00:00Z).
 */

export const SERVER = 'SRV01.corp.example';
export const DC = 'DC01.corp.example';
export const ADMIN_SID = 'S-1-5-21-1-2-3-1105';
export const ADMIN_WS = '10.0.4.21';

let record = 50_000;

function logEvent(channel: string, eventId: number, at: number, fields: Record<string, string>, computer: string): object {
  return {
    TimeCreated: new Date(Date.UTC(2024, 2, 4, 9, 0, 0) + Math.round(at * 60_000)).toISOString(),
    Computer: computer, Channel: channel, EventID: eventId, EventRecordID: record++, ...fields,
  };
}

/** 4624: `type` 3 is a network logon (SMB, RPC, WinRM), 2 the console, 10 RDP. */
export function logon(at: number, logonId: string, o: { user?: string; sid?: string; ip?: string; type?: string; workstation?: string; computer?: string } = {}): object {
  return securityEvent(4624, at, {
    SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectLogonId: '0x0',
    TargetUserSid: o.sid ?? ADMIN_SID, TargetUserName: o.user ?? 'jdoe', TargetDomainName: 'CORP', TargetLogonId: logonId,
    LogonType: o.type ?? '3', LogonProcessName: 'Kerberos', AuthenticationPackageName: 'Kerberos',
    WorkstationName: o.workstation ?? '-', IpAddress: o.ip ?? ADMIN_WS, IpPort: '50123',
  }, o.computer ?? SERVER);
}

/** 4697: a service installed, in the installer's logon session. */
export function service4697(at: number, logonId: string, name: string, path: string, o: { user?: string; computer?: string } = {}): object {
  return securityEvent(4697, at, {
    SubjectUserSid: ADMIN_SID, SubjectUserName: o.user ?? 'jdoe', SubjectDomainName: 'CORP', SubjectLogonId: logonId,
    ServiceName: name, ServiceFileName: path, ServiceType: '0x10', ServiceStartType: '3', ServiceAccount: 'LocalSystem',
  }, o.computer ?? SERVER);
}

/** 7045: the System log names the installer by SID (UserID) only. */
export function service7045(at: number, name: string, path: string, o: { sid?: string; computer?: string } = {}): object {
  return logEvent('System', 7045, at, {
    UserID: o.sid ?? ADMIN_SID, ServiceName: name, ImagePath: path, ServiceType: 'user mode service', StartType: 'demand start', AccountName: 'LocalSystem',
  }, o.computer ?? SERVER);
}

/** 5145 on IPC$: an RPC named pipe opened over SMB (svcctl = service manager, atsvc = task scheduler). */
export function pipeOpen(at: number, logonId: string, pipe: string, o: { user?: string; sid?: string; ip?: string; computer?: string } = {}): object {
  return securityEvent(5145, at, {
    SubjectUserSid: o.sid ?? ADMIN_SID, SubjectUserName: o.user ?? 'jdoe', SubjectDomainName: 'CORP', SubjectLogonId: logonId,
    ObjectType: 'File', IpAddress: o.ip ?? ADMIN_WS, IpPort: '50123', ShareName: '\\\\*\\IPC$', ShareLocalPath: '',
    RelativeTargetName: pipe, AccessMask: '0x12019f',
  }, o.computer ?? SERVER);
}

/** 5145 on an admin share: `mask` 0x2 (WriteData) writes the file. */
export function shareFile(at: number, logonId: string, share: string, file: string, mask = '0x120196', o: { ip?: string; computer?: string } = {}): object {
  return securityEvent(5145, at, {
    SubjectUserSid: ADMIN_SID, SubjectUserName: 'jdoe', SubjectDomainName: 'CORP', SubjectLogonId: logonId,
    ObjectType: 'File', IpAddress: o.ip ?? ADMIN_WS, IpPort: '50123', ShareName: `\\\\*\\${share}`, ShareLocalPath: '\\??\\C:\\Windows',
    RelativeTargetName: file, AccessMask: mask,
  }, o.computer ?? SERVER);
}

/** 4698 created / 4702 updated, by the subject's session. */
export function task(eventId: 4698 | 4702, at: number, logonId: string, name: string, o: { user?: string; sid?: string; computer?: string; extra?: Record<string, string> } = {}): object {
  return securityEvent(eventId, at, {
    SubjectUserSid: o.sid ?? ADMIN_SID, SubjectUserName: o.user ?? 'jdoe', SubjectDomainName: 'CORP', SubjectLogonId: logonId, TaskName: name, ...o.extra,
  }, o.computer ?? SERVER);
}

/** 4688 as Windows 10+ logs it: parent name, and the new token's session when it differs. */
export function process4688(at: number, p: { name: string; pid: string; ppid: string; parent?: string; subject?: [string, string, string]; targetUser?: string; targetLogonId?: string; commandLine?: string; computer?: string }): object {
  const [subjectName, subjectSid, subjectLogonId] = p.subject ?? ['SRV01$', 'S-1-5-20', '0x3e4'];
  return securityEvent(4688, at, {
    SubjectUserSid: subjectSid, SubjectUserName: subjectName, SubjectDomainName: 'CORP', SubjectLogonId: subjectLogonId,
    NewProcessId: p.pid, NewProcessName: p.name, ProcessId: p.ppid, CommandLine: p.commandLine ?? '', TokenElevationType: '%%1936',
    ...(p.parent !== undefined ? {
      ParentProcessName: p.parent, TargetUserSid: 'S-1-0-0', TargetUserName: p.targetUser ?? '-', TargetDomainName: 'CORP', TargetLogonId: p.targetLogonId ?? '0x0',
    } : {}),
  }, p.computer ?? SERVER);
}

/** Sysmon 1: the new process's own user and session. */
export function sysmonProcess(at: number, image: string, parent: string, user: string, logonId: string, computer = SERVER): object {
  return logEvent('Microsoft-Windows-Sysmon/Operational', 1, at, {
    Image: image, ProcessId: '4952', ParentImage: parent, ParentProcessId: '4816', User: `CORP\\${user}`, LogonId: logonId, CommandLine: image,
  }, computer);
}

/** A 4769 logged by `dc`: only a KDC writes it, so the directory model learns `dc` is a DC. */
export function kdcEvent(at: number, dc = DC, t: { account?: string; service?: string; ip?: string } = {}): object {
  return securityEvent(4769, at, {
    TargetUserName: `${t.account ?? 'someone'}@CORP.EXAMPLE`, ServiceName: t.service ?? 'FS01$', TicketEncryptionType: '0x12', Status: '0x0',
    IpAddress: `::ffff:${t.ip ?? '10.0.9.9'}`, TicketOptions: '0x40810000',
  }, dc);
}

export const WMIPRVSE = 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe';
export const WSMPROVHOST = 'C:\\Windows\\System32\\wsmprovhost.exe';
export const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
export const CMD = 'C:\\Windows\\System32\\cmd.exe';
