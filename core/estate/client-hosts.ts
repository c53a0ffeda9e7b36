import { hostKey, isMachineAccount, type Account } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';
import { FrontEnds, type FrontEndsSnapshot } from './front-ends';
import { HostAddresses, type HostAddressesSnapshot } from './host-addresses';
import { madeWhenRead } from '../state/made-when-read';

/** Where an authentication came from, as the password-guessing detectors key it (auth-attempts.ts `clientSource`). */
export type SourceOf = (ip: string | undefined, workstation: string | undefined, host: string, time: number) => string;

export interface ClientHostsSnapshot {
  readonly hostAddresses?: HostAddressesSnapshot;
  readonly frontEnds?: FrontEndsSnapshot;
}

/**
 * The client-host facts the directory model learns once per event, before detectors run
 * (issue 15): name ↔ address bindings (host-addresses.ts) and front-ends (front-ends.ts).
 */
export class ClientHosts {
  readonly addresses: HostAddresses;
  readonly frontEnds: FrontEnds;

  constructor(configuredFrontEnds: readonly string[], private readonly sourceOf: SourceOf, saved?: ClientHostsSnapshot) {
    this.addresses = new HostAddresses(saved?.hostAddresses);
    this.frontEnds = new FrontEnds(configuredFrontEnds, saved?.frontEnds);
  }

  observe(ev: IdentityEvent): void {
    switch (ev.kind) {
      case 'kerberos_tgt_request':
        // A pre-authenticated TGT: an identity authenticated through the client address.
        if (ev.status === 0 && ev.preAuthType !== 0 && ev.ip) this.success(ev.account, ev.ip, undefined, ev.host, ev.time);
        return;
      case 'ntlm_validation':
        if (ev.status === 0 && ev.workstation) this.success(ev.account, undefined, ev.workstation, ev.host, ev.time);
        return;
      case 'logon_failure':
        this.bind(ev.workstation, ev.ip, ev.time);
        return;
      case 'logon':
        this.bind(ev.workstation, ev.ip, ev.time);
        if (ev.logonType !== undefined && [3, 8, 10].includes(ev.logonType) && (ev.ip || ev.workstation)) this.success(ev.account, ev.ip, ev.workstation, ev.host, ev.time);
        return;
      default:
        return;
    }
  }

  /** Through a front-end, the name is the client's and the address the front-end's: no binding. */
  private bind(workstation: string | undefined, ip: string | undefined, time: number): void {
    if (ip && workstation && !this.frontEnds.isFrontEnd({ ip })) this.addresses.observe(workstation, ip, time);
  }

  private success(account: Account, ip: string | undefined, workstation: string | undefined, host: string, time: number): void {
    if (isMachineAccount(account) || account.name === '(unknown)') return;
    const who = account.name.toLowerCase();
    this.frontEnds.observeSuccess(this.sourceOf(ip, workstation, host, time), who, time);
    // AD FS, Exchange and VPN servers log their own name beside their address: a name that many
    // people come through is the front-end's, not a client behind it (a real client name carries
    // one or two people a day), so its failures are not "client evidence" (issue 15).
    if (ip && workstation) this.frontEnds.observeSuccess(hostKey(workstation), who, time);
  }

  evictIdle(before: number): void {
    this.addresses.evictIdle(before);
    this.frontEnds.evictIdle(before);
  }

  snapshot(): ClientHostsSnapshot {
    return madeWhenRead<ClientHostsSnapshot>({ hostAddresses: () => this.addresses.snapshot(), frontEnds: () => this.frontEnds.snapshot() });
  }
}
