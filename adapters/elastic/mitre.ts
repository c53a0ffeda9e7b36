import type { Mitre } from '../../core/alerts/alert';

/**
 * MITRE ATT&CK (Enterprise, v15) names, ids and tactic membership for the tactics and
 * techniques tierzero's declarations name: one table for everything the Elastic adapter writes,
 * the rule pack's `threat` array (Kibana's Threat schema: framework, tactic {id, name,
 * reference}, technique [{id, name, reference, subtechnique}] — common_attributes.schema.yaml in
 * elastic/kibana's detection_engine rule_schema) and the alert documents' ECS `threat.*`.
 * Names and tactic lists from attack.mitre.org; a declaration naming an id missing here fails
 * the test that walks the registry, so the table cannot fall behind.
 */
export const ATTACK_FRAMEWORK = 'MITRE ATT&CK';

export interface AttackTactic {
  readonly id: string;
  readonly name: string;
  readonly reference: string;
}

export interface AttackTechnique {
  readonly id: string;
  readonly name: string;
  readonly reference: string;
}

/** Tactics by the slug the declarations use (`credential-access`). */
const TACTICS: Readonly<Record<string, { id: string; name: string }>> = {
  'initial-access': { id: 'TA0001', name: 'Initial Access' },
  execution: { id: 'TA0002', name: 'Execution' },
  persistence: { id: 'TA0003', name: 'Persistence' },
  'privilege-escalation': { id: 'TA0004', name: 'Privilege Escalation' },
  'defense-evasion': { id: 'TA0005', name: 'Defense Evasion' },
  'credential-access': { id: 'TA0006', name: 'Credential Access' },
  discovery: { id: 'TA0007', name: 'Discovery' },
  'lateral-movement': { id: 'TA0008', name: 'Lateral Movement' },
  collection: { id: 'TA0009', name: 'Collection' },
};

/** Techniques and sub-techniques: name, and (for parents) the tactics ATT&CK files them under. */
const TECHNIQUES: Readonly<Record<string, { name: string; tactics?: readonly string[] }>> = {
  T1003: { name: 'OS Credential Dumping', tactics: ['credential-access'] },
  'T1003.006': { name: 'DCSync' },
  T1021: { name: 'Remote Services', tactics: ['lateral-movement'] },
  'T1021.002': { name: 'SMB/Windows Admin Shares' },
  'T1021.006': { name: 'Windows Remote Management' },
  T1047: { name: 'Windows Management Instrumentation', tactics: ['execution'] },
  T1049: { name: 'System Network Connections Discovery', tactics: ['discovery'] },
  T1053: { name: 'Scheduled Task/Job', tactics: ['execution', 'persistence', 'privilege-escalation'] },
  'T1053.005': { name: 'Scheduled Task' },
  T1068: { name: 'Exploitation for Privilege Escalation', tactics: ['privilege-escalation'] },
  T1069: { name: 'Permission Groups Discovery', tactics: ['discovery'] },
  'T1069.002': { name: 'Domain Groups' },
  T1070: { name: 'Indicator Removal', tactics: ['defense-evasion'] },
  'T1070.001': { name: 'Clear Windows Event Logs' },
  T1078: { name: 'Valid Accounts', tactics: ['defense-evasion', 'persistence', 'privilege-escalation', 'initial-access'] },
  'T1078.002': { name: 'Domain Accounts' },
  'T1078.004': { name: 'Cloud Accounts' },
  T1087: { name: 'Account Discovery', tactics: ['discovery'] },
  'T1087.002': { name: 'Domain Account' },
  T1098: { name: 'Account Manipulation', tactics: ['persistence', 'privilege-escalation'] },
  T1110: { name: 'Brute Force', tactics: ['credential-access'] },
  'T1110.001': { name: 'Password Guessing' },
  'T1110.003': { name: 'Password Spraying' },
  T1134: { name: 'Access Token Manipulation', tactics: ['defense-evasion', 'privilege-escalation'] },
  'T1134.005': { name: 'SID-History Injection' },
  T1187: { name: 'Forced Authentication', tactics: ['credential-access'] },
  T1207: { name: 'Rogue Domain Controller', tactics: ['defense-evasion'] },
  T1210: { name: 'Exploitation of Remote Services', tactics: ['lateral-movement'] },
  T1222: { name: 'File and Directory Permissions Modification', tactics: ['defense-evasion'] },
  'T1222.001': { name: 'Windows File and Directory Permissions Modification' },
  T1482: { name: 'Domain Trust Discovery', tactics: ['discovery'] },
  T1484: { name: 'Domain or Tenant Policy Modification', tactics: ['defense-evasion', 'privilege-escalation'] },
  'T1484.001': { name: 'Group Policy Modification' },
  T1543: { name: 'Create or Modify System Process', tactics: ['persistence', 'privilege-escalation'] },
  'T1543.003': { name: 'Windows Service' },
  T1550: { name: 'Use Alternate Authentication Material', tactics: ['defense-evasion', 'lateral-movement'] },
  'T1550.002': { name: 'Pass the Hash' },
  'T1550.003': { name: 'Pass the Ticket' },
  T1552: { name: 'Unsecured Credentials', tactics: ['credential-access'] },
  'T1552.004': { name: 'Private Keys' },
  T1555: { name: 'Credentials from Password Stores', tactics: ['credential-access'] },
  T1557: { name: 'Adversary-in-the-Middle', tactics: ['credential-access', 'collection'] },
  'T1557.001': { name: 'LLMNR/NBT-NS Poisoning and SMB Relay' },
  T1558: { name: 'Steal or Forge Kerberos Tickets', tactics: ['credential-access'] },
  'T1558.001': { name: 'Golden Ticket' },
  'T1558.003': { name: 'Kerberoasting' },
  'T1558.004': { name: 'AS-REP Roasting' },
  T1562: { name: 'Impair Defenses', tactics: ['defense-evasion'] },
  T1569: { name: 'System Services', tactics: ['execution'] },
  'T1569.002': { name: 'Service Execution' },
  T1606: { name: 'Forge Web Credentials', tactics: ['credential-access'] },
  'T1606.002': { name: 'SAML Tokens' },
  T1621: { name: 'Multi-Factor Authentication Request Generation', tactics: ['credential-access'] },
};

