import { createHash } from 'node:crypto';
import type { Severity } from '../../../core/alerts/alert';
import type { DetectorDeclaration } from '../../../core/detectors/detector';
import type { ResolvedConfig } from '../../../core/config/config';
import { ruleParams } from '../../../core/rules/params';
import type { NativeQuery } from '../../../core/rules/tree';
import { sentinelTactic } from '../alert-row';
import { sentinelCompiler } from '../compiler';

/**
 * The scheduled analytic rules, as `Microsoft.SecurityInsights/alertRules` kind `Scheduled`
 * properties (api 2023-02-01, ScheduledAlertRuleProperties: Azure/bicep-types-az
 * generated/securityinsights/microsoft.securityinsights/2023-02-01/types.md; the YAML field
 * names of Azure/Azure-Sentinel `Solutions/*\/Analytic Rules/*.yaml`):
 * - one per query of each detector's native form, compiled by the Sentinel compiler, shipped
 *   disabled (as the Splunk app ships its native searches) for sites that cannot run the engine;
 * - the incident rule over TierzeroAlerts_CL, enabled: it turns the engine's alerts into
 *   Sentinel alerts with entities, custom details and the row's own title, severity and tactics,
 *   grouped into one incident per account.
 */
export interface AlertRule {
  /** Stable GUID: the ARM resource name and the YAML `id`, so a redeploy updates in place. */
  readonly id: string;
  /** The file name under Analytic Rules/ (without extension). */
  readonly file: string;
  readonly properties: ScheduledRuleProperties;
}

export type SentinelSeverity = 'Informational' | 'Low' | 'Medium' | 'High';

export interface EntityMapping {
  readonly entityType: 'Account' | 'Host' | 'IP';
  readonly fieldMappings: readonly { readonly identifier: string; readonly columnName: string }[];
}

export interface ScheduledRuleProperties {
  readonly displayName: string;
  readonly description: string;
  readonly severity: SentinelSeverity;
  readonly enabled: boolean;
  readonly query: string;
  readonly queryFrequency: string;
  readonly queryPeriod: string;
  readonly triggerOperator: 'GreaterThan';
  readonly triggerThreshold: 0;
  readonly suppressionEnabled: false;
  readonly suppressionDuration: string;
  readonly tactics: readonly string[];
  readonly techniques: readonly string[];
  readonly entityMappings: readonly EntityMapping[];
  readonly customDetails?: Readonly<Record<string, string>>;
  readonly alertDetailsOverride?: {
    readonly alertDisplayNameFormat: string;
    readonly alertDescriptionFormat?: string;
    readonly alertSeverityColumnName?: string;
    readonly alertTacticsColumnName?: string;
  };
  readonly eventGroupingSettings: { readonly aggregationKind: 'AlertPerResult' };
  readonly incidentConfiguration: {
    readonly createIncident: boolean;
    readonly groupingConfiguration: {
      readonly enabled: boolean;
      readonly reopenClosedIncident: boolean;
      readonly lookbackDuration: string;
      readonly matchingMethod: 'Selected' | 'AllEntities';
      readonly groupByEntities: readonly string[];
      readonly groupByAlertDetails: readonly string[];
      readonly groupByCustomDetails: readonly string[];
    };
  };
}

/** Sentinel's AttackTactic enum (SecurityInsights 2023-02-01): what `tactics` and the row's Tactics column may hold. */
export const SENTINEL_TACTICS: ReadonlySet<string> = new Set(['Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion',
  'CredentialAccess', 'Discovery', 'LateralMovement', 'Collection', 'Exfiltration', 'CommandAndControl', 'Impact', 'PreAttack', 'ImpairProcessControl', 'InhibitResponseFunction']);

/** `techniques` takes the parent technique (`T1110`); the sub-technique is in the description. */
export function sentinelTechniques(techniques: readonly string[]): string[] {
  return [...new Set(techniques.map((t) => t.split('.')[0] as string))].sort();
}

const SEVERITY: Readonly<Record<Severity, SentinelSeverity>> = { informational: 'Informational', low: 'Low', medium: 'Medium', high: 'High', critical: 'High' };

/** ISO 8601 duration of whole minutes, as the API takes `queryPeriod` (`PT10M`, `PT2H`, `P1D`). */
export function isoMinutes(minutes: number): string {
  const m = Math.max(5, Math.ceil(minutes));
  if (m % 1440 === 0) return `P${m / 1440}D`;
  if (m % 60 === 0) return `PT${m / 60}H`;
  return `PT${m}M`;
}

