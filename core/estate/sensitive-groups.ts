import { asSid } from '../events/fields';
import { cnOf } from '../events/dn';
import type { IdentityEvent } from '../events/identity-event';

/**
 * Which groups are tier 0: the built-in privileged groups (by well-known SID, or by name when
 * an event names a group by DN only), the ones configured in `sensitiveGroups`, and every group
 * the logs show being made a member of one of those — membership is transitive, so a group
 * nested in Domain Admins is Domain Admins (MDI `entity-tags`, "sensitive groups").
 */

/** A group as events name it: 4728–4757 give a name and SID, 5136 only the DN. */
export interface GroupRef {
  readonly name?: string;
  readonly sid?: string;
  readonly dn?: string;
}

export interface SensitiveGroupMatch {
  /** The group's name as best known. */
  readonly name: string;
  readonly reason: 'built-in' | 'configured' | 'nested';
  /** For a nested group: the sensitive group it was made a member of. */
  readonly via?: string;
  /**
   * A BUILTIN group (S-1-5-32-…): every Windows machine has its own, so outside a domain
   * controller it is that machine's local group, not the domain's.
   */
  readonly machineLocal?: boolean;
}

export interface SensitiveGroupsSnapshot {
  /** `sid:…`, `dn:…` or `name:…` → the sensitive group it was added to. */
  readonly nested: readonly (readonly [string, NestedMembership])[];
}

interface NestedMembership {
  readonly name: string;
  readonly via: string;
  lastSeen: number;
}

// The one table of sensitive (tier-0) groups: sensitive_group_change, sid_history_injection and
// identity criticality all read it. It is the union of AD's protected groups (AdminSDHolder,
// MS-ADTS §3.1.1.6.1.2 "Protected Objects") and MDI's sensitive groups (learn.microsoft.com
// /defender-for-identity/entity-tags); Power Users, Network Configuration Operators and Incoming
// Forest Trust Builders come from MDI's list. SIDs: MS docs "Well-known SIDs".
// BUILTIN aliases exist on every machine: they count only where a DC writes the change.
export const BUILTIN: Readonly<Record<string, string>> = {
  'S-1-5-32-544': 'Administrators',
  'S-1-5-32-547': 'Power Users',
  'S-1-5-32-548': 'Account Operators',
  'S-1-5-32-549': 'Server Operators',
  'S-1-5-32-550': 'Print Operators',
  'S-1-5-32-551': 'Backup Operators',
  'S-1-5-32-552': 'Replicator',
  'S-1-5-32-556': 'Network Configuration Operators',
  'S-1-5-32-557': 'Incoming Forest Trust Builders',
};

// Domain-relative RIDs of the privileged domain groups.
export const DOMAIN_RIDS: Readonly<Record<string, string>> = {
  498: 'Enterprise Read-only Domain Controllers',
  512: 'Domain Admins',
  516: 'Domain Controllers',
  518: 'Schema Admins',
  519: 'Enterprise Admins',
  520: 'Group Policy Creator Owners',
  521: 'Read-only Domain Controllers',
  526: 'Key Admins',
  527: 'Enterprise Key Admins',
};

/**
 * Tier-0 groups without a well-known RID, matched by name: DnsAdmins load DLLs into the DNS
 * service on DCs; Exchange Windows Permissions holds WriteDACL on the domain object by default.
 */
const NAMED_ONLY = ['DnsAdmins', 'Exchange Windows Permissions', 'Exchange Trusted Subsystem'];

const BUILTIN_NAMES = new Map(Object.values(BUILTIN).map((n) => [n.toLowerCase(), n]));
const DOMAIN_NAMES = new Map([...Object.values(DOMAIN_RIDS), ...NAMED_ONLY].map((n) => [n.toLowerCase(), n]));
const DOMAIN_SID = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/;
const MAX_NESTED = 20_000;

export class SensitiveGroups {
  private readonly configured = new Map<string, string>();
  private readonly nested = new Map<string, NestedMembership>();

  constructor(configured: readonly string[], saved?: SensitiveGroupsSnapshot) {
    for (const c of configured) this.configured.set(configKey(c), c);
    for (const [k, v] of saved?.nested ?? []) this.nested.set(k, { ...v });
  }

