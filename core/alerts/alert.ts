import type { DetectorId } from '../detectors/detector-id';

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Risk values per severity (research note §3b), the alert's default `riskScore`. */
export const SEVERITY_RISK: Record<Severity, number> = { informational: 5, low: 15, medium: 40, high: 70, critical: 90 };

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function lowerSeverity(s: Severity): Severity {
  return SEVERITIES[Math.max(0, severityRank(s) - 1)] ?? s;
}

export type EntityRole = 'actor' | 'target' | 'source' | 'destination' | 'member' | 'group';

export interface AlertAccount {
  readonly name: string;
  readonly domain?: string;
  readonly sid?: string;
  readonly role: EntityRole;
}

export interface AlertHost {
  readonly name?: string;
  readonly ip?: string;
  readonly role: EntityRole;
}

export interface EvidenceEvent {
  readonly EventRecordID: number | null;
  readonly Computer: string;
  readonly EventID: number;
  readonly TimeCreated: string;
}

export interface Mitre {
  readonly tactics: readonly string[];
  readonly techniques: readonly string[];
}

/** The alert contract (DESIGN §10): one JSON object per line, whatever the sink. */
export interface Alert {
  readonly id: string;
  readonly detector: DetectorId;
  readonly title: string;
  readonly severity: Severity;
  readonly riskScore: number;
  readonly mitre: Mitre;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly entities: { readonly accounts: readonly AlertAccount[]; readonly hosts: readonly AlertHost[] };
  readonly evidence: { readonly count: number; readonly events: readonly EvidenceEvent[]; readonly details?: Readonly<Record<string, unknown>> };
  readonly description: string;
  readonly recommendations: readonly string[];
  /** True when the verdict leaned on a baseline still in its learning period. */
  readonly learning?: boolean;
  /**
   * A learning alert's own verdict, before the learning policy lowered it (to informational by
   * default): the severity it carries in test mode, or once the baseline is trusted.
   */
  readonly verdictSeverity?: Severity;
  /** The person the alert is about (its actor, else its first target), resolved across AD and Entra ID. */
  readonly identity?: AlertIdentity;
}

/** One identity across AD and Entra ID: every identifier tierzero has linked to it. */
export interface AlertIdentity {
  /** Stable identity id (`oid:…`, `sid:…`, `upn:…` or `sam:…`): the key of its priority score. */
  readonly id: string;
  /** How an analyst reads it: UPN, else account name. */
  readonly name: string;
  readonly upn?: string;
  readonly sam?: string;
  readonly sid?: string;
  readonly objectId?: string;
  /** Criticality tier used by the score: honeytoken, tier0, tier1, normal, disabled, test. */
  readonly tier: string;
}
