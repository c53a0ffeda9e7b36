import { securityEvent } from './harness';

/**
 * Reconnaissance as DCs and servers audit it, for samr_recon, smb_session_enumeration and
 * ldap_recon. `at` is minutes on the harness timeline; DC01 is the default logging host.
 */

export const DOMAIN_SID = 'S-1-5-21-1-2-3';
export const DC = 'DC01.corp.example';

function sidOf(user: string): string {
  if (user.endsWith('$')) return `${DOMAIN_SID}-2${user.length}`;
  if (user === 'ANONYMOUS LOGON') return 'S-1-5-7';
  return user === 'SYSTEM' ? 'S-1-5-18' : `${DOMAIN_SID}-1${user.length}05`;
}

function subject(user: string, logonId: string): Record<string, string> {
  return { SubjectUserSid: sidOf(user), SubjectUserName: user, SubjectDomainName: 'CORP', SubjectLogonId: logonId };
}

/** 4624 type 3 on `host`: opens logon session `logonId` for `user` from `ip`. */
export function networkLogon(at: number, user: string, logonId: string, ip: string, host = DC): object {
  return securityEvent(4624, at, {
    TargetUserName: user, TargetDomainName: 'CORP', TargetUserSid: sidOf(user), TargetLogonId: logonId, LogonType: '3',
    IpAddress: ip, AuthenticationPackageName: 'Kerberos', LogonProcessName: 'Kerberos', WorkstationName: '-',
  }, host);
}

/** 4661: a handle to a SAM object (`SAM_DOMAIN`, `SAM_GROUP`, `SAM_ALIAS`, `SAM_USER`) was requested. */
export function samObject(at: number, user: string, logonId: string, objectType: string, objectName: string, accessMask = '0xf01ff', host = DC): object {
  return securityEvent(4661, at, {
    ...subject(user, logonId), ObjectServer: 'Security Account Manager', ObjectType: objectType, ObjectName: objectName,
    AccessMask: accessMask, ProcessName: 'C:\\Windows\\System32\\lsass.exe', Properties: '---',
  }, host);
}

/** 5145: a named pipe on IPC$ opened by `user` from `ip`. */
export function pipeOpen(at: number, user: string, logonId: string, ip: string, pipe: string, host = DC): object {
  return securityEvent(5145, at, {
    ...subject(user, logonId), ObjectType: 'File', ShareName: '\\\\*\\IPC$', ShareLocalPath: '', RelativeTargetName: pipe,
    IpAddress: ip, IpPort: '49409', AccessMask: '0x12019f',
  }, host);
}

/** 5145 on a share other than IPC$ (e.g. SYSVOL). */
export function shareOpen(at: number, user: string, ip: string, share: string, target: string, host = DC): object {
  return securityEvent(5145, at, {
    ...subject(user, '0x136123'), ObjectType: 'File', ShareName: `\\\\*\\${share}`, RelativeTargetName: target,
    IpAddress: ip, IpPort: '63570', AccessMask: '0x100080',
  }, host);
}

/** 4798 (a user's local groups) or 4799 (a local group's members) read; `process` is `-` for an RPC client. */
export function groupEnumeration(at: number, eventId: 4798 | 4799, user: string, target: string, targetSid: string, process: string, host = 'SRV01.corp.example'): object {
  return securityEvent(eventId, at, {
    ...subject(user, '0x3a1f'), TargetUserName: target, TargetDomainName: 'Builtin', TargetSid: targetSid, CallerProcessId: '0x0', CallerProcessName: process,
  }, host);
}

/** 4662: a directory object (by GUID) read with `accessMask`; `properties` are the GUIDs the access covered. */
export function directoryRead(at: number, user: string, logonId: string, objectGuid: string, accessMask = '0x10', properties: readonly string[] = ['{bf9679c0-0de6-11d0-a285-00aa003049e2}'], host = DC): object {
  return securityEvent(4662, at, {
    ...subject(user, logonId), ObjectServer: 'DS', ObjectType: '%{bf967a9c-0de6-11d0-a285-00aa003049e2}', ObjectName: `%{${objectGuid}}`,
    OperationType: 'Object Access', AccessMask: accessMask, Properties: `%%7684\n\t\t${properties.join('\n\t\t')}\n\t{bf967a9c-0de6-11d0-a285-00aa003049e2}\n`,
  }, host);
}

/** 4769 on `host`: only a KDC logs it, which is how the directory learns `host` is a DC. */
export function serviceTicket(at: number, host = DC): object {
  return securityEvent(4769, at, {
    TargetUserName: 'WS01$@CORP.EXAMPLE', ServiceName: 'krbtgt', Status: '0x0', TicketEncryptionType: '0x12', IpAddress: '::ffff:10.0.0.21', TicketOptions: '0x40810000',
  }, host);
}

/** A GUID that differs by `n`, for "many distinct objects". */
export function guidNo(n: number): string {
  return `7a2aa51b-a49d-4a86-8d4d-${n.toString(16).padStart(12, '0')}`;
}

/** A second as a fraction of the harness's minutes. */
export const seconds = (n: number): number => n / 60;
