import { hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';
import type { SharedNeeds } from '../detectors/detector';
import { ClientHosts } from './client-hosts';
import type { FrontEndsSnapshot } from './front-ends';
import type { HostAddressesSnapshot } from './host-addresses';
import { clientSource } from './auth-attempts';
import { SensitiveGroups, type GroupRef, type SensitiveGroupMatch, type SensitiveGroupsSnapshot } from './sensitive-groups';
import type { DirectoryView } from './directory-view';
import { LogonSessions, type LogonSessionsSnapshot } from './logon-sessions';
import { MachineTable, type MachineTableSnapshot } from './machine-table';
import { madeWhenRead } from '../state/made-when-read';

export type { DirectoryView, LogonSession } from './directory-view';

export interface DirectoryFacts {
  readonly domainControllers: readonly string[];
  readonly honeytokens: readonly string[];
  readonly directorySyncAccounts: readonly string[];
  readonly sensitiveGroups?: readonly string[];
  readonly tier0Hosts?: readonly string[];
  readonly migrationSourceDomains?: readonly string[];
  readonly frontEnds?: readonly string[];
}

export interface DirectorySnapshot {
  readonly learnedDcs: readonly string[];
  /** Machines and the addresses their accounts log on from (compact: core/estate/machine-table.ts). */
  readonly machines: MachineTableSnapshot;
  /** Kept across passes so a 4624 in one pass still explains a 4662 in the next (compact: core/estate/logon-sessions.ts). */
  readonly sessions?: LogonSessionsSnapshot;
  /** Groups the logs showed being nested in a sensitive group. */
  readonly sensitiveGroups?: SensitiveGroupsSnapshot;
  /** Client name → address bindings stated by 4624/4625. */
  readonly hostAddresses?: HostAddressesSnapshot;
  /** Sources on their way to being learned as front-ends, and those learned (compact: core/estate/front-ends.ts). */
  readonly frontEnds?: FrontEndsSnapshot;
}

/**
 * The events `observe` learns from, pulled whichever detectors are enabled: which hosts are
 * domain controllers (only a KDC writes 4768/4769/4771; 4662 with ObjectServer DS and 5136/5137
 * only a DC), logon sessions and machine addresses (4624), and the groups nested in sensitive
 * groups (4728-4757 and 5136 `member`), client name ↔ address bindings (4624/4625), so nesting is learned even with sensitive_group_change off.
 */
export const DIRECTORY_NEEDS: SharedNeeds = {
  name: 'directory model',
  purpose: 'learns domain controllers, logon sessions and groups nested in sensitive groups: without it, DC-only checks, session tracing and nested tier-0 groups go unseen',
  requires: [{
    channel: 'Security', eventIds: [4768, 4769, 4771],
    fields: [],
    auditPolicy: 'Audit Kerberos Authentication Service and Kerberos Service Ticket Operations (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4662],
    fields: ['ObjectServer'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136, 5137],
    fields: ['ObjectDN', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetUserName', 'TargetLogonId', 'IpAddress', 'WorkstationName', 'LogonType'],
    auditPolicy: 'Audit Logon (Success)',
  }, {
    // A failed network logon names the client and gives its address: one host, two keys.
    channel: 'Security', eventIds: [4625],
    fields: ['IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Failure)',
  }, {
    channel: 'Security', eventIds: [4728, 4729, 4732, 4733, 4756, 4757],
    fields: ['TargetUserName', 'TargetSid', 'MemberName', 'MemberSid'],
    auditPolicy: 'Audit Security Group Management (Success) on DCs',
  }],
};

const SESSION_TTL_MS = 10 * 3_600_000; // a Kerberos TGT lives 10 h by default
const MAX_SESSIONS = 200_000;
const TRUSTED_AFTER_DAYS = 3;

export class DirectoryModel implements DirectoryView {
  private readonly configuredDcs = new Set<string>();
  private readonly configuredDcAddresses = new Set<string>();
  private readonly configuredTier0 = new Set<string>();
  private readonly learnedDcs = new Set<string>();
  /** machine host key → addresses its account logged on from, first one first. */
  private readonly machines: MachineTable;
  /** (host, logon id) → session, oldest first. */
  private readonly sessions: LogonSessions;

  private readonly honeytokens: ReadonlySet<string>;
  private readonly syncAccounts: ReadonlySet<string>;
  private readonly migrationSources: ReadonlySet<string>;
  private readonly groups: SensitiveGroups;
  private readonly clients: ClientHosts;

  constructor(facts: DirectoryFacts, saved?: DirectorySnapshot) {
    this.honeytokens = new Set(facts.honeytokens.map(identityKey));
    this.syncAccounts = new Set(facts.directorySyncAccounts.map(identityKey));
    this.migrationSources = new Set((facts.migrationSourceDomains ?? []).map((d) => d.trim().toLowerCase()));
    this.groups = new SensitiveGroups(facts.sensitiveGroups ?? [], saved?.sensitiveGroups);
    this.clients = new ClientHosts(facts.frontEnds ?? [], (ip, ws, host, time) => clientSource(ip, ws, host, time, this).source, saved);
    for (const dc of facts.domainControllers) {
      if (/^[\d.]+$|:/.test(dc)) this.configuredDcAddresses.add(dc.toLowerCase());
      else this.configuredDcs.add(hostKey(dc));
    }
    for (const h of facts.tier0Hosts ?? []) this.configuredTier0.add(hostKey(h));
    for (const dc of saved?.learnedDcs ?? []) this.learnedDcs.add(dc);
    this.machines = new MachineTable(saved?.machines);
    this.sessions = new LogonSessions(MAX_SESSIONS, saved?.sessions);
  }

  /** Learn from one event before detectors see it, so a DC's own first event already counts. */
  observe(ev: IdentityEvent): void {
    this.clients.observe(ev);
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
        this.groups.observe(ev, true);
        return;
      case 'group_membership_change':
        this.groups.observe(ev, this.isDomainController(ev.host));
        return;
      case 'account_management':
        // Computer accounts and SID history live in the directory: 4741-4743 and 4765/4766 are
        // written only by DCs (MS docs, "This event generates only on domain controllers").
        if (ev.objectClass === 'computer' || ev.action === 'sid_history_added' || ev.action === 'sid_history_failed') this.learnedDcs.add(hostKey(ev.host));
        return;
      case 'dsrm_password_set':
      case 'netlogon_secure_channel':
        // Only a DC has a DSRM password, and only a DC serves Netlogon secure channels.
        this.learnedDcs.add(hostKey(ev.host));
        return;
      case 'share_access':
        // Only domain controllers share SYSVOL (DFS-R replicates it between DCs): a host logging
        // access to its own SYSVOL share is one, even when its Kerberos events are not collected.
        if (/\\SYSVOL$/i.test(ev.shareName)) this.learnedDcs.add(hostKey(ev.host));
        return;
      case 'logon':
        this.observeLogon(ev.host, ev.logonId, ev.account, ev.ip, ev.workstation, ev.time, ev.logonType);
        return;
      default:
        return;
    }
  }

  private observeLogon(host: string, logonId: string | undefined, account: Account, ip: string | undefined, workstation: string | undefined, time: number, logonType: number | undefined): void {
    if (ip && isMachineAccount(account) && !isLoopback(ip)) this.machines.observe(hostKey(account.name.slice(0, -1)), ip, time);
    if (!logonId) return;
    // Logon ids are unique per host boot, so arrival order is close enough to age order for eviction.
    this.sessions.set(hostKey(host), logonId, time, account.name, ip, workstation, logonType);
  }

  machineAddresses(host: string): readonly string[] {
    return this.machines.trustedAddresses(hostKey(host), TRUSTED_AFTER_DAYS);
  }

  machineFirstSeen(host: string): number | undefined {
    return this.machines.firstSeenOf(hostKey(host));
  }

  isDomainController(host: string): boolean {
    const key = hostKey(host);
    return this.configuredDcs.has(key) || this.learnedDcs.has(key) || this.configuredDcAddresses.has(key);
  }

  isTier0Host(host: string): boolean {
    return this.configuredTier0.has(hostKey(host)) || this.isDomainController(host);
  }

  isDomainControllerAddress(ip: string): boolean {
    if (this.configuredDcAddresses.has(ip)) return true;
    for (const host of this.learnedDcs) if (this.machineAddresses(host).includes(ip)) return true;
    for (const host of this.configuredDcs) if (this.machineAddresses(host).includes(ip)) return true;
    return false;
  }

  isDomainControllerAccount(account: Account): boolean {
    return isMachineAccount(account) && this.isDomainController(account.name.slice(0, -1));
  }

  isFrontEnd(source: { readonly ip?: string; readonly name?: string }): boolean {
    return this.clients.frontEnds.isFrontEnd(source);
  }

  clientAddress(name: string, time: number): string | undefined {
    return this.clients.addresses.addressOf(name, time);
  }

  logonSession(host: string, logonId: string): ReturnType<DirectoryView['logonSession']> {
    return this.sessions.get(hostKey(host), logonId.toLowerCase());
  }

  hasHoneytokens(): boolean {
    return this.honeytokens.size > 0;
  }

  isHoneytoken(value: string | undefined): boolean {
    return value !== undefined && this.honeytokens.size > 0 && this.honeytokens.has(identityKey(value));
  }

  sensitiveGroup(group: GroupRef): SensitiveGroupMatch | undefined {
    return this.groups.lookup(group);
  }

  isMigrationSource(domainSid: string | undefined, domainName: string | undefined): boolean {
    if (this.migrationSources.size === 0) return false;
    if (domainSid && this.migrationSources.has(domainSid.toLowerCase())) return true;
    // `old.corp.example` configured matches `OLD` (NetBIOS) only when configured that way too.
    return domainName !== undefined && this.migrationSources.has(domainName.trim().toLowerCase());
  }

  isDirectorySyncAccount(account: Account): boolean {
    return this.syncAccounts.has(identityKey(account.name)) || (account.sid !== undefined && this.syncAccounts.has(account.sid.toLowerCase()));
  }

  /** Baselines go when idle since `before`; logon sessions at their own horizon, a ticket lifetime before `watermark`. */
  evictIdle(before: number, watermark = before): void {
    this.groups.evictIdle(before);
    this.clients.evictIdle(before);
    this.sessions.dropBefore(watermark - SESSION_TTL_MS);
    this.machines.evictIdle(before);
  }

  /** Each part made when read (core/state/made-when-read.ts): the save holds one column at a time. */
  snapshot(): DirectorySnapshot {
    const clients = this.clients.snapshot();
    return madeWhenRead<DirectorySnapshot>({
      learnedDcs: () => [...this.learnedDcs].sort(), machines: () => this.machines.snapshot(), sessions: () => this.sessions.snapshot(),
      sensitiveGroups: () => this.groups.snapshot(), hostAddresses: () => clients.hostAddresses, frontEnds: () => clients.frontEnds,
    });
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
