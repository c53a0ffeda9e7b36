import { hostKey, isMachineAccount, type Account } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';

/**
 * What the logs teach about the estate, shared by every detector: which hosts are domain
 * controllers (learned from events only DCs write, plus config) and which address a logon
 * session came from (4624 TargetLogonId → IpAddress), so a 4662 on a DC can be traced to
 * the machine that asked.
 */
export interface DirectoryView {
  isDomainController(host: string): boolean;
  isDomainControllerAddress(ip: string): boolean;
  /** A `NAME$` account that belongs to a known DC. */
  isDomainControllerAccount(account: Account): boolean;
  /** The source of logon session `logonId` on `host`, when its 4624 was seen. */
  logonSession(host: string, logonId: string): LogonSession | undefined;
  /** A configured decoy: matched by account name, SID or directory object GUID. */
  isHoneytoken(value: string | undefined): boolean;
  /** A configured directory-sync service account (e.g. Entra Connect), by name or SID. */
  isDirectorySyncAccount(account: Account): boolean;
}

export interface DirectoryFacts {
  readonly domainControllers: readonly string[];
  readonly honeytokens: readonly string[];
  readonly directorySyncAccounts: readonly string[];
}

export interface LogonSession {
  readonly ip?: string;
  readonly workstation?: string;
  readonly account: string;
  readonly time: number;
}

export interface DirectorySnapshot {
  readonly learnedDcs: readonly string[];
  readonly dcAddresses: readonly (readonly [string, number])[];
  /** Kept across passes so a 4624 in one pass still explains a 4662 in the next. */
  readonly sessions?: readonly (readonly [string, LogonSession])[];
}

const SESSION_TTL_MS = 10 * 3_600_000; // a Kerberos TGT lives 10 h by default
const MAX_SESSIONS = 200_000;

export class DirectoryModel implements DirectoryView {
  private readonly configuredDcs = new Set<string>();
  private readonly configuredDcAddresses = new Set<string>();
  private readonly learnedDcs = new Set<string>();
  /** address → last time a DC machine account logged on from it. */
  private readonly dcAddresses = new Map<string, number>();
  /** `host|logonId` → session. Insertion order doubles as age order for eviction. */
  private readonly sessions = new Map<string, LogonSession>();

  private readonly honeytokens: ReadonlySet<string>;
  private readonly syncAccounts: ReadonlySet<string>;

  constructor(facts: DirectoryFacts, saved?: DirectorySnapshot) {
    this.honeytokens = new Set(facts.honeytokens.map(identityKey));
    this.syncAccounts = new Set(facts.directorySyncAccounts.map(identityKey));
    for (const dc of facts.domainControllers) {
      if (/^[\d.]+$|:/.test(dc)) this.configuredDcAddresses.add(dc.toLowerCase());
      else this.configuredDcs.add(hostKey(dc));
    }
    for (const dc of saved?.learnedDcs ?? []) this.learnedDcs.add(dc);
    for (const [addr, t] of saved?.dcAddresses ?? []) this.dcAddresses.set(addr, t);
    for (const [key, session] of saved?.sessions ?? []) this.sessions.set(key, session);
  }

  /** Learn from one event before detectors see it, so a DC's own first event already counts. */
  observe(ev: IdentityEvent): void {
    switch (ev.kind) {
      case 'kerberos_tgt_request':
      case 'kerberos_service_ticket':
      case 'kerberos_preauth_failure':
        // Only a KDC writes these (MS docs: "This event generates only on domain controllers").
        this.learnedDcs.add(hostKey(ev.host));
        return;
      case 'directory_object_access':
        if (ev.objectServer?.toUpperCase() === 'DS') this.learnedDcs.add(hostKey(ev.host));
        return;
      case 'directory_object_change':
        this.learnedDcs.add(hostKey(ev.host));
        return;
      case 'logon':
        this.observeLogon(ev.host, ev.logonId, ev.account, ev.ip, ev.workstation, ev.time);
        return;
      default:
        return;
    }
  }

  private observeLogon(host: string, logonId: string | undefined, account: Account, ip: string | undefined, workstation: string | undefined, time: number): void {
    if (ip && this.isDomainControllerAccount(account)) this.dcAddresses.set(ip, time);
    if (!logonId) return;
    const key = `${hostKey(host)}|${logonId}`;
    this.sessions.delete(key);
    this.sessions.set(key, { account: account.name, time, ...(ip ? { ip } : {}), ...(workstation ? { workstation } : {}) });
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }

  isDomainController(host: string): boolean {
    const key = hostKey(host);
    return this.configuredDcs.has(key) || this.learnedDcs.has(key) || this.configuredDcAddresses.has(key);
  }

  isDomainControllerAddress(ip: string): boolean {
    return this.configuredDcAddresses.has(ip) || this.dcAddresses.has(ip);
  }

  isDomainControllerAccount(account: Account): boolean {
    return isMachineAccount(account) && this.isDomainController(account.name.slice(0, -1));
  }

  logonSession(host: string, logonId: string): LogonSession | undefined {
    return this.sessions.get(`${hostKey(host)}|${logonId.toLowerCase()}`);
  }

  isHoneytoken(value: string | undefined): boolean {
    return value !== undefined && this.honeytokens.size > 0 && this.honeytokens.has(identityKey(value));
  }

  isDirectorySyncAccount(account: Account): boolean {
    return this.syncAccounts.has(identityKey(account.name)) || (account.sid !== undefined && this.syncAccounts.has(account.sid.toLowerCase()));
  }

  evictIdle(before: number): void {
    for (const [key, s] of this.sessions) {
      if (s.time >= before - SESSION_TTL_MS) break;
      this.sessions.delete(key);
    }
    for (const [addr, t] of this.dcAddresses) if (t < before) this.dcAddresses.delete(addr);
  }

  snapshot(): DirectorySnapshot {
    return { learnedDcs: [...this.learnedDcs].sort(), dcAddresses: [...this.dcAddresses], sessions: [...this.sessions] };
  }
}

/** Names, SIDs and GUIDs as configured → one comparable key: `{GUID}`, `guid`, `CORP\\name`, `name@corp` and `NAME` all reduce to one comparable key. */
function identityKey(value: string): string {
  let s = value.trim().toLowerCase().replace(/^\{|\}$/g, '');
  const slash = s.lastIndexOf('\\');
  if (slash >= 0) s = s.slice(slash + 1);
  const at = s.lastIndexOf('@');
  if (at > 0) s = s.slice(0, at);
  return s;
}
