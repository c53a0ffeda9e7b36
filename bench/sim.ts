import type { Domain, Host, Principal } from './domain';
import type { Prng } from './prng';
import type { Timeline } from './timeline';
import * as win from './windows-events';
import type { GeneratedEvent, LogonFields, Subject } from './windows-events';

/**
 * What benign traffic and injected attacks share: the estate, the timeline events go into,
 * per-host logon ids, and the few compound steps every Kerberos or NTLM exchange is made
 * of, written once so both sides log them the same way a DC does.
 */
export class Sim {
  constructor(
    readonly domain: Domain,
    readonly timeline: Timeline,
    readonly rng: Prng,
    private readonly logonIds: Map<string, number> = new Map(),
    private readonly tgts: Map<string, Session> = new Map(),
  ) {}

  /** The same estate and timeline with an independent random stream (attacks use their own). */
  withRng(rng: Prng): Sim {
    return new Sim(this.domain, this.timeline, rng, this.logonIds, this.tgts);
  }

  /**
   * Whether `account` needs a new TGT at `time` (none yet, or the last one about to expire);
   * when it does, the new one is recorded. Keeps every 4769 within 10 h of a 4768, as on a
   * real network, so a forged-ticket detector has nothing benign to trip on.
   */
  needsTgt(account: string, time: number): boolean {
    const last = this.tgts.get(account);
    // Bursts within one slice are drawn in any order: a TGT recorded for later in the slice
    // does not cover an earlier request, which gets its own (the earlier one is kept).
    if (last !== undefined && time >= last.time && time - last.time < TGT_REFRESH_MS) return false;
    this.tgts.set(account, { time, logonGuid: this.rng.guid() });
    return true;
  }

  /** The LogonGuid that ties an account's 4769s to the 4624s they lead to: one per TGT. */
  logonGuid(account: string): string {
    return this.tgts.get(account)?.logonGuid ?? this.rng.guid();
  }

  emit(time: number, event: GeneratedEvent): void {
    this.timeline.add(time, event);
  }

  /** A fresh logon id on `host`; ids grow per host like LSA's LUIDs. */
  logonId(host: string): string {
    const next = (this.logonIds.get(host) ?? 0x40000 + this.rng.int(0, 0xfffff)) + this.rng.int(3, 400);
    this.logonIds.set(host, next);
    return `0x${next.toString(16)}`;
  }

  port(): number {
    return this.rng.int(49152, 65535);
  }

  subject(p: Principal, logonId: string): Subject {
    return { sid: p.sid, name: p.name, domain: this.domain.netbios, logonId };
  }

  /** 4768 success: a TGT for `p`, AES unless told otherwise, with pre-authentication. */
  tgt(time: number, dc: Host, p: Principal, ip: string, o: { etype?: string; preAuthType?: string; ticketOptions?: string } = {}): void {
    this.emit(time, win.tgtRequest(dc.fqdn, {
      account: p.name, realm: this.domain.realm, sid: p.sid, krbtgtSid: this.domain.krbtgt.sid, status: '0x0',
      etype: o.etype ?? '0x12', preAuthType: o.preAuthType ?? '2', ticketOptions: o.ticketOptions ?? '0x40810010', ip: kerberosAddress(ip), port: this.port(),
    }));
  }

  /** 4769 success for `service` (a user or machine account that owns the SPN). */
  serviceTicket(time: number, dc: Host, p: { readonly name: string }, service: Principal, ip: string, o: { etype?: string; ticketOptions?: string } = {}): void {
    this.emit(time, win.serviceTicket(dc.fqdn, {
      account: p.name, realm: this.domain.realm, service: service.name, serviceSid: service.sid,
      ticketOptions: o.ticketOptions ?? '0x40810000', etype: o.etype ?? '0x12', ip: kerberosAddress(ip), port: this.port(), logonGuid: this.logonGuid(p.name),
    }));
  }

  preauthFailure(time: number, dc: Host, p: Principal, ip: string): void {
    this.emit(time, win.preauthFailure(dc.fqdn, { account: p.name, sid: p.sid, realm: this.domain.realm, status: '0x18', ip: kerberosAddress(ip), port: this.port() }));
  }

  /** 4624 on `host` for a network (type 3) or other logon; returns its TargetLogonId. */
  logon(time: number, host: Host, p: Principal, ip: string, o: Partial<LogonFields> & { auth: LogonFields['auth'] }): string {
    const logonId = this.logonId(host.name);
    this.emit(time, win.logon(host.fqdn, {
      account: p.name, sid: p.sid, domain: o.auth === 'kerberos' ? this.domain.realm : this.domain.netbios, logonId,
      logonType: 3, ip, port: this.port(), ...(o.auth === 'kerberos' ? { logonGuid: this.logonGuid(p.name) } : {}), ...o,
    }));
    return logonId;
  }

  logoff(time: number, host: Host, p: Principal, logonId: string, logonType = 3): void {
    this.emit(time, win.logoff(host.fqdn, { account: p.name, sid: p.sid, domain: this.domain.netbios, logonId, logonType }));
  }

  /** A Kerberos network logon to `host` and its logoff `durationMs` later; returns the logon id. */
  kerberosSession(time: number, host: Host, p: Principal, ip: string, durationMs: number): string {
    const id = this.logon(time, host, p, ip, { auth: 'kerberos' });
    this.logoff(time + durationMs, host, p, id);
    return id;
  }

  /** 4662 for a replication right on the domain object, as DRSUAPI GetNCChanges is audited. */
  replicationRight(time: number, dc: Host, s: Subject, right: string): void {
    this.emit(time, win.directoryAccess(dc.fqdn, s, {
      objectClassGuid: DOMAIN_DNS_CLASS, objectGuid: this.domain.guid, accessMask: '0x100', accessCode: '%%7688',
      properties: `%%7688\n\t\t{${right}}\n\t{${DOMAIN_DNS_CLASS}}\n`,
    }));
  }
}

interface Session {
  readonly time: number;
  readonly logonGuid: string;
}

/** A kernel handle value as 4661 shows it: unpadded hex of a user-mode address. */
export function handleId(sim: Sim): string {
  return `0x${sim.rng.int(0x10000000000, 0x2ffffffffff).toString(16)}`;
}

/** How a DC writes a client address in Kerberos events. */
export function kerberosAddress(ip: string): string {
  return ip === '::1' || ip.includes(':') ? ip : `::ffff:${ip}`;
}

// Schema and extended-rights GUIDs (MS docs: "Control Access Rights", "Domain-DNS class").
export const DOMAIN_DNS_CLASS = '19195a5b-6da0-11d0-afd3-00c04fd930c9';
export const USER_CLASS = 'bf967aba-0de6-11d0-a285-00aa003049e2';
export const GET_CHANGES = '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2';
export const GET_CHANGES_ALL = '1131f6ad-9c07-11d1-f79f-00c04fc2dcd2';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** A TGT lives 10 h; clients ask for a new one a little before. */
export const TGT_REFRESH_MS = 9.5 * HOUR;
