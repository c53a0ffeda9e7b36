import { securityEvent } from './harness';

/**
 * Authentication attempts as a DC and a member log them, for password_spray and
 * account_enumeration. `at` is minutes on the harness timeline.
 */

/** 4771: Kerberos pre-authentication failed (0x18 wrong password) for an existing account. */
export function kerberosWrongPassword(at: number, account: string, ip: string): object {
  return securityEvent(4771, at, {
    TargetUserName: account, TargetSid: 'S-1-5-21-1-2-3-1105', ServiceName: 'krbtgt/CORP.EXAMPLE', TicketOptions: '0x40810010',
    Status: '0x18', PreAuthType: '2', IpAddress: `::ffff:${ip}`, IpPort: '50000',
  });
}

/** 4768 0x6: a TGT was asked for a name the KDC does not know. */
export function kerberosUnknownUser(at: number, name: string, ip: string): object {
  return securityEvent(4768, at, {
    TargetUserName: name, TargetDomainName: 'CORP.EXAMPLE', TargetSid: 'S-1-0-0', ServiceName: 'krbtgt/CORP.EXAMPLE',
    Status: '0x6', PreAuthType: '-', TicketEncryptionType: '0xffffffff', IpAddress: `::ffff:${ip}`,
  });
}

/** 4768 0x0: a TGT issued after pre-authentication (the password was right). */
export function kerberosTgt(at: number, account: string, ip: string, preAuthType = '2'): object {
  return securityEvent(4768, at, {
    TargetUserName: account, TargetDomainName: 'CORP.EXAMPLE', TargetSid: 'S-1-5-21-1-2-3-1200', ServiceName: 'krbtgt',
    Status: '0x0', PreAuthType: preAuthType, TicketEncryptionType: '0x12', IpAddress: `::ffff:${ip}`,
  });
}

/** 4776 on the DC: NTLM credentials checked for a client that names itself `workstation`. */
export function ntlmValidation(at: number, account: string, workstation: string, status = '0xc000006a'): object {
  return securityEvent(4776, at, {
    PackageName: 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0', TargetUserName: account, Workstation: workstation, Status: status,
  });
}

/** 4625 on the member where a local process (run by `caller`) tried the account's password. */
export function memberLogonFailure(at: number, account: string, caller: string, member: string, subStatus = '0xc000006a'): object {
  return securityEvent(4625, at, {
    SubjectUserSid: 'S-1-5-21-1-2-3-1104', SubjectUserName: caller, SubjectDomainName: 'CORP', SubjectLogonId: '0x9cc0b6',
    TargetUserSid: 'S-1-0-0', TargetUserName: account, TargetDomainName: 'corp.example', Status: '0xc000006d', SubStatus: subStatus,
    FailureReason: '%%2313', LogonType: '2', LogonProcessName: 'Advapi  ', AuthenticationPackageName: 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0',
    WorkstationName: member, IpAddress: '-', IpPort: '-', ProcessName: 'C:\\Users\\Public\\tool.exe',
  }, `${member}.corp.example`);
}

/** 4624 type 3 for a machine account: teaches the directory which address the machine uses. */
export function machineLogon(at: number, machine: string, ip: string): object {
  return securityEvent(4624, at, {
    TargetUserName: `${machine}$`, TargetDomainName: 'CORP', TargetLogonId: '0x1234', LogonType: '3',
    IpAddress: ip, AuthenticationPackageName: 'Kerberos', WorkstationName: '-', LogonProcessName: 'Kerberos',
  });
}

/** A second as a fraction of the harness's minutes. */
export const seconds = (n: number): number => n / 60;

/** `prefix1`, `prefix2`, …: that many distinct names. */
export function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}
