import { hostKey, isLoopback } from '../events/fields';

/**
 * One client host, whether an event names it or addresses it: the name ↔ address bindings the
 * logs state outright. A 4624/4625 written for a network logon carries both the client's
 * `WorkstationName` and its `IpAddress`; a 4776 on the DC only the name the client reported;
 * a 4768/4771 only the address. Detectors that count "sources" resolve a bare name to the
 * address it was last bound to, so a scanner seen as `SCAN01` by NTLM and as `10.16.1.22` by
 * Kerberos is one source, not two (issue 15). No DNS: only what the events say.
 *
 * Two addresses are never merged with each other: a name moves with DHCP, and an attacker can
 * put any name in an NTLM message, so a binding only folds a name into an address — it can
 * make one attacker fewer sources, never many attackers one. A binding older than
 * `BINDING_TTL_MS` (a DHCP lease is 8 days on Windows Server by default; a day keeps roaming
 * laptops honest) is not used.
 */
export interface HostAddressView {
  /** The address `name` was last seen logging on from, when a recent event said both. */
  addressOf(name: string, time: number): string | undefined;
}

export interface HostBinding {
  readonly ip: string;
  readonly time: number;
}

export type HostAddressesSnapshot = readonly (readonly [string, HostBinding])[];

export const BINDING_TTL_MS = 24 * 3_600_000;
const MAX_BINDINGS = 200_000;

export class HostAddresses implements HostAddressView {
  /** name key → latest binding; insertion order is age order (re-inserted on change). */
  private readonly bindings = new Map<string, HostBinding>();

  constructor(saved?: HostAddressesSnapshot) {
    for (const [name, b] of saved ?? []) this.bindings.set(name, b);
  }

  /** Learns from one event that names and addresses the same client (4624/4625). */
  observe(workstation: string | undefined, ip: string | undefined, time: number): void {
    if (!workstation || !ip || isLoopback(ip) || workstation === '-') return;
    const name = hostKey(workstation);
    if (!name || name === ip) return;
    const known = this.bindings.get(name);
    if (known && known.ip === ip && time - known.time < BINDING_TTL_MS / 24) return; // fresh enough: skip the churn
    this.bindings.delete(name);
    this.bindings.set(name, { ip, time });
    if (this.bindings.size > MAX_BINDINGS) this.dropOldest();
  }

  addressOf(name: string, time: number): string | undefined {
    const b = this.bindings.get(hostKey(name));
    return b && Math.abs(time - b.time) <= BINDING_TTL_MS ? b.ip : undefined;
  }

  private dropOldest(): void {
    let drop = MAX_BINDINGS / 10;
    for (const key of this.bindings.keys()) {
      if (drop-- <= 0) break;
      this.bindings.delete(key);
    }
  }

  evictIdle(before: number): void {
    for (const [k, b] of this.bindings) if (b.time < before - BINDING_TTL_MS) this.bindings.delete(k);
  }

  snapshot(): HostAddressesSnapshot {
    return [...this.bindings];
  }
}