  /** Whether `group` is tier 0, and why. */
  lookup(group: GroupRef): SensitiveGroupMatch | undefined {
    const sid = asSid(group.sid);
    const name = group.name ?? cnOf(group.dn);
    if (sid) {
      const builtin = BUILTIN[sid];
      if (builtin) return { name: builtin, reason: 'built-in', machineLocal: true };
      const rid = DOMAIN_SID.exec(sid)?.[1];
      const domainGroup = rid === undefined ? undefined : DOMAIN_RIDS[rid];
      if (domainGroup) return { name: domainGroup, reason: 'built-in' };
    }
    for (const key of refKeys(group)) {
      const configured = this.configured.get(key);
      if (configured) return { name: name ?? configured, reason: 'configured' };
    }
    if (name) {
      const lower = name.toLowerCase();
      // With a SID the RID decided above; by name only when the event gave none (5136 names by DN).
      const domainGroup = DOMAIN_NAMES.get(lower);
      if (domainGroup && (!sid || NAMED_ONLY.includes(domainGroup))) return { name: domainGroup, reason: 'built-in' };
      // By name alone a BUILTIN group must sit in CN=Builtin: "Administrators" elsewhere is an ordinary group.
      const builtin = BUILTIN_NAMES.get(lower);
      if (builtin && !sid && (!group.dn || /,CN=Builtin,/i.test(group.dn))) return { name: builtin, reason: 'built-in', machineLocal: true };
    }
    for (const key of refKeys(group)) {
      const n = this.nested.get(key);
      if (n) return { name: name ?? n.name, reason: 'nested', via: n.via };
    }
    return undefined;
  }

  /**
   * Learns nesting from membership changes: whatever joins a sensitive group is tier 0 from then
   * on. A member server's own BUILTIN\Administrators teaches nothing about the domain (help-desk
   * groups are local admins on every workstation), so only a DC's BUILTIN groups count.
   */
  observe(ev: IdentityEvent, loggedByDomainController: boolean): void {
    if (ev.kind === 'group_membership_change') {
      const member: GroupRef = { ...(ev.member?.sid ? { sid: ev.member.sid } : {}), ...(ev.memberDn ? { dn: ev.memberDn } : {}), ...(ev.member && ev.member.name !== ev.member.sid ? { name: ev.member.name } : {}) };
      this.learn({ name: ev.group.name, ...(ev.group.sid ? { sid: ev.group.sid } : {}) }, member, ev.action === 'added', ev.time, loggedByDomainController);
    } else if (ev.kind === 'directory_object_change' && ev.attribute?.toLowerCase() === 'member' && ev.value) {
      if (ev.action !== 'value_added' && ev.action !== 'value_deleted') return;
      this.learn({ dn: ev.objectDn }, { dn: ev.value }, ev.action === 'value_added', ev.time, true);
    }
  }

  private learn(group: GroupRef, member: GroupRef, added: boolean, time: number, loggedByDomainController: boolean): void {
    const parent = this.lookup(group);
    if (!parent || (parent.machineLocal && !loggedByDomainController)) return;
    const keys = refKeys(member);
    if (!added) {
      for (const k of keys) if (this.nested.get(k)?.via === parent.name) this.nested.delete(k);
      return;
    }
    const name = member.name ?? cnOf(member.dn) ?? member.sid ?? '';
    for (const k of keys) {
      this.nested.delete(k);
      this.nested.set(k, { name, via: parent.name, lastSeen: time });
    }
    while (this.nested.size > MAX_NESTED) {
      const oldest = this.nested.keys().next().value;
      if (oldest === undefined) break;
      this.nested.delete(oldest);
    }
  }

  evictIdle(before: number): void {
    for (const [k, n] of this.nested) if (n.lastSeen < before) this.nested.delete(k);
  }

  snapshot(): SensitiveGroupsSnapshot {
    return { nested: [...this.nested] };
  }
}

/** The keys a group can be found by: its SID, its DN, its name. */
function refKeys(g: GroupRef): string[] {
  const keys: string[] = [];
  const sid = asSid(g.sid);
  if (sid) keys.push(`sid:${sid}`);
  if (g.dn) keys.push(`dn:${g.dn.toLowerCase()}`);
  const name = g.name ?? cnOf(g.dn);
  if (name) keys.push(`name:${name.toLowerCase()}`);
  return keys;
}

/** A configured entry: a SID, a DN, or a name (`CORP\Tier0 Admins`, `tier0 admins@corp`). */
function configKey(value: string): string {
  const v = value.trim();
  const sid = asSid(v);
  if (sid) return `sid:${sid}`;
  if (/^CN=/i.test(v) && v.includes(',')) return `dn:${v.toLowerCase()}`;
  const slash = v.lastIndexOf('\\');
  const bare = slash >= 0 ? v.slice(slash + 1) : v;
  const at = bare.lastIndexOf('@');
  return `name:${(at > 0 ? bare.slice(0, at) : bare).toLowerCase()}`;
}