/** A GUID derived from a name, so the same rule keeps the same id across builds. */
export function stableGuid(name: string): string {
  const h = createHash('sha256').update(`tierzero:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const NO_GROUPING = { enabled: false, reopenClosedIncident: false, lookbackDuration: 'PT5H', matchingMethod: 'AllEntities', groupByEntities: [], groupByAlertDetails: [], groupByCustomDetails: [] } as const;

export function nativeRule(d: DetectorDeclaration, q: NativeQuery, config: ResolvedConfig): AlertRule {
  const compiled = sentinelCompiler.native(d, q, ruleParams(config, d.id));
  const single = new Set(q.aggregate ? q.aggregate.by : q.outputs.map((o) => o.name));
  const has = (o: string): boolean => q.outputs.some((x) => x.name === o) && single.has(o as never);
  // A src is an address or a workstation name (evaluate.ts takes the first present): IP when it parses as one.
  const srcColumns = has('src') ? '\n| extend SrcIp = iif(isnotnull(parse_ipv4(src)) or isnotnull(parse_ipv6(src)), src, \'\'), SrcHost = iif(isnull(parse_ipv4(src)) and isnull(parse_ipv6(src)), src, \'\')' : '';
  const mappings: EntityMapping[] = [
    ...(has('user') ? [{ entityType: 'Account' as const, fieldMappings: [{ identifier: 'FullName', columnName: 'user' }] }] : []),
    ...(has('src') ? [{ entityType: 'IP' as const, fieldMappings: [{ identifier: 'Address', columnName: 'SrcIp' }] }, { entityType: 'Host' as const, fieldMappings: [{ identifier: 'HostName', columnName: 'SrcHost' }] }] : []),
    ...(has('dest') ? [{ entityType: 'Host' as const, fieldMappings: [{ identifier: 'HostName', columnName: 'dest' }] }] : []),
  ];
  const signal = d.native.kind === 'signal' ? ` Signal (${q.name}): ${d.native.note}.` : '';
  const subject = q.riskObject === 'object' ? undefined : q.riskObject;
  const window = compiled.windowMinutes;
  return {
    id: stableGuid(`native/${d.id}/${q.name}`),
    file: `tierzero-${d.id}-${q.name}`,
    properties: {
      displayName: `tierzero - ${d.title} (${q.name}, native)`,
      description: `${d.summary}${signal} Native KQL compiled from the detector's declaration (MITRE ${d.mitre.techniques.join(', ')}), for sites without the engine; the engine also merges, traces and escalates.`,
      severity: SEVERITY[d.severity],
      enabled: false,
      query: `${compiled.query}${srcColumns}`,
      // Every frequency step re-reads the last window: a burst is seen within one step of its end.
      queryFrequency: isoMinutes(Math.min(60, Math.max(5, window / 2))),
      queryPeriod: isoMinutes(window),
      triggerOperator: 'GreaterThan',
      triggerThreshold: 0,
      suppressionEnabled: false,
      suppressionDuration: 'PT5H',
      tactics: d.mitre.tactics.map(sentinelTactic),
      techniques: sentinelTechniques(d.mitre.techniques),
      entityMappings: mappings,
      customDetails: { EventCount: 'count_', FirstTime: 'firstTime', LastTime: 'lastTime' },
      ...(subject && single.has(subject) && { alertDetailsOverride: { alertDisplayNameFormat: `${d.title}: {{${subject}}}` } }),
      eventGroupingSettings: { aggregationKind: 'AlertPerResult' },
      incidentConfiguration: { createIncident: true, groupingConfiguration: NO_GROUPING },
    },
  };
}

/**
 * The rule that raises incidents from the engine's alerts. `arg_max(TimeGenerated, *) by
 * AlertId` keeps one row per alert, so a batch the sink re-sent after a crash raises nothing
 * twice (issue 11). Learning alerts are written Informational and stay out of incidents by
 * default (issue 15). `queryPeriod` equals `queryFrequency`: the sink stamps TimeGenerated when it
 * writes, so each row falls in exactly one run's window.
 */
