import { accountKey, hostKey, isLoopback } from '../../events/fields';
import type { KerberosServiceTicket } from '../../events/identity-event';

/**
 * Where an account's Kerberos tickets for a host were requested from, for a few minutes. A
 * network logon over HTTP (WinRM) logs no client address on the target, but the client asked a
 * DC for a service ticket to that host just before (4769: ServiceName is the host's `NAME$`
 * account, IpAddress the client). Entries are kept in insertion order and pruned from the old
 * end, so memory follows the last `windowMs` of ticket traffic, not the size of the domain.
 */
export class TicketSources {
  private readonly recent = new Map<string, { ip: string; time: number }>();

  constructor(private readonly windowMs: number, saved?: readonly (readonly [string, { ip: string; time: number }])[]) {
    for (const [k, v] of saved ?? []) this.recent.set(k, v);
  }

  observe(ev: KerberosServiceTicket): void {
    if (ev.status !== 0 || !ev.ip || isLoopback(ev.ip) || !ev.serviceName.endsWith('$')) return;
    const key = `${accountKey(ev.account)}|${hostKey(ev.serviceName.slice(0, -1))}`;
    this.recent.delete(key);
    this.recent.set(key, { ip: ev.ip, time: ev.time });
    for (const [k, v] of this.recent) {
      if (v.time >= ev.time - this.windowMs) break;
      this.recent.delete(k);
    }
  }

  /** The client address of `account`'s latest ticket for `host`, requested at most windowMs before `time`. */
  sourceOf(account: string, host: string, time: number): { ip: string; time: number } | undefined {
    const t = this.recent.get(`${account.toLowerCase()}|${hostKey(host)}`);
    return t && t.time <= time + 5_000 && t.time >= time - this.windowMs ? t : undefined;
  }

  toJSON(): [string, { ip: string; time: number }][] {
    return [...this.recent];
  }
}
