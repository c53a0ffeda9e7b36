import type { Alert, AlertAccount, Severity } from '../../core/alerts/alert';
import type { IdentityScoreUpdate } from '../../core/scoring/score-update';

/**
 * An alert as one row of `TierzeroAlerts_CL`, the shape the DCR's `Custom-TierzeroAlerts_CL`
 * stream declares (az-solution's template, az-pull's tables.ts): flat typed columns for the
 * incident rule's entity mappings and custom details, `dynamic` for lists and evidence.
 *
 * - `TimeGenerated` is when the pass wrote the row, not when the attack happened: the incident
 *   rule looks back a few minutes (`TimeGenerated > ago(…)`), and an alert about events that
 *   arrived late must still raise an incident. The attack's own times are `FirstSeen`/`LastSeen`.
 * - Sentinel's alert severities are Informational, Low, Medium and High (learn.microsoft.com
 *   "Create a scheduled analytics rule", alertSeverityColumnName): critical maps to High.
 *   A learning alert (issue 15) is Informational with `Learning: true`, whatever its verdict.
 * - Account columns follow the Account entity's identifiers (learn.microsoft.com "Microsoft
 *   Sentinel entity types reference"): `Name` + `UPNSuffix` for a cloud identity, `Name` +
 *   `NTDomain` for an on-premises one, `Sid`, `AadUserId` (the Entra object id).
 * - Tactics use the names Sentinel's `tactics` property takes (AttackTactic: `CredentialAccess`).
 * - The identity's score at the time of writing rides along (`Score`, `Band`, `Contributions`)
 *   so the incident's custom details show it without a join.
 */
export interface AlertRow {
  readonly TimeGenerated: string;
  readonly AlertId: string;
  readonly DetectorId: string;
  readonly Title: string;
  readonly Severity: SentinelSeverity;
  readonly Learning: boolean;
  readonly RiskScore: number;
  readonly Tactics: readonly string[];
  readonly Techniques: readonly string[];
  readonly FirstSeen: string;
  readonly LastSeen: string;
  readonly IdentityKey: string | null;
  readonly AccountSid: string | null;
  readonly AccountName: string | null;
  readonly AccountUPNSuffix: string | null;
  readonly AccountNTDomain: string | null;
  readonly AadUserId: string | null;
  readonly HostName: string | null;
  readonly SourceIp: string | null;
  readonly Why: string;
  readonly Evidence: Alert['evidence'];
  readonly Entities: Alert['entities'];
  readonly Recommendations: readonly string[];
  readonly Score: number | null;
  readonly Band: string | null;
  readonly Contributions: readonly { readonly detector: string; readonly contribution: number; readonly signals: number }[] | null;
}

export type SentinelSeverity = 'Informational' | 'Low' | 'Medium' | 'High';

const SEVERITY: Readonly<Record<Severity, SentinelSeverity>> = { informational: 'Informational', low: 'Low', medium: 'Medium', high: 'High', critical: 'High' };

export function alertRow(a: Alert, writtenAt: string, score: IdentityScoreUpdate | undefined): AlertRow {
  const who = accountOf(a);
  const host = a.entities.hosts.find((h) => h.name !== undefined);
  const ip = a.entities.hosts.find((h) => h.ip !== undefined && h.role === 'source') ?? a.entities.hosts.find((h) => h.ip !== undefined);
  return {
    TimeGenerated: writtenAt,
    AlertId: a.id,
    DetectorId: a.detector,
    Title: a.title,
    Severity: a.learning ? 'Informational' : SEVERITY[a.severity],
    Learning: a.learning === true,
    RiskScore: a.riskScore,
    Tactics: a.mitre.tactics.map(sentinelTactic),
    Techniques: a.mitre.techniques,
    FirstSeen: a.firstSeen,
    LastSeen: a.lastSeen,
    IdentityKey: a.identity?.id ?? null,
    ...who,
    HostName: host?.name ?? null,
    SourceIp: ip?.ip ?? null,
    Why: a.description,
    Evidence: a.evidence,
    Entities: a.entities,
    Recommendations: a.recommendations,
    Score: score?.score ?? null,
    Band: score?.band ?? null,
    Contributions: score ? score.contributions.map((c) => ({ detector: c.detector, contribution: c.contribution, signals: c.signals })) : null,
  };
}

/** `credential-access` → `CredentialAccess`, as Sentinel's AttackTactic enum spells it. */
export function sentinelTactic(t: string): string {
  return t.split(/[-_ ]+/).map((w) => (w === '' ? '' : w[0]!.toUpperCase() + w.slice(1))).join('');
}

type AccountColumns = Pick<AlertRow, 'AccountSid' | 'AccountName' | 'AccountUPNSuffix' | 'AccountNTDomain' | 'AadUserId'>;

/** The person the alert is about: its resolved identity, else its actor, else its first account. */
function accountOf(a: Alert): AccountColumns {
  const i = a.identity;
  const raw: AlertAccount | undefined = a.entities.accounts.find((x) => x.role === 'actor') ?? a.entities.accounts[0];
  const upn = i?.upn;
  const at = upn?.lastIndexOf('@') ?? -1;
  const domain = raw?.domain ?? null;
  return {
    AccountSid: i?.sid ?? raw?.sid ?? null,
    AccountName: upn !== undefined && at > 0 ? upn.slice(0, at) : (i?.sam ?? raw?.name ?? i?.name ?? null),
    AccountUPNSuffix: upn !== undefined && at > 0 ? upn.slice(at + 1) : null,
    AccountNTDomain: upn !== undefined && at > 0 ? null : domain,
    AadUserId: i?.objectId ?? null,
  };
}
