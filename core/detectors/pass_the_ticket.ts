import { accountKey, isLoopback } from '../events/fields';
import type { IdentityEvent, KerberosServiceTicket } from '../events/identity-event';
import { DAY, HOUR, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { addDay, dayCount, NO_DAYS, readDayBits, type DayBits } from '../state/day-bits';
import { SkewQueue, type Deferred } from '../estate/kerberos-coverage';
import { KeyedTable, rowAt, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeDeferredTickets, encodeDeferredTickets } from '../state/saved-tickets';

import { none } from '../rules/tree';

/**
 * Pass-the-ticket: a TGT exported from one machine's memory (mimikatz sekurlsa::tickets,
 * Rubeus dump) and imported on another is presented from the second machine's address. The
 * DC issued the TGT (4768) or renewed it (4770) to address A; service tickets (4769) for the
 * same account then come from B, which never received a TGT for it within the ticket lifetime.
 * Delegation is the legitimate way a TGT moves (the client asks for a forwarded TGT, 4769 for
 * krbtgt with the forwarded flag) and S4U2Proxy names its transited services: neither is judged.
 * Roaming users and delegation front-ends are learned; NAT and VPN pools go in exclusions.ips.
 */

const FORWARDED = 0x20000000; // KDC option bit 2 (RFC 4120 §5.4.1): a forwarded TGT was requested

export const declaration: DetectorDeclaration = {
  id: 'pass_the_ticket',
  title: 'Suspected pass-the-ticket (a TGT used from another machine)',
  summary: 'A service ticket (4769) requested with an account\'s TGT from an address other than the ones the DCs issued or renewed its TGT to (4768/4770) within the ticket lifetime, joined across all DCs.',
  severity: 'high',
  mitre: { tactics: ['lateral-movement', 'defense-evasion'], techniques: ['T1550.003'] },
  requires: [{
    channel: 'Security', eventIds: [4768, 4769, 4770],
    fields: ['TargetUserName', 'Status', 'IpAddress', 'ServiceName', 'TicketOptions', 'TransmittedServices'],
    auditPolicy: 'Audit Kerberos Authentication Service and Audit Kerberos Service Ticket Operations (Success) on every DC',
  }],
  consumes: ['kerberos_tgt_request', 'kerberos_service_ticket', 'kerberos_ticket_renewal'],
  falsePositives: [
    'NAT, VPN concentrators and proxies that change a client\'s address between its TGT and its service tickets: list their ranges in this detector\'s exclusions.ips.',
    'Laptops that change network (dock to Wi-Fi) keep their TGT: learned per account once seen on roamingDays days.',
    'Servers trusted for delegation that present users\' forwarded tickets: learned once they do it for frontEndAccounts accounts.',
    'A DC whose Security log is not collected issues TGTs nobody sees: collect every DC.',
  ],
  thresholds: {
    ticketLifetimeHours: { default: 10, minimum: 1, integer: false, description: 'Maximum lifetime for user ticket (Kerberos policy): how long a TGT stays usable after it was issued or renewed' },
    coverageGapMinutes: { default: 120, minimum: 5, integer: false, description: 'A silence in Kerberos events longer than this restarts coverage: the join needs one full lifetime of unbroken DC logs' },
    roamingDays: { default: 3, minimum: 1, integer: true, description: 'Distinct days an account may present its tickets from a second address before that is its learned habit (a roaming laptop)' },
    clockSkewMinutes: { default: 5, minimum: 0, integer: false, description: 'Maximum tolerance for computer clock synchronization (Kerberos policy): a TGT logged this much after a service ticket still explains it, so verdicts wait this long' },
    frontEndAccounts: { default: 5, minimum: 2, integer: true, description: 'Distinct accounts whose tickets one address presents before it is learned as a delegation front-end or shared egress' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Isolate the machine at the address that used the ticket, and the one the TGT was issued to: the ticket was taken from the second\'s memory.',
    'Reset the account\'s password and purge its tickets (klist purge); for a privileged account, check what the ticket was used for.',
    'Limit where privileged accounts log on (tiering, Protected Users) so their tickets are never left on workstations.',
  ],
  native: none("joins each service ticket's address to the addresses its TGT was issued or renewed to, across all DCs, over the ticket lifetime"),
};

/**
 * Verdict state of one account: the TGT addresses themselves are the Kerberos ledger's
 * (ctx.kerberos); an account is kept here only once it forwarded a TGT or roamed.
 */
interface AccountTickets {
  forwardedAt?: number;
  /** Days the account presented its tickets from another address (a day bitset). */
  roaming: DayBits;
  lastSeen: number;
}

interface FrontEnd {
  accounts: string[];
  lastSeen: number;
}

/**
 * `[lastSeen, roaming, forwardedAt]`, for the state TTL; a forwarding also expires on its own,
 * a ticket lifetime later (evictExpiredForwarding).
 */
const accountsTable: TableSpec<AccountTickets> = {
  name: 'accounts',
  lastSeen: (a) => a.lastSeen,
  encode: (a) => [a.lastSeen, a.roaming, a.forwardedAt ?? null],
  decode(v, read, path) {
    const [lastSeen, roaming, forwardedAt] = read.tuple(v, path, 3);
    const at = read.optional(forwardedAt, `${path}.2`, (x, p) => read.number(x, p));
    return { lastSeen: read.number(lastSeen, `${path}.0`), roaming: readDayBits(roaming, read, `${path}.1`), ...(at !== undefined ? { forwardedAt: at } : {}) };
  },
};

/**
 * `[lastSeen, accounts]`: the accounts an address presented tickets for, up to frontEndAccounts.
 * A restore accepts longer lists (saved before the threshold was lowered) up to this bound.
 */
const MAX_FRONT_END_ACCOUNTS = 10_000;
function sourcesTable(needed: number): TableSpec<FrontEnd> {
  const cap = Math.max(needed, MAX_FRONT_END_ACCOUNTS);
  return valueTable('sources', 'accounts', { read: (v, read, path) => read.list(v, path, cap, (x, p) => read.string(x, p)) });
}

export const passTheTicket: DetectorModule = {
  declaration,
  create: (settings, saved) => new PassTheTicketDetector(settings, saved),
};

class PassTheTicketDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly accounts: KeyedTable<AccountTickets>;
  private readonly sources: KeyedTable<FrontEnd>;
  /** Service tickets from an address with no TGT, waiting out DC clock skew. */
  private readonly waiting: Deferred<KerberosServiceTicket>[];
  private ticketsSweptUpTo = -Infinity;
  private readonly lifetimeMs: number;
  private readonly skewMs: number;
  private readonly unexplained: SkewQueue<KerberosServiceTicket>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.lifetimeMs = threshold(settings, 'ticketLifetimeHours') * HOUR;
    this.skewMs = threshold(settings, 'clockSkewMinutes') * MINUTE;
    const { read, section, since } = openSection('pass_the_ticket', saved);
    this.since = since;
    this.accounts = new KeyedTable(accountsTable, section['accounts'], read);
    this.sources = new KeyedTable(sourcesTable(threshold(settings, 'frontEndAccounts')), section['sources'], read);
    this.waiting = decodeDeferredTickets(section['unexplained'], read, 'unexplained');
    this.unexplained = new SkewQueue(this.waiting);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'kerberos_tgt_request' && ev.kind !== 'kerberos_service_ticket' && ev.kind !== 'kerberos_ticket_renewal') return;
    this.unexplained.release(ev.time, (t) => this.judgeUnexplained(t, ctx));
    this.since ??= ev.time;
    // TGT issues and renewals are the ledger's: only service tickets are judged here.
    const ip = ev.ip && !isLoopback(ev.ip) ? ev.ip : undefined;
    if (ev.kind === 'kerberos_service_ticket' && ev.status === 0 && ip) this.judge(ev, ip, ctx);
  }

  private judge(ev: KerberosServiceTicket, ip: string, ctx: DetectionContext): void {
    const key = accountKey(ev.account);
    const { kerberos } = ctx;
    const a = this.accounts.get(key);
    if (!a && !kerberos.hasAddressBetween(key, -Infinity, Infinity)) return; // no TGT seen at all: golden_ticket's question, not this one
    if (a) a.lastSeen = ev.time;
    if (ev.ticketOptions !== undefined && (ev.ticketOptions & FORWARDED) !== 0 && ev.serviceName.toLowerCase().startsWith('krbtgt')) {
      this.account(key, ev.time).forwardedAt = ev.time; // the client forwarded its TGT to a delegating service
      return;
    }
    if (ev.transitedServices) return;
    const from = ev.time - this.lifetimeMs;
    if (kerberos.hasTgtAt(key, ip, from, ev.time)) return; // the TGT went to this address: its own ticket
    // A dual-stack client may get its TGT over IPv4 and its service tickets over IPv6: only a
    // live TGT at an address of the ticket's own family says the ticket moved.
    const v6 = isIpv6(ip);
    if (ctx.directory.isDomainControllerAddress(ip) || !kerberos.hasAddressBetween(key, from, ev.time, (t) => isIpv6(t) === v6)) return;
    if (a?.forwardedAt !== undefined && ev.time - a.forwardedAt <= this.lifetimeMs) return;
    if (!kerberos.coverage.covers(ev.time, this.lifetimeMs)) return;
    this.unexplained.push(ev.time + this.skewMs, ev);
  }

  /** Once the clock skew has passed: still no TGT to that address, no forwarding, no learned habit? */
  private judgeUnexplained(ev: KerberosServiceTicket, ctx: DetectionContext): void {
    const key = accountKey(ev.account);
    const ip = ev.ip as string;
    // A TGT logged up to one skew after the service ticket still explains it.
    if (ctx.kerberos.hasTgtAt(key, ip, ev.time - this.lifetimeMs, ev.time + this.skewMs)) return;
    const a = this.accounts.get(key);
    if (a?.forwardedAt !== undefined && a.forwardedAt - ev.time <= this.skewMs && ev.time - a.forwardedAt <= this.lifetimeMs) return;
    const sameFamily = ctx.kerberos.addressesBetween(key, ev.time - this.lifetimeMs, ev.time).filter((t) => isIpv6(t.ip) === isIpv6(ip));
    if (sameFamily.length === 0 || this.learnedElsewhere(key, this.account(key, ev.time), ip, ev.time)) return;

    const issuedTo = sameFamily.map((t) => t.ip);
    const minutes = Math.round((ev.time - Math.max(...sameFamily.map((t) => t.time))) / MINUTE);
    ctx.emit({
      keys: [key, ip],
      severity: 'high',
      description: `A service ticket for ${ev.serviceName} was requested as ${qualified(ev.account)} from ${ip}, but the domain controllers issued ${qualified(ev.account)}'s TGT to ${issuedTo.join(', ')} `
        + `(${minutes} min before) and never to ${ip}: the TGT was taken from one machine's memory and used on another (pass-the-ticket).`,
      accounts: [accountEntity(ev.account, 'actor')],
      hosts: present([hostEntity('source', undefined, ip), ...issuedTo.map((t) => hostEntity('target', undefined, t)), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { ticketIssuedTo: issuedTo, usedFrom: ip, service: ev.serviceName },
      learning: stillLearning(this.settings, this.since, ev.time),
    });
  }

  /**
   * Whether using the ticket from `ip` is a learned habit: the account roams on enough days,
   * or the address presents tickets for enough accounts to be a delegation front-end.
   */
  private learnedElsewhere(key: string, a: AccountTickets, ip: string, time: number): boolean {
    const day = Math.floor(time / DAY);
    const roaming = dayCount(a.roaming) >= threshold(this.settings, 'roamingDays');
    a.roaming = addDay(a.roaming, day);
    const needed = threshold(this.settings, 'frontEndAccounts');
    const source = rowAt(this.sources, ip, time, () => ({ accounts: [], lastSeen: time }));
    const frontEnd = source.accounts.length >= needed;
    if (!source.accounts.includes(key) && source.accounts.length < needed) source.accounts = [...source.accounts, key];
    return roaming || frontEnd;
  }

  /**
   * A forwarding past a ticket lifetime (and the skew a waiting verdict looks back over) explains
   * nothing any more; an account left with no forwarding and no roaming days is exactly what a
   * fresh one would be, so it goes (its window is its horizon, not the 30-day TTL).
   */
  private evictExpiredForwarding(horizon: number): void {
    if (horizon < this.ticketsSweptUpTo + HOUR) return;
    this.ticketsSweptUpTo = horizon;
    for (const [k, a] of this.accounts.entries()) {
      if (a.forwardedAt !== undefined && a.forwardedAt < horizon) delete a.forwardedAt;
      if (a.forwardedAt === undefined && a.roaming === NO_DAYS) this.accounts.delete(k);
    }
  }

  private account(key: string, time: number): AccountTickets {
    return rowAt(this.accounts, key, time, () => ({ roaming: NO_DAYS, lastSeen: time }));
  }

  /** End of finished input: no TGT or forwarding can still arrive to explain a waiting ticket. */
  flush(ctx: DetectionContext): void {
    this.unexplained.releaseAll((t) => this.judgeUnexplained(t, ctx));
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      accounts: this.accounts.snapshot(),
      sources: this.sources.snapshot(),
      unexplained: encodeDeferredTickets(this.waiting),
    };
  }

  evictIdle(before: number, watermark = before): void {
    this.evictExpiredForwarding(watermark - this.lifetimeMs - 2 * this.skewMs);
    this.accounts.evict(before, watermark);
    this.sources.evict(before, watermark);
  }
}

function isIpv6(address: string): boolean {
  return address.includes(':');
}
