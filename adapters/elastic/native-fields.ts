import type { RuleSource } from '../../core/rules/tree';
import { ecsReadPaths, type FieldSource } from './field-map';

/**
 * Where a native rule reads a canonical field, and what Elasticsearch type that path has: the
 * field map's read paths (field-map.ts, every layout, first present wins) for every EventID a
 * branch names, and the ECS / integration mapping type of each path, which decides how a rule
 * may compare it (EQL refuses a string literal against an `ip` or `long` field: elastic/
 * detection-rules tests/reports/alerts_from_rules.md shows the verification_exception).
 */
export type EsType = 'keyword' | 'ip' | 'long' | 'date';

/**
 * The paths the field map reads that are not keyword in the integrations' mappings (ECS:
 * source.ip is ip, *.pid and *.port long; the Azure integration maps
 * signinlogs.properties.status.error_code and autonomous_system_number as long). Every
 * `winlog.event_data.*`, `winlog.*` header and `azure.*` text field is keyword.
 */
const NON_KEYWORD: Readonly<Record<string, EsType>> = {
  '@timestamp': 'date',
  'event.ingested': 'date',
  'winlog.time_created': 'date',
  'source.ip': 'ip',
  'source.port': 'long',
  'process.pid': 'long',
  'process.parent.pid': 'long',
  'source.as.number': 'long',
  'azure.signinlogs.properties.status.error_code': 'long',
  'azure.signinlogs.properties.autonomous_system_number': 'long',
};

export function esType(path: string): EsType {
  return NON_KEYWORD[path] ?? 'keyword';
}

export interface FieldPath {
  readonly path: string;
  readonly type: EsType;
}

/**
 * Events that carry UserData rather than EventData (Security 1102 LogFileCleared, System 104):
 * the only ones whose fields a rule looks for under `winlog.user_data.*`. The field map reads
 * that fallback for every event, which costs a reader nothing; a rule naming a path no index
 * maps fails EQL's and ES|QL's verification ("Unknown column"), so rules name it only here.
 */
const USER_DATA_EVENTS: Readonly<Record<string, readonly number[]>> = { Security: [1102], System: [104] };

/** Every path `field` is read from for the events of `source`, in the field map's order. */
export function branchPaths(field: string, source: RuleSource): FieldPath[] {
  const sources: FieldSource[] = source.kind === 'cloud'
    ? [{ kind: 'cloud', table: source.table }]
    : source.eventIds.map((eventId) => ({ kind: 'windows', channel: source.channel, eventId }));
  const out: string[] = [];
  for (const s of sources) {
    const userData = s.kind === 'windows' && s.eventId !== undefined && (USER_DATA_EVENTS[s.channel] ?? []).includes(s.eventId);
    for (const p of readPaths(field, s)) if (!out.includes(p) && (userData || !p.startsWith('winlog.user_data.'))) out.push(p);
  }
  return out.map((path) => ({ path, type: esType(path) }));
}

/**
 * The field map's read paths; none for a column the Entra table does not have (an output such
 * as `Computer` that only the Windows branches of a query carry): absent, as the tree reads it.
 */
function readPaths(field: string, s: FieldSource): string[] {
  try {
    return ecsReadPaths(field, s);
  } catch (err) {
    if (s.kind === 'cloud') return [];
    throw err;
  }
}

/**
 * Index patterns per source, the defaults of Elastic Agent's System and Windows integrations,
 * Winlogbeat and the Azure integration (issue 10: logs-system.security-*,
 * logs-windows.forwarded-*, winlogbeat-*; logs-azure.signinlogs-*, logs-azure.auditlogs-*).
 * The System channel is the System integration's own data stream (logs-system.system-*).
 */
export function sourceIndices(source: RuleSource): string[] {
  if (source.kind === 'cloud') return [source.table === 'SigninLogs' ? 'logs-azure.signinlogs-*' : 'logs-azure.auditlogs-*'];
  switch (source.channel) {
    case 'Security': return ['logs-system.security-*', 'logs-windows.forwarded-*', 'winlogbeat-*'];
    case 'System': return ['logs-system.system-*', 'logs-windows.forwarded-*', 'winlogbeat-*'];
    case 'Microsoft-Windows-Sysmon/Operational': return ['logs-windows.sysmon_operational-*', 'logs-windows.forwarded-*', 'winlogbeat-*'];
  }
}

/** The integration's dataset for an Entra table (`event.dataset`, also the data stream's). */
export function cloudDataset(table: 'SigninLogs' | 'AuditLogs'): string {
  return table === 'SigninLogs' ? 'azure.signinlogs' : 'azure.auditlogs';
}
