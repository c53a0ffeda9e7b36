import type { RuleParams } from '../../core/rules/evaluate';
import type { Branch, NativeQuery, Output, OutputName } from '../../core/rules/tree';
import { securityEventAccess, windowsEventAccess, columnAccess } from './field-access';
import { compilePredicate, kqlLong, kqlName, kqlString, type FieldAccess } from './kql';
import type { TableName } from './tables';

/**
 * A native analytic rule's query, compiled from one query of a detector's native form
 * (core/rules/tree.ts), with the tree's semantics kept (evaluate.ts is the reference; the
 * predicates through kql.ts `compilePredicate`, the field reads through field-access.ts):
 * - a Security-log branch reads both `SecurityEvent` (the legacy agent and AMA's Windows
 *   Security Events connector) and `WindowsEvent` (Windows Forwarded Events), so one rule serves
 *   either connector; other Windows channels exist only in `WindowsEvent`; a sign-in branch reads
 *   `SigninLogs` and `AADNonInteractiveUserSignInLogs`. `union isfuzzy=true` lets a workspace
 *   that lacks one of the tables run the rule (Kusto docs, "union operator");
 * - outputs are the first present of their fields, lower-cased, as the evaluator keys them;
 * - an aggregation becomes `summarize … by` over the rule's query period with the threshold as
 *   `where count_ >= N`: Sentinel runs the rule every `queryFrequency` over the last
 *   `queryPeriod` (the detector's window), which approximates the tree's sliding window to one
 *   frequency step (the engine itself keeps the exact window).
 * The result rows carry `firstTime`, `lastTime`, `count_` and the query's outputs.
 */
export interface CompiledNativeKql {
  readonly query: string;
  /** The detector's window (aggregations), or 15: the rule's query period. */
  readonly windowMinutes: number;
  /** The outputs that are one value per row (grouping keys, or every output when uncounted). */
  readonly singleValued: readonly OutputName[];
}

const UNCOUNTED_PERIOD_MINUTES = 15;

export function compileNativeKql(q: NativeQuery, params: RuleParams): CompiledNativeKql {
  const legs = legsOf(q).map((leg) => legQuery(leg, q.outputs, params));
  const source = legs.length === 1 ? (legs[0] as string) : `union isfuzzy=true\n  ${legs.map((l) => `(${l})`).join(',\n  ')}`;
  const outputs = q.outputs.map((o) => o.name);
  if (!q.aggregate) {
    return {
      query: `${source}\n| project firstTime = TimeGenerated, lastTime = TimeGenerated, count_ = 1, ${outputs.map(kqlName).join(', ')}`,
      windowMinutes: UNCOUNTED_PERIOD_MINUTES,
      singleValued: outputs,
    };
  }
  const a = q.aggregate;
  const by = a.by;
  const measure = a.distinct === undefined ? 'count()' : `dcount(${kqlName(a.distinct)})`;
  // A result without one of its keys cannot be grouped (the evaluator drops it too); a distinct
  // count counts only rows that have the value (the evaluator's set skips the absent).
  const required = a.distinct === undefined || by.includes(a.distinct) ? by : [...by, a.distinct];
  const stages = [
    source,
    `| where ${required.map((b) => `isnotempty(${kqlName(b)})`).join(' and ')}`,
    // One row per key, as the evaluator keys a result; the other outputs are in the events, not the alert.
    `| summarize count_ = ${measure}, firstTime = min(TimeGenerated), lastTime = max(TimeGenerated) by ${by.map(kqlName).join(', ')}`,
    `| where count_ >= ${kqlLong(threshold(params, a.threshold))}`,
  ];
  return { query: stages.join('\n'), windowMinutes: threshold(params, a.window), singleValued: by };
}

/** One table read by a query: its branches (a branch on the Security log reads two tables). */
interface Leg {
  readonly table: TableName;
  readonly access: FieldAccess;
  /** `Channel == 'System'` for WindowsEvent, which holds every channel. */
  readonly channel?: string;
  readonly branches: Branch[];
}

function legsOf(q: NativeQuery): Leg[] {
  const legs = new Map<string, Leg>();
  const add = (table: TableName, access: FieldAccess, b: Branch, channel?: string): void => {
    const key = `${table}/${channel ?? ''}`;
    const leg = legs.get(key) ?? { table, access, branches: [], ...(channel !== undefined && { channel }) };
    leg.branches.push(b);
    legs.set(key, leg);
  };
  for (const b of q.match) {
    const s = b.source;
    if (s.kind === 'windows') {
      if (s.channel === 'Security') add('SecurityEvent', securityEventAccess, b);
      add('WindowsEvent', windowsEventAccess, b, s.channel);
    } else if (s.table === 'SigninLogs') {
      add('SigninLogs', columnAccess('SigninLogs'), b);
      add('AADNonInteractiveUserSignInLogs', columnAccess('AADNonInteractiveUserSignInLogs'), b);
    } else {
      add('AuditLogs', columnAccess('AuditLogs'), b);
    }
  }
  return [...legs.values()];
}

function legQuery(leg: Leg, outputs: readonly Output[], params: RuleParams): string {
  const ids = (b: Branch): readonly number[] => (b.source.kind === 'windows' ? b.source.eventIds : []);
  const allIds = [...new Set(leg.branches.flatMap(ids))].sort((x, y) => x - y);
  const stages: string[] = [kqlName(leg.table)];
  if (leg.channel !== undefined) stages.push(`where Channel == ${kqlString(leg.channel)}`);
  // EventID first: Log Analytics skips whole extents on the typed column before any parsing.
  if (allIds.length) stages.push(`where EventID in (${allIds.map(kqlLong).join(', ')})`);
  const conditions = leg.branches.map((b) => {
    const parts = [
      ...(ids(b).length && allIds.length > ids(b).length ? [`EventID in (${ids(b).map(kqlLong).join(', ')})`] : []),
      ...(b.where ? [compilePredicate(b.where, leg.access, 'exact', params) as string] : []),
    ];
    return parts.length === 0 ? 'true' : parts.join(' and ');
  });
  if (!conditions.includes('true')) stages.push(`where ${conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(' or ')}`);
  stages.push(`project TimeGenerated, ${outputs.map((o) => `${kqlName(o.name)} = ${outputValue(o, leg.access)}`).join(', ')}`);
  return stages.join(' | ');
}

/** The first of the output's fields this table has that is present (not empty, not `-`), lower-cased. */
function outputValue(o: Output, access: FieldAccess): string {
  const reads = o.fields.map((f) => access(f)?.expr).filter((x): x is string => x !== undefined);
  if (reads.length === 0) return "''";
  const present = reads.map((x) => `iif(${x} == '-', '', ${x})`);
  return `tolower(${present.length === 1 ? present[0] : `coalesce(${present.join(', ')})`})`;
}

function threshold(params: RuleParams, name: string): number {
  const v = params.thresholds[name];
  if (v === undefined) throw new Error(`native rule names threshold ${name}, which the detector's settings lack`);
  return v;
}
