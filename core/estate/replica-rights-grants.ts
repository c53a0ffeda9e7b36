import { isLoopback, type Account } from '../events/fields';
import type { DirectoryObjectChange } from '../events/identity-event';
import type { DetectionContext } from '../detectors/detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { SYSTEM_SIDS } from './well-known-sids';
import { REPLICA_RIGHTS, holdsReplicationRightsByDefault } from './directory-rights';
import { valueTable, type KeyedTable, type TableSpec } from '../state/keyed-table';

/**
 * DCShadow's preparation: granting the replica rights a rogue DC registration needs, read from a
 * security descriptor in SDDL as 5136 logs it (`nTSecurityDescriptor` value): object ACEs
 * `(OA;flags;CR;<right>;<inherited type>;<trustee>)`. Domain controllers and administrators hold
 * these rights by default; anyone else holding them can register a rogue DC.
 */

export interface AceGrant {
  readonly right: string;
  readonly trustee: string;
  /** `right|trustee`, what old and new descriptors are diffed on. */
  readonly key: string;
}

/** object GUID → the replica-right grants (`right|trustee`) last seen in its security descriptor, for the state TTL. */
export type AclMemory = KeyedTable<{ aces: string[]; lastSeen: number }>;

// ACEs in one descriptor: restore refuses only what no descriptor could hold.
const MAX_SAVED_ACES = 10_000;

/** The spec of an AclMemory: `[lastSeen, aces]`. */
export const aclTable: TableSpec<{ aces: string[]; lastSeen: number }> = valueTable('acls', 'aces', {
  read: (v, read, path) => read.list(v, path, MAX_SAVED_ACES, (x, p) => read.string(x, p)),
});

const ACE = /\((O?A);[^;]*;([^;]*);([0-9a-fA-F-]{36});[^;]*;([^)]+)\)/g;

/**
 * A 5136 rewriting a security descriptor: emits when the new descriptor grants a replica right to
 * a principal the previous one did not. The old descriptor is logged as "value deleted" just
 * before the new one, so it is the baseline.
 */
export function replicaRightsGranted(ev: DirectoryObjectChange, memory: AclMemory, ctx: DetectionContext): void {
  const guid = ev.objectGuid ?? '';
  const current = aceGrants(ev.value ?? '');
  const known = memory.get(guid);
  memory.set(guid, { aces: current.map((g) => g.key), lastSeen: ev.time });
  if (ev.action !== 'value_added' || !ev.subject || isDirectoryInternal(ev.subject, ctx)) return;
  const granted = current.filter((g) => !(known?.aces.includes(g.key) ?? false));
  if (granted.length === 0) return;
  const session = ev.logonId ? ctx.directory.logonSession(ev.host, ev.logonId) : undefined;
  const ip = session?.ip && !isLoopback(session.ip) ? session.ip : undefined;
  const trustees = [...new Set(granted.map((g) => g.trustee))];
  ctx.emit({
    keys: ['acl', guid, ...trustees],
    severity: known ? 'high' : 'medium',
    title: 'DCShadow replication rights granted',
    description: `${qualified(ev.subject)}${ip ? ` from ${ip}` : ''} granted ${granted.map((g) => `${REPLICA_RIGHTS[g.right]} to ${g.trustee}`).join(', ')} on ${ev.objectDn}. `
      + 'These are the rights that let a machine register itself as a domain controller and push replication (DCShadow) without Domain Admin membership; '
      + 'only domain controllers and administrators hold them by default.'
      + (known ? '' : ' The previous descriptor was not seen, so the grant may be older than this change.'),
    accounts: [accountEntity(ev.subject, 'actor'), ...trustees.map((t) => ({ name: t, sid: t, role: 'target' as const }))],
    hosts: present([hostEntity('source', session?.workstation, ip), hostEntity('target', ev.host)]),
    events: [ev],
    details: { object: ev.objectDn, grants: granted.map((g) => ({ right: REPLICA_RIGHTS[g.right], trustee: g.trustee })) },
  });
}

/** Replica-right grants to principals that do not hold them by default. */
export function aceGrants(sddl: string): AceGrant[] {
  const out: AceGrant[] = [];
  for (const m of sddl.matchAll(ACE)) {
    const [, type, rights, objectGuid, trusteeRaw] = m;
    if (type !== 'OA' || !rights?.includes('CR') || !objectGuid || !trusteeRaw) continue;
    const right = objectGuid.toLowerCase();
    if (!(right in REPLICA_RIGHTS)) continue;
    const trustee = trusteeRaw.trim().toUpperCase();
    if (holdsReplicationRightsByDefault(trustee)) continue;
    const key = `${right}|${trustee}`;
    if (!out.some((g) => g.key === key)) out.push({ right, trustee, key });
  }
  return out;
}

/** DCs and SYSTEM rewrite descriptors themselves (SDProp, schema defaults). */
function isDirectoryInternal(subject: Account, ctx: DetectionContext): boolean {
  return (subject.sid !== undefined && SYSTEM_SIDS.has(subject.sid)) || ctx.directory.isDomainControllerAccount(subject);
}
