import type { Account } from '../events/fields';
import type { GroupRef, SensitiveGroupMatch } from './sensitive-groups';

/**
 * What the logs teach about the estate, shared by every detector: which hosts are domain
 * controllers (learned from events only DCs write, plus config) and which address a logon
 * session came from (4624 TargetLogonId → IpAddress), so a 4662 on a DC can be traced to
 * the machine that asked.
 */
export interface DirectoryView {
  isDomainController(host: string): boolean;
  /** A domain controller, or a host configured as tier 0 (AD CS, AD FS, Entra Connect, PAWs). */
  isTier0Host(host: string): boolean;
  isDomainControllerAddress(ip: string): boolean;
  /** A `NAME$` account that belongs to a known DC. */
  isDomainControllerAccount(account: Account): boolean;
  /**
   * Addresses machine `host` is trusted to use: the first one its `HOST$` account logged on
   * from, and any it has used on several days. A new address is never trusted on first sight,
   * which is what lets stolen machine credentials stand out.
   */
  machineAddresses(host: string): readonly string[];
  /** When machine `host`'s account was first seen logging on from an address: the age of its address baseline. */
  machineFirstSeen(host: string): number | undefined;
  /** The address client `name` was last seen at, when a recent 4624/4625 said both (core/estate/host-addresses.ts). */
  clientAddress(name: string, time: number): string | undefined;
  /** A configured (`frontEnds`) or learned front-end: many identities authenticate through it (core/estate/front-ends.ts). */
  isFrontEnd(source: { readonly ip?: string; readonly name?: string }): boolean;
  /** The source of logon session `logonId` on `host`, when its 4624 was seen. */
  logonSession(host: string, logonId: string): LogonSession | undefined;
  /** A configured decoy: matched by account name, SID or directory object GUID. */
  isHoneytoken(value: string | undefined): boolean;
  /** Whether any honeytoken is configured, so a detector can skip its lookups when none is. */
  hasHoneytokens(): boolean;
  /** A configured directory-sync service account (e.g. Entra Connect), by name or SID. */
  isDirectorySyncAccount(account: Account): boolean;
  /** Whether a group is tier 0 (built in, in config `sensitiveGroups`, or learned nested in one), and why. */
  sensitiveGroup(group: GroupRef): SensitiveGroupMatch | undefined;
  /** A domain configured in `migrationSourceDomains`, by domain SID or by DNS / NetBIOS name. */
  isMigrationSource(domainSid: string | undefined, domainName: string | undefined): boolean;
}

export interface LogonSession {
  readonly ip?: string;
  readonly workstation?: string;
  readonly account: string;
  readonly time: number;
  /** 4624 LogonType: 3 network, 2 interactive, 10 remote interactive, … */
  readonly logonType?: number;
}
