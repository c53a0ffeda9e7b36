import type { CloudTable, Predicate, WindowsChannel } from '../../core/rules/tree';
import type { PullPlan } from '../../core/rules/pull-plan';
import { AUDIT_RAW_FIELD } from './audit-map';
import type { SearchSettings } from './config';
import { splunkFields, taFieldName } from './field-map';
import { CLASSIC_LAYOUTS, CLASSIC_SYSTEM_LAYOUTS } from './classic-layouts';
import { SplValueError } from './errors';

/**
 * SPL written by tierzero. Every value that comes from config or data goes through one of the
 * three writers below (DESIGN §11): strings are double-quoted with `\` and `"` escaped, and
 * refused when they hold a backtick (SPL expands macros before it parses quotes) or a control
 * character; field names and numbers are checked against what SPL accepts bare.
 */
export function splString(value: string): string {
  if (/[`\u0000-\u001f\u007f]/.test(value)) throw new SplValueError(`refusing to write ${JSON.stringify(value)} into SPL: backticks and control characters cannot be escaped`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function splField(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new SplValueError(`refusing ${JSON.stringify(name)} as an SPL field name`);
  return name;
}

/** A field name inside `eval`, where `.` concatenates: dotted names go in single quotes. */
export function splEvalField(name: string): string {
  const f = splField(name);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(f) ? f : `'${f}'`;
}

export function splInt(n: number): string {
  if (!Number.isSafeInteger(n)) throw new SplValueError(`refusing ${String(n)} as an SPL integer`);
  return String(n);
}

/** The macros the Splunk app defines (macros.conf), as ESCU puts index names behind macros. */
export const WINDOWS_INDEX_MACRO = 'tierzero_windows_index';
export const ENTRA_INDEX_MACRO = 'tierzero_entra_index';

/** The Windows TA's `source` prefixes: XML rendering and classic. */
export const WINDOWS_SOURCE_PREFIXES = ['XmlWinEventLog', 'WinEventLog'] as const;
/** The Microsoft Cloud Services add-on's sourcetype for Entra logs from Event Hub. */
export const ENTRA_SOURCETYPE = 'azure:monitor:aad';

/**
 * The `category` values the Event Hub input writes for each Entra table: interactive and
 * non-interactive sign-ins, and directory audit records (research/platforms.md, Entra in Splunk).
 */
const ENTRA_CATEGORIES: Readonly<Record<CloudTable, readonly string[]>> = {
  SigninLogs: ['SignInLogs', 'NonInteractiveUserSignInLogs'],
  AuditLogs: ['AuditLogs'],
};

/**
 * The pull search's base filter: which events, from which indexes (the `search` clause alone,
 * so a count query over the same events — `doctor` — can reuse it). A source's `where` is pushed
 * down where plain terms can say it (`pullCondition` below); what they cannot say only returns more.
 */
export function compilePullFilter(plan: PullPlan, s: SearchSettings): string {
  const clauses: string[] = [];
  const perChannel: string[] = [];
  const categories: string[] = [];
  for (const p of plan.sources) {
    if (p.source.kind === 'windows') {
      const channel = p.source.channel;
      const sources = WINDOWS_SOURCE_PREFIXES.map((prefix) => `source=${splString(`${prefix}:${channel}`)}`).join(' OR ');
      const condition = p.where ? pullCondition(p.where, channel, p.source.eventIds) : undefined;
      perChannel.push(`((${sources}) EventCode IN (${p.source.eventIds.map(splInt).join(', ')})${condition ? ` ${condition}` : ''})`);
    } else {
      categories.push(...ENTRA_CATEGORIES[p.source.table]);
    }
  }
  if (perChannel.length) clauses.push(`(${indexes(s.windowsIndexes, WINDOWS_INDEX_MACRO)} (${perChannel.join(' OR ')}))`);
  if (categories.length) clauses.push(`(${indexes(s.entraIndexes, ENTRA_INDEX_MACRO)} sourcetype=${splString(ENTRA_SOURCETYPE)} category IN (${categories.map(splString).join(', ')}))`);
  if (clauses.length === 0) throw new SplValueError('no enabled detector needs any event: nothing to search for');
  return clauses.join(' OR ');
}

/**
 * The pull search: the plan's events and fields only, in event-time order (ties by record
 * number) so the engine sees each DC's events as they happened. Audit records keep their raw
 * JSON (audit-map.ts says why); every other event drops `_raw`.
 */
export function compilePullSearch(plan: PullPlan, s: SearchSettings): string {
  const audit = plan.sources.some((p) => p.source.kind === 'cloud' && p.source.table === 'AuditLogs');
  const keep = ['_time', '_bkt', '_cd', 'tz_indextime', 'host', 'source', 'sourcetype', ...splunkFields(plan)].map(splField);
  return [
    `search ${compilePullFilter(plan, s)}`,
    'eval tz_indextime=_indextime',
    ...(audit ? [`eval ${splField(AUDIT_RAW_FIELD)}=if(sourcetype==${splString(ENTRA_SOURCETYPE)} AND category==${splString('AuditLogs')}, _raw, null())`] : []),
    `fields ${keep.join(' ')}`,
    'fields - _raw',
    'sort 0 _time EventRecordID RecordNumber',
  ].join(' | ');
}

/**
 * `doctor --config`'s coverage count: the pull search's own filter, counted per channel and
 * EventID in one pushed-down search, so it measures what `tierzero run` would pull. Plain
 * `stats` (not `tstats`): EventCode is a search-time field of the Windows TA, not an indexed
 * one. Entra sign-ins carry no EventCode; `fillnull` keeps them, as stats drops null groups.
 */
export function compileCoverageSearch(plan: PullPlan, s: SearchSettings): string {
  return [`search ${compilePullFilter(plan, s)}`, 'fillnull value=0 EventCode', 'stats count by sourcetype source EventCode'].join(' | ');
}

/**
 * A pull source's `where` (the pull plan's necessary condition) as search terms, so Splunk leaves
 * out what no use of those events reads (5140 opens of shares other than print$, Sysmon registry
 * writes other than one value). Only what plain `field=value` terms say exactly is compiled —
 * equality lists and prefix / suffix / contains as wildcards — on the XML field and its classic
 * TA label; anything else compiles to nothing, which only pulls more (the engine decides).
 */
export function pullCondition(where: Predicate, channel: WindowsChannel, eventIds: readonly number[]): string | undefined {
  switch (where.op) {
    case 'and': {
      const parts = where.of.map((p) => pullCondition(p, channel, eventIds)).filter((t): t is string => t !== undefined);
      return parts.length ? `(${parts.join(' ')})` : undefined;
    }
    case 'or': {
      const parts = where.of.map((p) => pullCondition(p, channel, eventIds));
      return parts.every((t): t is string => t !== undefined) ? `(${parts.join(' OR ')})` : undefined;
    }
    case 'in': return terms(where.field, channel, eventIds, where.values.map(String));
    case 'prefix': return wildcard(where.value) ? terms(where.field, channel, eventIds, [`${where.value}*`]) : undefined;
    case 'suffix': return wildcard(where.value) ? terms(where.field, channel, eventIds, [`*${where.value}`]) : undefined;
    case 'contains': return wildcard(where.value) ? terms(where.field, channel, eventIds, [`*${where.value}*`]) : undefined;
    default: return undefined;
  }
}

/** `(ShareName IN ("*\\print$") OR Share_Name IN (…))`: the canonical name, and the classic label where it differs. */
function terms(field: string, channel: WindowsChannel, eventIds: readonly number[], values: readonly string[]): string | undefined {
  if (values.some((v) => v.includes('*') && !v.startsWith('*') && !v.endsWith('*'))) return undefined;
  const names = [field, ...classicLabels(field, channel, eventIds)];
  return `(${[...new Set(names)].map((n) => `${splField(n)} IN (${values.map(splString).join(', ')})`).join(' OR ')})`;
}

/** A `*` inside a value would be read as a wildcard: such values are not compiled. */
function wildcard(value: string): boolean {
  return !value.includes('*');
}

function classicLabels(field: string, channel: WindowsChannel, eventIds: readonly number[]): string[] {
  const layouts = channel === 'Security' ? CLASSIC_LAYOUTS : channel === 'System' ? CLASSIC_SYSTEM_LAYOUTS : {};
  const out: string[] = [];
  for (const id of eventIds) for (const sec of layouts[id]?.sections ?? []) for (const it of sec.items) if (it.field === field) out.push(taFieldName(it.label));
  return out;
}

/** Which of `ids` the alert index already holds: the sink skips them on a replayed pass. */
export function compileIndexedAlertsSearch(index: string, sourcetype: string, ids: readonly string[]): string {
  const list = ids.map((id) => {
    if (!/^tz-[0-9a-f]{8,64}$/.test(id)) throw new SplValueError(`refusing ${JSON.stringify(id)} as an alert id`);
    return splString(id);
  });
  return `search index=${splString(index)} sourcetype=${splString(sourcetype)} alert_id IN (${list.join(', ')}) | fields alert_id | dedup alert_id`;
}

function indexes(list: readonly string[] | undefined, macro: string): string {
  if (list === undefined) return `\`${macro}\``;
  return `index IN (${list.map(splString).join(', ')})`;
}
