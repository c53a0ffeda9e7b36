import type { AlertRule } from './analytic-rules';
import { toYaml } from './yaml';

/**
 * An analytic rule as the Azure-Sentinel repository writes it (`Solutions/*\/Analytic Rules/
 * *.yaml`, e.g. Windows Security Events' MultipleFailedFollowedBySuccess.yaml): short
 * durations (`5m`, `1h`), `gt`, `relevantTechniques`, the data connectors it needs.
 */
export function ruleYaml(r: AlertRule, version: string): string {
  const p = r.properties;
  return toYaml({
    id: r.id,
    name: p.displayName,
    description: p.description,
    severity: p.severity,
    requiredDataConnectors: connectorsFor(p.query),
    queryFrequency: shortDuration(p.queryFrequency),
    queryPeriod: shortDuration(p.queryPeriod),
    triggerOperator: 'gt',
    triggerThreshold: p.triggerThreshold,
    tactics: p.tactics,
    relevantTechniques: p.techniques,
    query: p.query,
    entityMappings: p.entityMappings,
    customDetails: p.customDetails,
    alertDetailsOverride: p.alertDetailsOverride,
    incidentConfiguration: p.incidentConfiguration,
    eventGroupingSettings: p.eventGroupingSettings,
    version,
    kind: 'Scheduled',
  });
}

/** The connectors whose tables a query reads (connector ids as the repository's rules name them). */
function connectorsFor(query: string): { connectorId: string; dataTypes: string[] }[] {
  const reads = (t: string): boolean => new RegExp(`(^|[^A-Za-z_])${t}([^A-Za-z_]|$)`).test(query);
  const out: { connectorId: string; dataTypes: string[] }[] = [];
  if (reads('SecurityEvent')) out.push({ connectorId: 'SecurityEvents', dataTypes: ['SecurityEvent'] });
  if (reads('WindowsEvent')) out.push({ connectorId: 'WindowsForwardedEvents', dataTypes: ['WindowsEvent'] });
  if (reads('SigninLogs') || reads('AuditLogs')) out.push({ connectorId: 'AzureActiveDirectory', dataTypes: ['SigninLogs', 'AADNonInteractiveUserSignInLogs', 'AuditLogs'].filter(reads) });
  return out;
}

/** `PT10M` → `10m`, `PT2H` → `2h`, `P1D` → `1d`. */
export function shortDuration(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) throw new Error(`not an ISO duration of days, hours or minutes: ${iso}`);
  const [, d, h, min] = m;
  if (d && !h && !min) return `${d}d`;
  if (h && !d && !min) return `${h}h`;
  return `${Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0)}m`;
}
