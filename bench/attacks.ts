import { CREDENTIAL_ATTACKS } from './attacks-credential';
import { LATERAL_ATTACKS } from './attacks-lateral';
import type { Domain, Host, Principal, User } from './domain';
import { Prng } from './prng';
import { MINUTE, type Sim } from './sim';

/**
 * Injectable attacks: each adds the events the attack really produces on the DCs (and the
 * hosts involved), with an actor, source and time the caller chooses or the seed picks,
 * and returns the label `tierzero eval`-style checks compare alerts against.
 */

export const ATTACK_KINDS = [
  'dcsync', 'kerberoasting', 'asrep_roasting', 'brute_force', 'password_spray', 'account_enumeration',
  'pass_the_hash', 'overpass_the_hash', 'golden_ticket', 'remote_code_execution', 'samr_recon',
  'honeytoken_activity', 'sensitive_group_change',
] as const;

export type AttackKind = (typeof ATTACK_KINDS)[number];

export interface AttackSpec {
  readonly kind: AttackKind;
  /** ISO-8601 time of the attack's first malicious event. */
  readonly at: string;
  /** The account the attacker acts as (for golden_ticket: the forged name). */
  readonly actor?: string;
  /** The workstation or server the attack runs from. */
  readonly source?: string;
  /** The account attacked: roasted, guessed, impersonated, or added to a group. */
  readonly target?: string;
  /** asrep_roasting: whether the attacker first sets DONT_REQ_PREAUTH on the target (4738, 5136); default true. */
  readonly setup?: boolean;
}

/** What an alert for this attack should say: the manifest's conventions for `attacker`. */
export interface AttackLabel {
  /** The detector id that should fire. */
  readonly detector: AttackKind;
  /** The account the alert should name as actor; `unknown` when the events name none (sprays, enumeration). */
  readonly actor: string;
  /** Source host name. */
  readonly source: string;
  readonly sourceIp: string;
  /** ISO time of the first malicious event. */
  readonly time: string;
  readonly description: string;
}

/** Who takes part in one attack, resolved against the estate. */
export interface Participants {
  readonly attacker: Principal;
  readonly source: Host;
  /** The user who normally works at `source` (the attacker's foothold). */
  readonly sourceUser: User;
  readonly target: Principal;
  readonly dc: Host;
  /** Include the attack's preparatory change (see AttackSpec.setup). */
  readonly setup: boolean;
}

export interface AttackDefinition {
  /** Which participant the label names as actor. */
  readonly labelActor: 'attacker' | 'target' | 'unknown';
  /** What the attacker acts as, when no `actor` is given: a stolen admin account or the foothold's user. */
  readonly attackerKind: 'user' | 'admin';
  /** The default target: a random user or a random admin (when the spec names none). */
  readonly targetKind: 'user' | 'admin';
  readonly describe: (p: Participants) => string;
  readonly inject: (sim: Sim, p: Participants, at: number) => void;
}

export interface PlannedAttack {
  readonly label: AttackLabel;
  /** Earliest time any of its events may carry (benign-looking preparation comes first). */
  readonly earliest: number;
  inject(sim: Sim): void;
}

/** How long before `at` an attack's preparation (a TGT, a logon) may start. */
export const ATTACK_LEAD_MS = 10 * MINUTE;

const DEFINITIONS: Record<AttackKind, AttackDefinition> = { ...CREDENTIAL_ATTACKS, ...LATERAL_ATTACKS };

/**
 * Resolves a spec against the estate, deterministically from the seed and the attack's index.
 * Defaults avoid accounts and hosts in `taken` (those of earlier attacks) while any are left,
 * so each injected attack has its own actor and source unless the caller says otherwise.
 */
