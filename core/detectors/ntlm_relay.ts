import { accountKey, hostKey, isLoopback, isMachineAccount } from '../events/fields';
import type { IdentityEvent, Logon } from '../events/identity-event';
import { stillLearning, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';

import { none } from '../rules/tree';

/**
 * NTLM relay: an attacker coerces machine X into authenticating to it (PetitPotam, PrinterBug,
 * WebDAV) and relays X's NTLM exchange to another server, which logs a network logon for `X$`
 * coming from the attacker's address. A machine account otherwise authenticates from its own
 * addresses, which the directory model learns (first address, plus any used on several days).
 * Only NTLM is judged: Kerberos tickets cannot be relayed this way.
 */

export const declaration: DetectorDeclaration = {
  id: 'ntlm_relay',
  title: 'Suspected NTLM relay of a machine account',
  summary: 'An NTLM network logon (4624 type 3) by a machine account X$ from an address that is not one of X\'s learned addresses.',
  severity: 'medium',
  mitre: { tactics: ['credential-access', 'lateral-movement'], techniques: ['T1557.001', 'T1187'] },
  requires: [{
    channel: 'Security', eventIds: [4624],
    fields: ['TargetUserName', 'LogonType', 'AuthenticationPackageName', 'LogonProcessName', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs and on relay targets (AD CS web enrolment, Exchange, file servers); machine logons on DCs teach each machine\'s addresses',
  }],
  consumes: ['logon'],
  falsePositives: [
    'Failover clusters and load-balanced services whose name object (CNO$) authenticates from every node: nodes become trusted once used on several days; exclude the cluster name meanwhile.',
    'A machine that changed address (DHCP, moved subnet) authenticating over NTLM before its new address is trusted.',
  ],
  thresholds: {},
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Find the machine at the source address: it relayed the victim\'s authentication. Isolate it.',
    'Check what the relayed session did on the target (certificate enrolment on AD CS, DCSync, service creation).',
    'Require SMB signing, LDAP signing and channel binding, and EPA on AD CS and IIS; block outbound NTLM from tier-0 machines.',
  ],
  native: none("compares a machine account's NTLM logon address with the addresses learned for that machine"),
};

/**
 * No state of its own: the machines, their addresses and the age of each baseline are the
 * directory model's (issue 13: the two held the same 84 k machines). A version 3 state's copy
 * is folded into the directory by core/state/migrate-v3.ts.
 */
export const ntlmRelay: DetectorModule = {
  declaration,
  create: (settings) => new NtlmRelayDetector(settings),
};

class NtlmRelayDetector implements Detector {
  readonly declaration = declaration;

  constructor(private readonly settings: DetectorSettings) {}

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'logon' || !isMachineAccount(ev.account) || !ev.ip || isLoopback(ev.ip)) return;
    const machine = hostKey(ev.account.name.slice(0, -1));
    if (ev.logonType !== 3 || !isNtlm(ev)) return;
    const trusted = ctx.directory.machineAddresses(machine);
    if (trusted.includes(ev.ip)) return;
    // Dual-stack hosts: an IPv6 address cannot be judged against IPv4-only history (or the reverse),
    // and link-local IPv6 is only reachable on the machine's own segment.
    const sameFamily = trusted.filter((a) => isIpv6(a) === isIpv6(ev.ip as string));
    if (sameFamily.length === 0 || ev.ip.startsWith('fe80:')) return;
    // The directory learned this logon before any detector ran, so the machine is always known.
    this.emit(ev, ev.ip, sameFamily, ctx.directory.machineFirstSeen(machine) ?? ev.time, ctx);
  }

  private emit(ev: Logon, source: string, trusted: readonly string[], firstSeen: number, ctx: DetectionContext): void {
    const dc = ctx.directory.isDomainControllerAccount(ev.account);
    ctx.emit({
      keys: [accountKey(ev.account), source],
      severity: dc ? 'high' : 'medium',
      description: `${qualified(ev.account)} logged on to ${ev.host} with NTLM from ${source}, but that machine authenticates from ${trusted.join(', ')}. `
        + 'A machine account\'s NTLM coming from somebody else\'s address is a relayed authentication (coerced with PetitPotam, PrinterBug or WebDAV)'
        + `${dc ? '; it is a domain controller\'s account, which a relay turns into domain compromise (AD CS certificate, DCSync)' : ''}.`,
      accounts: [accountEntity(ev.account, 'actor')],
      hosts: present([hostEntity('source', undefined, source), hostEntity('target', ev.account.name.slice(0, -1), trusted[0]), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { source, machineAddresses: trusted, workstation: ev.workstation },
      learning: stillLearning(this.settings, firstSeen, ev.time),
    });
  }

  snapshot(): Record<string, never> {
    return {};
  }

  evictIdle(): void {
    // Nothing to evict: the directory model ages the machines out.
  }
}

function isNtlm(ev: Logon): boolean {
  return ev.authPackage?.toUpperCase() === 'NTLM' || ev.logonProcess?.trim().toLowerCase() === 'ntlmssp';
}

function isIpv6(address: string): boolean {
  return address.includes(':');
}
