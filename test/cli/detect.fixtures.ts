import { securityEvent } from '../core/detectors/harness';

/** Events the `detect` CLI tests replay: a Kerberoast burst, a wrong-password guess, plain logons. */
export const roast = (at: number, service: string) => securityEvent(4769, at, {
  TargetUserName: 'jdoe@CORP.EXAMPLE', ServiceName: service, TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.4.21',
});
export const guess = (at: number) => securityEvent(4771, at, { TargetUserName: 'admin', Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' });
export const logon = (at: number, i: number) => securityEvent(4624, at, {
  TargetUserName: `user${i % 500}`, TargetDomainName: 'CORP', TargetLogonId: `0x${i.toString(16)}`, LogonType: '3',
  IpAddress: `::ffff:10.0.${(i >> 8) & 255}.${i & 255}`, AuthenticationPackageName: 'Kerberos',
});