export function planAttack(spec: AttackSpec, index: number, domain: Domain, seed: string, taken: Set<string> = new Set()): PlannedAttack {
  const def = DEFINITIONS[spec.kind];
  if (!def) throw new RangeError(`unknown attack kind ${JSON.stringify(spec.kind)}; expected one of ${ATTACK_KINDS.join(', ')}`);
  const at = Date.parse(spec.at);
  if (!Number.isFinite(at)) throw new RangeError(`attack ${index} (${spec.kind}): at ${JSON.stringify(spec.at)} is not an ISO-8601 time`);
  const rng = new Prng(seed).fork(`attack/${index}/${spec.kind}`);
  const p = resolveParticipants(spec, def, domain, rng, taken);
  for (const name of [p.attacker.name, p.target.name, p.source.name, p.sourceUser.name]) taken.add(name);
  const actor = def.labelActor === 'unknown' ? 'unknown' : def.labelActor === 'target' ? p.target.name : p.attacker.name;
  return {
    label: { detector: spec.kind, actor, source: p.source.name, sourceIp: p.source.ip, time: new Date(at).toISOString(), description: def.describe(p) },
    earliest: at - ATTACK_LEAD_MS,
    inject: (sim) => def.inject(sim.withRng(rng), p, at),
  };
}

function resolveParticipants(spec: AttackSpec, def: AttackDefinition, d: Domain, rng: Prng, taken: ReadonlySet<string>): Participants {
  const owners = new Set<Principal>(d.admins.map((a) => a.owner));
  const ordinary = d.users.filter((u) => !owners.has(u) && !taken.has(u.name) && !taken.has(u.workstation.name));
  if (ordinary.length < 3) throw new RangeError(`too few users left for attack ${spec.kind}: make the domain bigger or name its actors`);
  const freeAdmins = d.admins.filter((a) => !taken.has(a.name));
  const admins = freeAdmins.length > 0 ? freeAdmins : d.admins;
  const named = (name: string | undefined, what: string): Principal | undefined => {
    if (name === undefined) return undefined;
    const found = findAccount(d, name);
    if (!found) throw new RangeError(`attack ${spec.kind}: no account named ${JSON.stringify(name)} for ${what}`);
    return found;
  };
  const sourceHost = spec.source === undefined ? undefined : [...d.workstations, ...d.servers].find((h) => h.name.toLowerCase() === spec.source?.toLowerCase());
  if (spec.source !== undefined && !sourceHost) throw new RangeError(`attack ${spec.kind}: no workstation or server named ${JSON.stringify(spec.source)}`);

  // golden_ticket forges its name: it need not (and by default does not) exist.
  const attacker = spec.kind === 'golden_ticket'
    ? forgedPrincipal(d, spec.actor ?? 'itadmin')
    : named(spec.actor, 'actor') ?? (def.attackerKind === 'admin' ? rng.pick(admins) : rng.pick(ordinary));
  const ownWorkstation = d.users.find((u) => u === attacker)?.workstation;
  const source = sourceHost ?? (def.attackerKind === 'user' && ownWorkstation ? ownWorkstation : rng.pick(ordinary).workstation);
  const sourceUser = d.users.find((u) => u.workstation === source) ?? rng.pick(ordinary);
  const target = named(spec.target, 'target')
    ?? (def.targetKind === 'admin' ? rng.pick(others(admins, [attacker], d.admins)) : rng.pick(others(ordinary, [attacker, sourceUser], ordinary)));
  return { attacker, source, sourceUser, target, dc: d.dcs[0] as Host, setup: spec.setup ?? true };
}

/** `pool` without `excluded`, or `fallback` when nothing would be left. */
function others<T>(pool: readonly T[], excluded: readonly unknown[], fallback: readonly T[]): readonly T[] {
  const left = pool.filter((x) => !excluded.includes(x));
  return left.length > 0 ? left : fallback;
}

function findAccount(d: Domain, name: string): Principal | undefined {
  const key = name.toLowerCase();
  return d.users.find((u) => u.name === key) ?? d.admins.find((a) => a.name === key) ?? d.serviceAccounts.find((s) => s.name === key)
    ?? (d.honeytoken.name === key ? d.honeytoken : undefined);
}

/** A name in a forged ticket: the RID-500 SID mimikatz puts in the PAC by default. */
function forgedPrincipal(d: Domain, name: string): Principal {
  return { name, sid: `${d.sid}-500`, displayName: name, dn: `CN=${name},CN=Users,${d.baseDn}`, guid: '00000000-0000-0000-0000-000000000000' };
}
