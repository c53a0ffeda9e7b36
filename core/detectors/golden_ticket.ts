import { accountKey, isLoopback, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent, KerberosServiceTicket } from '../events/identity-event';
import { HOUR, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { KDC_ERR_C_PRINCIPAL_UNKNOWN } from '../estate/status-codes';
import { SkewQueue, type Deferred } from '../estate/kerberos-coverage';
import { KeyedTable, seenTable } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeDeferredTickets, encodeDeferredTickets } from '../state/saved-tickets';

import { none } from '../rules/tree';

/**
 * Golden ticket: with krbtgt's key an attacker forges TGTs offline, so no DC ever issued them.
 * A forged TGT shows where it is used:
 * - service tickets (4769) for an account no DC issued (4768) or renewed (4770) a TGT to
 *   within the ticket lifetime, judged only once every DC's stream has covered a lifetime;
 * - a client realm the KDC did not write: Windows KDCs put the realm in upper case in every
 *   ticket they issue (a lower-case AS-REQ still yields `CORP.LOCAL`), forging tools copy it as typed;
 * - a name the KDC itself answered "principal unknown" for (4768 0x6) now holding tickets;
 * - name↔SID mismatches: a forged PAC carries whatever name and SID (default RID 500) the
 *   forger chose, so a SID appears under another account's name, or a name with another SID.
 */

const LOWER_CASE = /[a-z]/;
const MAX_UNKNOWN_NAMES = 10_000;
const MAX_REALMS = 16;