export class UnknownAttackIdError extends Error {
  override name = 'UnknownAttackIdError';
}

export function tactic(slug: string): AttackTactic {
  const t = TACTICS[slug];
  if (!t) throw new UnknownAttackIdError(`MITRE ATT&CK tactic ${slug} is not in adapters/elastic/mitre.ts`);
  return { id: t.id, name: t.name, reference: `https://attack.mitre.org/tactics/${t.id}/` };
}

/** A technique or sub-technique (`T1003.006`), with its attack.mitre.org page. */
export function technique(id: string): AttackTechnique {
  const t = TECHNIQUES[id];
  if (!t) throw new UnknownAttackIdError(`MITRE ATT&CK technique ${id} is not in adapters/elastic/mitre.ts`);
  return { id, name: t.name, reference: `https://attack.mitre.org/techniques/${id.replace('.', '/')}/` };
}

/** The tactics ATT&CK files a technique under (a sub-technique inherits its parent's). */
export function techniqueTactics(id: string): readonly string[] {
  const parent = id.split('.')[0] as string;
  const t = TECHNIQUES[parent];
  if (!t?.tactics) throw new UnknownAttackIdError(`MITRE ATT&CK technique ${parent} is not in adapters/elastic/mitre.ts`);
  return t.tactics;
}

/** Kibana's detection-rule `threat` entry (and the shape ECS `threat.*` flattens). */
export interface KibanaThreat {
  readonly framework: typeof ATTACK_FRAMEWORK;
  readonly tactic: AttackTactic;
  readonly technique: readonly (AttackTechnique & { readonly subtechnique?: readonly AttackTechnique[] })[];
}

/**
 * A declaration's tactics and techniques as Kibana's `threat` array: one entry per tactic, each
 * with the techniques ATT&CK files under it, sub-techniques nested under their parent (as
 * elastic/detection-rules writes them). A technique none of the declared tactics holds goes
 * under its own first ATT&CK tactic, so no declared id is dropped.
 */
export function kibanaThreat(m: Mitre): KibanaThreat[] {
  const byTactic = new Map<string, Map<string, Set<string>>>();
  for (const slug of m.tactics) byTactic.set(slug, new Map());
  for (const id of m.techniques) {
    const parent = id.split('.')[0] as string;
    const homes = techniqueTactics(id).filter((t) => m.tactics.includes(t));
    for (const slug of homes.length ? homes : [techniqueTactics(id)[0] as string]) {
      const techniques = byTactic.get(slug) ?? new Map<string, Set<string>>();
      const subs = techniques.get(parent) ?? new Set<string>();
      if (id !== parent) subs.add(id);
      techniques.set(parent, subs);
      byTactic.set(slug, techniques);
    }
  }
  return [...byTactic].map(([slug, techniques]) => ({
    framework: ATTACK_FRAMEWORK,
    tactic: tactic(slug),
    technique: [...techniques].sort(([a], [b]) => a.localeCompare(b)).map(([parent, subs]) => ({
      ...technique(parent),
      ...(subs.size ? { subtechnique: [...subs].sort().map(technique) } : {}),
    })),
  }));
}

/**
 * ECS `threat.*` for an alert document: parallel arrays of ids, names and references, as ECS
 * defines the threat field set (threat.tactic.id[], threat.technique.subtechnique.id[], …).
 */
export function ecsThreat(m: Mitre): Record<string, unknown> {
  const entries = kibanaThreat(m);
  const techniques = [...new Map(entries.flatMap((e) => e.technique).map((t) => [t.id, t])).values()];
  const subs = [...new Map(techniques.flatMap((t) => t.subtechnique ?? []).map((s) => [s.id, s])).values()];
  return {
    framework: ATTACK_FRAMEWORK,
    tactic: { id: entries.map((e) => e.tactic.id), name: entries.map((e) => e.tactic.name), reference: entries.map((e) => e.tactic.reference) },
    technique: {
      id: techniques.map((t) => t.id), name: techniques.map((t) => t.name), reference: techniques.map((t) => t.reference),
      ...(subs.length ? { subtechnique: { id: subs.map((s) => s.id), name: subs.map((s) => s.name), reference: subs.map((s) => s.reference) } } : {}),
    },
  };
}
