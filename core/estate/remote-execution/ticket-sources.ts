import { hostKey, isLoopback } from '../../events/fields';
import type { KerberosServiceTicket } from '../../events/identity-event';

import type { SavedReader } from '../../state/saved-value';

/**
 * Where an account's Kerberos tickets for a host were requested from, for a few minutes. A
 * network logon over HTTP (WinRM) logs no client address on the target, but the client asked a
 * DC for a service ticket to that host just before (4769: ServiceName is the host's `NAME$`
 * account, IpAddress the client).
 *
 * Every 4769 of the domain comes through `observe`, so it only does two map lookups on the
 * strings as logged (their hashes are already cached); case-insensitive matching is left to the
 * rare lookup. Entries older than the window are swept a few times per window, so memory follows
 * recent ticket traffic, not the size of the domain.
 */
// Requests within one window: the whole domain's 4769s to hosts in ten minutes stay far below this.
const MAX_SAVED = 1_000_000;

export class TicketSources {
  /** ServiceName as logged → TargetUserName as logged → latest request. */
  private readonly byService = new Map<string, Map<string, { ip: string; time: number }>>();
  private nextSweep = -Infinity;

  /** `saved` is what toJSON wrote, read through `read` at `path`: a bad entry throws naming it. */
  constructor(private readonly windowMs: number, read: SavedReader, saved?: unknown, path = 'tickets') {
    if (saved === undefined) return;
    read.list(saved, path, MAX_SAVED, (v, p) => {
      const [service, account, ip, time] = read.tuple(v, p, 4);
      this.remember(read.string(service, `${p}.0`), read.string(account, `${p}.1`), read.string(ip, `${p}.2`), read.number(time, `${p}.3`));
    });
  }

  observe(ev: KerberosServiceTicket): void {
    if (ev.status !== 0 || !ev.ip || !ev.serviceName.endsWith('$') || isLoopback(ev.ip)) return;
    this.remember(ev.serviceName, ev.account.name, ev.ip, ev.time);
    if (ev.time >= this.nextSweep) this.sweep(ev.time);
  }

  /** The client address of `account`'s latest ticket for `host`, requested at most windowMs before `time`. */
  sourceOf(account: string, host: string, time: number): { ip: string; time: number } | undefined {
    // `NAME$` is the host's NetBIOS name: the first label of its DNS name.
    const service = `${hostKey(host)}$`;
    const wanted = account.toLowerCase();
    for (const [name, accounts] of this.byService) {
      if (name.toLowerCase() !== service) continue;
      for (const [who, t] of accounts) {
        if (who.toLowerCase() === wanted && t.time <= time + 5_000 && t.time >= time - this.windowMs) return t;
      }
    }
    return undefined;
  }

  toJSON(): [string, string, string, number][] {
    const out: [string, string, string, number][] = [];
    for (const [service, accounts] of this.byService) for (const [account, t] of accounts) out.push([service, account, t.ip, t.time]);
    return out;
  }

  private remember(service: string, account: string, ip: string, time: number): void {
    let accounts = this.byService.get(service);
    if (!accounts) {
      accounts = new Map();
      this.byService.set(service, accounts);
    }
    const t = accounts.get(account);
    if (t) {
      t.ip = ip;
      t.time = time;
    } else {
      accounts.set(account, { ip, time });
    }
  }

  private sweep(now: number): void {
    this.nextSweep = now + this.windowMs / 4;
    const before = now - this.windowMs;
    for (const [service, accounts] of this.byService) {
      for (const [account, t] of accounts) if (t.time < before) accounts.delete(account);
      if (accounts.size === 0) this.byService.delete(service);
    }
  }
}