export const declaration: DetectorDeclaration = {
  id: 'golden_ticket',
  title: 'Suspected golden ticket (forged Kerberos TGT)',
  summary: 'Service tickets for an account no DC issued a TGT to within the ticket lifetime (joined across all DCs), a ticket realm no Windows KDC writes, tickets for names the KDC called unknown, or a name↔SID mismatch.',
  severity: 'high',
  mitre: { tactics: ['credential-access', 'persistence'], techniques: ['T1558.001'] },
  requires: [{
    channel: 'Security', eventIds: [4768, 4769, 4770],
    fields: ['TargetUserName', 'TargetDomainName', 'Status', 'ServiceName', 'IpAddress', 'TransmittedServices'],
    auditPolicy: 'Audit Kerberos Authentication Service and Audit Kerberos Service Ticket Operations (Success and Failure) on every DC',
  }, {
    // The 4672/5140 of a session repeat its 4624's name and SID, so the logon alone is judged.
    channel: 'Security', eventIds: [4624],
    fields: ['TargetUserName', 'TargetUserSid', 'IpAddress'],
    auditPolicy: 'Audit Logon (Success) on servers and DCs: the name and SID a ticket carries',
  }, {
    channel: 'Security', eventIds: [4720, 4726, 4738, 4741, 4742, 4743, 4781],
    fields: ['TargetUserName', 'TargetSid', 'NewTargetUserName'],
    auditPolicy: 'Audit User Account Management and Audit Computer Account Management (Success): renames keep names and SIDs current',
  }],
  consumes: ['kerberos_tgt_request', 'kerberos_service_ticket', 'kerberos_ticket_renewal', 'logon', 'account_management'],
  falsePositives: [
    'A DC whose Security log is not collected issues TGTs nobody sees: collect every DC, or add it to domainControllers and exclude nothing.',
    'A maximum user-ticket lifetime above 10 h (Kerberos policy): raise ticketLifetimeHours to match.',
    'An account renamed without the rename (4781) being collected shows as a name↔SID mismatch once.',
  ],
  thresholds: {
    ticketLifetimeHours: { default: 10, minimum: 1, integer: false, description: 'Maximum lifetime for user ticket (Kerberos policy): how long a TGT issued by a DC explains service tickets' },
    coverageGapMinutes: { default: 120, minimum: 5, integer: false, description: 'A silence in Kerberos events longer than this restarts coverage: the missing-TGT check needs one full lifetime of unbroken DC logs' },
    clockSkewMinutes: { default: 5, minimum: 0, integer: false, description: 'Maximum tolerance for computer clock synchronization (Kerberos policy): a TGT logged this much after a service ticket still explains it, so missing-TGT verdicts wait this long' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Reset the krbtgt password twice (with replication in between): that invalidates every forged TGT.',
    'Find how krbtgt\'s key was obtained (DCSync, NTDS.dit copy, DC backup) and from which host the forged tickets were used.',
    'Review the accounts and SIDs the tickets carried: a forged PAC grants whatever groups the forger listed.',
  ],
  native: none("joins every service ticket to the TGTs all DCs issued within the ticket lifetime (hours, across DCs), and learns each realm's and account's name-SID pairs"),
};



/**
 * Verdict state only: the TGTs and the stream's coverage are the Kerberos ledger's (ctx.kerberos),
 * the name↔SID pairs the account table's (ctx.nameSids). Saved as `{since, realms, unknownNames,
 * missingTgt}`: names the KDC called unknown are a table of when each was last answered so,
 * kept for the state TTL; the waiting tickets are core/state/saved-tickets.ts's.
 */
const unknownNamesTable = seenTable('unknownNames');

export const goldenTicket: DetectorModule = {
  declaration,
  create: (settings, saved) => new GoldenTicketDetector(settings, saved),
};

class GoldenTicketDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  /** Realms the DCs issue TGTs for (upper case), so cross-realm clients are left alone. */
  private readonly realms: string[];
  /** Names the KDC answered "principal unknown" for, and when; at most MAX_UNKNOWN_NAMES. */
  private readonly unknownNames: KeyedTable<{ lastSeen: number }>;
  /** Service tickets with no TGT in sight, waiting out DC clock skew. */
  private readonly waiting: Deferred<KerberosServiceTicket>[];
  private readonly lifetimeMs: number;
  private readonly skewMs: number;
  private readonly missingTgt: SkewQueue<KerberosServiceTicket>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.lifetimeMs = threshold(settings, 'ticketLifetimeHours') * HOUR;
    this.skewMs = threshold(settings, 'clockSkewMinutes') * MINUTE;
    const { read, section, since } = openSection('golden_ticket', saved);
    // The name↔SID pairs are the account table's since state version 5 (core/state/migrate-v4-accounts.ts
    // moves them): a section still holding them was not migrated.
    for (const key of ['sidNames', 'nameRids']) {
      if (key in section) read.fail(key, 'is not a key of state version 5: the name↔SID pairs live in identities.nameSids');
    }
    this.since = since;
    this.realms = section['realms'] === undefined ? [] : read.list(section['realms'], 'realms', MAX_REALMS, (x, p) => read.string(x, p));
    this.unknownNames = new KeyedTable(unknownNamesTable, section['unknownNames'], read);
    if (this.unknownNames.size > MAX_UNKNOWN_NAMES) read.fail('unknownNames', `must hold at most ${MAX_UNKNOWN_NAMES} names, holds ${this.unknownNames.size}`);
    this.waiting = decodeDeferredTickets(section['missingTgt'], read, 'missingTgt');
    this.missingTgt = new SkewQueue(this.waiting);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    this.missingTgt.release(ev.time, (t) => this.judgeMissingTgt(t, ctx));
    switch (ev.kind) {
      case 'kerberos_tgt_request':
        this.since ??= ev.time;
        if (ev.status === 0) {
          this.forgetUnknown(accountKey(ev.account));
          this.learnRealm(ev.account.domain);
        } else if (ev.status === KDC_ERR_C_PRINCIPAL_UNKNOWN) {
          this.rememberUnknown(accountKey(ev.account), ev.time);
        }
        return;
      case 'kerberos_ticket_renewal':
        return; // the ledger learned the renewal
      case 'kerberos_service_ticket':
        this.since ??= ev.time;
        if (ev.status === 0 && !ev.transitedServices) this.judgeServiceTicket(ev, ctx);
        return;
      case 'logon':
        this.checkIdentity(ev.account, ev, ev.ip, ctx);
        return;
      case 'account_management':
        // Creations and renames are the directory speaking: they set the mapping, never alert.
        if (ev.target.sid) this.learnIdentity(ev.target, ev.time, true, ctx);
        if (ev.action === 'created' || ev.action === 'renamed') this.forgetUnknown(accountKey(ev.target));
        return;
      default:
        return;
    }
  }

  private judgeServiceTicket(ev: KerberosServiceTicket, ctx: DetectionContext): void {
    const key = accountKey(ev.account);
    const realm = ev.account.domain;
    const what = `a service ticket for ${ev.serviceName}`;
    if (realm && LOWER_CASE.test(realm) && realm.includes('.') && this.isLocalRealm(realm)) {
      this.emit(ctx, ev, 'realm', ev.account, ev.ip, what,
        `the ticket names its realm "${realm}"; a Windows KDC writes the realm in upper case (${realm.toUpperCase()}) in every ticket it issues, so this TGT was made by something else`);
      return;
    }
    if (realm && !this.isLocalRealm(realm)) return; // a client of a trusted realm got its TGT from its own KDCs
    const unknownAt = this.unknownNames.get(key)?.lastSeen;
    if (unknownAt !== undefined) {
      this.emit(ctx, ev, 'unknown', ev.account, ev.ip, what,
        `a domain controller answered "principal unknown" (4768 0x6) for ${ev.account.name} at ${new Date(unknownAt).toISOString()}: the account does not exist, yet it holds a TGT`);
      return;
    }
    if (this.hasTgt(ctx, key, ev.time) || !ctx.kerberos.coverage.covers(ev.time, this.lifetimeMs)) return;
    this.missingTgt.push(ev.time + this.skewMs, ev);
  }

  /** Once the skew has passed: still no TGT issued or renewed around this ticket? */
  private judgeMissingTgt(ev: KerberosServiceTicket, ctx: DetectionContext): void {
    if (this.hasTgt(ctx, accountKey(ev.account), ev.time)) return;
    this.emit(ctx, ev, 'no_tgt', ev.account, ev.ip, `a service ticket for ${ev.serviceName}`,
      `no domain controller issued or renewed a TGT for ${ev.account.name} in the ${this.lifetimeMs / HOUR} h before (every DC's Kerberos events seen since ${new Date(ctx.kerberos.coverage.start ?? ev.time).toISOString()})`,
      stillLearning(this.settings, this.since, ev.time));
  }

  /** A TGT issued or renewed within the lifetime before `time`, or logged up to the clock skew after it. */
  private hasTgt(ctx: DetectionContext, key: string, time: number): boolean {
    return ctx.kerberos.hasTgtBetween(key, time - this.lifetimeMs, time + this.skewMs);
  }

  /** A name and a SID seen together must agree with what earlier events taught. */
  private checkIdentity(account: Account, ev: EventOrigin, ip: string | undefined, ctx: DetectionContext): void {
    const conflict = this.learnIdentity(account, ev.time, false, ctx);
    if (!conflict) return;
    this.emit(ctx, ev, 'sid_mismatch', account, ip, `a logon session (${ev.eventId})`, conflict);
  }

  /** Records name↔SID; returns why they conflict with what is known, when they do. */
  private learnIdentity(account: Account, time: number, authoritative: boolean, ctx: DetectionContext): string | undefined {
    const sid = account.sid;
    // Only domain and machine SIDs (S-1-5-21-…) name one account; well-known SIDs (SYSTEM,
    // NETWORK SERVICE) are logged under each machine's own name.
    if (!sid || !sid.startsWith('S-1-5-21-') || account.name === sid) return undefined;
    const pairs = ctx.nameSids;
    const bySid = pairs.find(sid);
    if (bySid !== undefined && pairs.sameName(bySid, account.name)) {
      pairs.touch(bySid, time); // the common case: a pair already known
      return undefined;
    }
    const name = account.name.toLowerCase();
    const cut = sid.lastIndexOf('-');
    const rid = sid.slice(cut + 1);
    const domainSid = sid.slice(0, cut);
    const knownRid = pairs.ridOf(domainSid, name);
    if (!authoritative && bySid !== undefined) {
      pairs.touch(bySid, time);
      return `SID ${sid} was presented as ${account.name}, while that SID belongs to ${pairs.name(bySid)}; a forged ticket carries whatever name and SID its maker chose`;
    }
    if (!authoritative && knownRid !== undefined && knownRid !== rid) {
      return `${account.name} was presented with RID ${rid}, while the account's SID ends in ${knownRid}; a forged ticket carries whatever name and SID its maker chose`;
    }
    // A rename frees the old name: it may later belong to a new account.
    pairs.set(sid, account.name, time);
    return undefined;
  }

  private emit(ctx: DetectionContext, ev: EventOrigin, reason: string, account: Account, ip: string | undefined, what: string, why: string, learning = false): void {
    const source = ip && !isLoopback(ip) ? ip : undefined;
    ctx.emit({
      keys: [accountKey(account), reason],
      severity: 'high',
      description: `${qualified(account)}${source ? ` from ${source}` : ''} obtained or used ${what} on ${ev.host}, but ${why}. `
        + 'Tickets like this are forged with the krbtgt key (golden ticket).',
      accounts: [accountEntity(account, 'actor')],
      hosts: present([hostEntity('source', undefined, source), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { reason },
      learning,
    });
  }

  private isLocalRealm(realm: string): boolean {
    const { realms } = this;
    if (realms.length === 0 || realms.includes(realm)) return true; // tickets carry the realm as the KDC wrote it: usually an exact match
    return LOWER_CASE.test(realm) && realms.includes(realm.toUpperCase());
  }

  private learnRealm(realm: string | undefined): void {
    if (!realm || !realm.includes('.')) return;
    const upper = realm.toUpperCase();
    if (!this.realms.includes(upper) && this.realms.length < MAX_REALMS) this.realms.push(upper);
  }

  /** A name already known keeps its place; a new one is refused once MAX_UNKNOWN_NAMES are held. */
  private rememberUnknown(name: string, time: number): void {
    const known = this.unknownNames.get(name);
    if (known) known.lastSeen = time;
    else if (this.unknownNames.size < MAX_UNKNOWN_NAMES) this.unknownNames.set(name, { lastSeen: time });
  }

  private forgetUnknown(name: string): void {
    this.unknownNames.delete(name);
  }

  /** End of finished input: no TGT can still arrive to explain a waiting ticket. */
  flush(ctx: DetectionContext): void {
    this.missingTgt.releaseAll((t) => this.judgeMissingTgt(t, ctx));
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      realms: this.realms,
      unknownNames: this.unknownNames.snapshot(),
      missingTgt: encodeDeferredTickets(this.waiting),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.unknownNames.evict(before, watermark);
  }
}
