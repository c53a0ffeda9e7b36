import { securityEvent } from './harness';

/**
 * Canonical DC and member-server events for the credential-use detectors (overpass/pass the
 * hash, pass the ticket, golden ticket, NTLM relay), shaped as the datasets hold them.
 * `at` is minutes after the harness epoch.
 */

export const DOMAIN_SID = 'S-1-5-21-4228717743-1032521047-1810997296';

/** 4768: a TGT issued (status 0) or refused. AES (0x12) with encrypted-timestamp pre-auth unless told. */
export function tgt(at: number, user: string, ip: string, o: { etype?: string; preAuth?: string; status?: string; realm?: string; dc?: string; rid?: number } = {}): object {
  return securityEvent(4768, at, {
    TargetUserName: user, TargetDomainName: o.realm ?? 'corp.example', TargetSid: o.status && o.status !== '0x0' ? 'S-1-0-0' : `${DOMAIN_SID}-${o.rid ?? 1104}`,
    ServiceName: 'krbtgt', ServiceSid: `${DOMAIN_SID}-502`, TicketOptions: '0x40810010', Status: o.status ?? '0x0',
    TicketEncryptionType: o.status && o.status !== '0x0' ? '0xffffffff' : o.etype ?? '0x12', PreAuthType: o.status && o.status !== '0x0' ? '-' : o.preAuth ?? '2',
    IpAddress: `::ffff:${ip}`, IpPort: '50123',
  }, o.dc ?? 'DC01.corp.example');
}

/** 4769: a service ticket, named `user@REALM` as the KDC writes it. */
export function serviceTicket(at: number, user: string, ip: string, service: string, o: { realm?: string; options?: string; transited?: string; dc?: string } = {}): object {
  const realm = o.realm ?? 'CORP.EXAMPLE';
  return securityEvent(4769, at, {
    TargetUserName: `${user}@${realm}`, TargetDomainName: realm, ServiceName: service, ServiceSid: `${DOMAIN_SID}-1120`,
    TicketOptions: o.options ?? '0x40810000', TicketEncryptionType: '0x12', IpAddress: `::ffff:${ip}`, IpPort: '50124', Status: '0x0',
    TransmittedServices: o.transited ?? '-',
  }, o.dc ?? 'DC01.corp.example');
}

/** 4770: a ticket (krbtgt: the TGT) renewed. */
export function renewal(at: number, user: string, ip: string, dc = 'DC01.corp.example'): object {
  return securityEvent(4770, at, {
    TargetUserName: `${user}@CORP.EXAMPLE`, TargetDomainName: 'CORP.EXAMPLE', ServiceName: 'krbtgt', ServiceSid: `${DOMAIN_SID}-502`,
    TicketOptions: '0x10002', TicketEncryptionType: '0x12', IpAddress: `::ffff:${ip}`, IpPort: '50125',
  }, dc);
}

/** 4624: a network logon. Kerberos unless `ntlm`; the SID is the domain's unless given. */
export function networkLogon(at: number, user: string, ip: string, o: { ntlm?: boolean; workstation?: string; sid?: string; computer?: string; keyLength?: string; domain?: string } = {}): object {
  return securityEvent(4624, at, {
    SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
    TargetUserSid: o.sid ?? `${DOMAIN_SID}-1104`, TargetUserName: user, TargetDomainName: o.domain ?? 'CORP', TargetLogonId: `0x${Math.round(at * 1000 + 17).toString(16)}`,
    LogonType: '3', LogonProcessName: o.ntlm ? 'NtLmSsp ' : 'Kerberos', AuthenticationPackageName: o.ntlm ? 'NTLM' : 'Kerberos',
    WorkstationName: o.workstation ?? '-', LmPackageName: o.ntlm ? 'NTLM V2' : '-', KeyLength: o.keyLength ?? (o.ntlm ? '128' : '0'),
    IpAddress: ip, IpPort: '49925', TargetOutboundUserName: '-', TargetOutboundDomainName: '-',
  }, o.computer ?? 'FS01.corp.example');
}

/** 4624 type 9 via seclogo: `runas /netonly`, or sekurlsa::pth, on the operator's own machine. */
export function newCredentialsLogon(at: number, operator: string, host: string, outbound?: string): object {
  return securityEvent(4624, at, {
    SubjectUserSid: `${DOMAIN_SID}-500`, SubjectUserName: operator, SubjectDomainName: 'CORP', SubjectLogonId: '0x41a6996',
    TargetUserSid: `${DOMAIN_SID}-500`, TargetUserName: operator, TargetDomainName: 'CORP', TargetLogonId: `0x${Math.round(at * 1000 + 3).toString(16)}`,
    LogonType: '9', LogonProcessName: 'seclogo', AuthenticationPackageName: 'Negotiate', WorkstationName: '-', KeyLength: '0',
    ProcessName: 'C:\\Windows\\System32\\svchost.exe', IpAddress: '::1', IpPort: '0',
    ...(outbound === undefined ? {} : { TargetOutboundUserName: outbound, TargetOutboundDomainName: 'corp.example' }),
  }, host);
}

/** 4776: the DC validated NTLM credentials sent from `workstation`. */
export function ntlmValidation(at: number, user: string, workstation: string, status = '0x0'): object {
  return securityEvent(4776, at, { PackageName: 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0', TargetUserName: user, Workstation: workstation, Status: status });
}