export const INCIDENT_RULE_QUERY = [
  'TierzeroAlerts_CL',
  '| summarize arg_max(TimeGenerated, *) by AlertId',
  "| where Severity != 'Informational'",
  // Top three contributions of the identity's score, as "detector +points" text for the incident page.
  "| mv-apply Contribution = array_slice(Contributions, 0, 2) on (summarize TopContributions = strcat_array(make_list(strcat(tostring(Contribution.detector), ' +', tostring(Contribution.contribution))), ', '))",
  "| extend AlertTactics = strcat_array(Tactics, ',')",
  '| project TimeGenerated, AlertId, DetectorId, Title, Severity, RiskScore, AlertTactics, Techniques, FirstSeen, LastSeen, IdentityKey, AccountSid, AccountName, AccountNTDomain, AccountUPNSuffix, AadUserId, HostName, SourceIp, Why, Score, Band, TopContributions',
].join('\n');

export function incidentRule(): AlertRule {
  return {
    id: stableGuid('incident/TierzeroAlerts_CL'),
    file: 'tierzero-incidents',
    properties: {
      displayName: 'tierzero - identity threat alerts',
      description: 'Raises a Microsoft Sentinel incident for each tierzero alert written to TierzeroAlerts_CL, with the account, host and address as entities, the identity\'s priority score and its top contributions as custom details, and the title, severity and tactics of the alert itself. Alerts of detectors still learning their baseline are Informational and raise no incident.',
      severity: 'Medium',
      enabled: true,
      query: INCIDENT_RULE_QUERY,
      queryFrequency: 'PT5M',
      queryPeriod: 'PT5M',
      triggerOperator: 'GreaterThan',
      triggerThreshold: 0,
      suppressionEnabled: false,
      suppressionDuration: 'PT5H',
      // The union of every detector's tactics and techniques: the row's own tactics override per alert.
      tactics: [],
      techniques: [],
      // An entity mapping takes at most three identifiers: the AD view (Sid, Name + NTDomain) and
      // the Entra view (AadUserId, Name + UPNSuffix) of one account (alert-row.ts fills both).
      entityMappings: [
        { entityType: 'Account', fieldMappings: [{ identifier: 'Sid', columnName: 'AccountSid' }, { identifier: 'Name', columnName: 'AccountName' }, { identifier: 'NTDomain', columnName: 'AccountNTDomain' }] },
        { entityType: 'Account', fieldMappings: [{ identifier: 'AadUserId', columnName: 'AadUserId' }, { identifier: 'Name', columnName: 'AccountName' }, { identifier: 'UPNSuffix', columnName: 'AccountUPNSuffix' }] },
        { entityType: 'Host', fieldMappings: [{ identifier: 'HostName', columnName: 'HostName' }] },
        { entityType: 'IP', fieldMappings: [{ identifier: 'Address', columnName: 'SourceIp' }] },
      ],
      customDetails: { Score: 'Score', Band: 'Band', TopContributions: 'TopContributions', RiskScore: 'RiskScore', Detector: 'DetectorId', TierzeroAlertId: 'AlertId', IdentityKey: 'IdentityKey' },
      alertDetailsOverride: {
        alertDisplayNameFormat: '{{Title}}',
        alertDescriptionFormat: '{{Why}}',
        alertSeverityColumnName: 'Severity',
        alertTacticsColumnName: 'AlertTactics',
      },
      eventGroupingSettings: { aggregationKind: 'AlertPerResult' },
      incidentConfiguration: {
        createIncident: true,
        // One incident per account for a day: the alerts about one person read together.
        groupingConfiguration: { enabled: true, reopenClosedIncident: false, lookbackDuration: 'P1D', matchingMethod: 'Selected', groupByEntities: ['Account'], groupByAlertDetails: [], groupByCustomDetails: [] },
      },
    },
  };
}

/** The incident rule with the tactics and techniques of every shipped detector, then one rule per native query. */
export function analyticRules(declarations: readonly DetectorDeclaration[], config: ResolvedConfig): AlertRule[] {
  const base = incidentRule();
  const incident: AlertRule = {
    ...base,
    properties: {
      ...base.properties,
      tactics: [...new Set(declarations.flatMap((d) => d.mitre.tactics.map(sentinelTactic)))].sort(),
      techniques: sentinelTechniques(declarations.flatMap((d) => d.mitre.techniques)),
    },
  };
  const natives = declarations.flatMap((d) => (d.native.kind === 'none' || !config.detectors.has(d.id) ? [] : d.native.queries.map((q) => nativeRule(d, q, config))));
  return [incident, ...natives];
}
