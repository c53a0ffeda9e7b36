import type { AttackLabel, AttackSpec } from './attacks';
import type { Domain } from './domain';
import { createWorkload, type WorkloadOptions } from './generate';

/**
 * The quickstart sample: one generated Tuesday of a small domain with a handful of injected
 * attacks. `npm run sample` writes it under samples/; a test regenerates it and compares,
 * so the shipped files cannot drift from this definition.
 */

export const SAMPLE_FILES = {
  events: 'samples/sample-day.jsonl.gz',
  labels: 'samples/sample-day.labels.json',
  config: 'samples/tierzero.json',
} as const;

/** Attacks in the afternoon, after every benign look-alike has shown up several times. */
const SAMPLE_ATTACKS: readonly AttackSpec[] = [
  { kind: 'samr_recon', at: '2024-03-12T13:05:00.000Z' },
  { kind: 'kerberoasting', at: '2024-03-12T13:25:00.000Z' },
  { kind: 'asrep_roasting', at: '2024-03-12T13:50:00.000Z' },
  { kind: 'password_spray', at: '2024-03-12T14:10:00.000Z' },
  { kind: 'account_enumeration', at: '2024-03-12T14:30:00.000Z' },
  { kind: 'brute_force', at: '2024-03-12T14:55:00.000Z' },
  { kind: 'honeytoken_activity', at: '2024-03-12T15:15:00.000Z' },
  { kind: 'pass_the_hash', at: '2024-03-12T15:35:00.000Z' },
  { kind: 'overpass_the_hash', at: '2024-03-12T15:55:00.000Z' },
  { kind: 'remote_code_execution', at: '2024-03-12T16:15:00.000Z' },
  { kind: 'dcsync', at: '2024-03-12T16:35:00.000Z' },
  { kind: 'sensitive_group_change', at: '2024-03-12T16:55:00.000Z' },
  { kind: 'golden_ticket', at: '2024-03-12T17:15:00.000Z' },
];

export const SAMPLE_OPTIONS: WorkloadOptions = {
  seed: 'tierzero-sample-1',
  start: '2024-03-12T00:00:00.000Z',
  durationHours: 24,
  shape: { users: 120, workstations: 120, servers: 12, domainControllers: 2, serviceAccounts: 10 },
  events: 20_000,
  attacks: SAMPLE_ATTACKS,
};

export interface SampleLabels {
  readonly description: string;
  readonly generator: WorkloadOptions;
  readonly events: number;
  readonly attacks: readonly AttackLabel[];
  readonly benign: readonly BenignLookAlike[];
}

/** Legitimate traffic that resembles an attack: no alert (at full severity) should name it. */
export interface BenignLookAlike {
  readonly resembles: string;
  readonly actor: string;
  readonly source: string;
  readonly what: string;
}

export interface SampleFiles {
  /** The JSONL text, one event per line, before compression. */
  readonly jsonl: string;
  readonly labels: SampleLabels;
  readonly config: Record<string, unknown>;
}

export function buildSample(options: WorkloadOptions = SAMPLE_OPTIONS): SampleFiles {
  const workload = createWorkload(options);
  const lines: string[] = [];
  for (const event of workload.events()) lines.push(JSON.stringify(event));
  return {
    jsonl: `${lines.join('\n')}\n`,
    labels: {
      description: 'Injected attacks in samples/sample-day.jsonl.gz (label conventions as in ../shared/datasets/manifest.json: the actor is the account an alert should name), and the benign traffic built to look like attacks. Regenerate with `npm run sample`.',
      generator: options,
      events: lines.length,
      attacks: workload.labels,
      benign: benignLookAlikes(workload.domain),
    },
    config: deploymentConfig(workload.domain),
  };
}

/** What a deployment of tierzero on this domain would configure: its DCs, its sync account, its decoy. */
export function deploymentConfig(d: Domain): Record<string, unknown> {
  return {
    domainControllers: d.dcs.map((dc) => dc.fqdn),
    directorySyncAccounts: [d.syncAccount.name],
    honeytokens: [d.honeytoken.name, `{${d.honeytoken.guid}}`],
  };
}

export function benignLookAlikes(d: Domain): BenignLookAlike[] {
  const r = d.roles;
  return [
    { resembles: 'dcsync', actor: d.syncAccount.name, source: r.entraConnect.name, what: 'Entra Connect password hash sync: 4662 with 1131f6aa and 1131f6ad on DC01 every 30 minutes (configured in directorySyncAccounts)' },
    { resembles: 'dcsync', actor: d.dcs.map((dc) => dc.account.name).join(', '), source: d.dcs.map((dc) => dc.name).join(', '), what: 'DC-to-DC replication: 4662 with 1131f6aa (and at times 1131f6ad) by each DC on the other, every 5-15 minutes' },
    { resembles: 'kerberoasting', actor: r.legacyApp.account.name, source: r.legacyApp.name, what: `an RC4 (0x17) service ticket for ${d.legacyService.name} every hour from 00:17: its old client library cannot do AES` },
    { resembles: 'asrep_roasting', actor: d.noPreauthAccount.name, source: d.linuxHostIp, what: 'a Linux app signs in from a keytab every hour from 00:42; the account has DONT_REQ_PREAUTH, so 4768 PreAuthType 0, but with AES (0x12)' },
    { resembles: 'brute_force', actor: 'any user', source: 'their workstation', what: 'one or two mistyped passwords (4771 0x18, or 4776/4625 0xc000006a over NTLM) followed by success' },
    { resembles: 'brute_force', actor: d.staleCredentialUser.name, source: d.staleCredentialUser.workstation.name, what: 'a drive mapped with an old saved password retries every 30 minutes all day: 4776 0xc000006a on the DC, 4625 on FS01' },
    { resembles: 'remote_code_execution', actor: d.backupAccount.name, source: r.backup.name, what: 'nightly backup at 01:00: admin logon, ADMIN$ write and service VeeamVssSupport installed (7045/4697) on each DC, FS01 and SQL01' },
    { resembles: 'remote_code_execution', actor: d.sccmAccount.name, source: r.sccm.name, what: 'SCCM client push at about 02:10: ccmsetup copied over ADMIN$ and installed as a service on a server; hourly inventory logons with 4672' },
    { resembles: 'sensitive_group_change', actor: d.admins.map((a) => a.name).join(', '), source: r.jump.name, what: 'admins on the jump server add users to ordinary groups (4728/4732/4756), reset passwords, edit GPOs' },
    { resembles: 'pass_the_hash', actor: 'users with an ntlmServer habit', source: 'their own workstation', what: 'NTLM logons (4776 + 4624 NtLmSsp, KeyLength 128) to FS01, APP01 or their DC (a share reached by IP address), always from their own workstation' },
  ];
}
