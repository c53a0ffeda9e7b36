import type { PullPlan, PullSource } from '../../core/rules/pull-plan';
import type { Predicate, WindowsChannel } from '../../core/rules/tree';
import { KqlValueError } from './errors';
import { columnAccess, securityEventAccess, WINDOWS_EVENT_RECORD_ID_EXPR, windowsEventAccess } from './field-access';
import { compilePredicate, kqlDatetime, kqlLong, kqlName, kqlString, type FieldAccess } from './kql';
import { columnType, type SignInTable, type TableName, type WindowsTable } from './tables';

/**
 * KQL for the pull plan (core/rules/pull-plan.ts), over the tables Sentinel's connectors fill:
 * - Windows events: `SecurityEvent` (the Security log, via the Windows Security Events
 *   connector) and `WindowsEvent` (any channel, via Windows Forwarded Events), one `union`;
 * - Entra sign-ins: `SigninLogs` and `AADNonInteractiveUserSignInLogs`, one `union`;
 * - Entra directory audit: `AuditLogs`.
 * Each family is its own query (their columns have nothing in common); the source merges
 * their rows by time. Every query reads one slice of *ingestion* time, `[from, to)` on
 * `ingestion_time()` — not event time, because agents deliver late (research/platforms.md
 * §3.1) — with the plan's EventIDs and conditions pushed down, projects only what the field
 * map reads, and sorts by event time, ties by the record's `_ItemId`, so a slice reads the
 * same way twice.
 */
export interface PullSettings {
  /** The Windows tables this workspace fills; a table it lacks is skipped (`union isfuzzy=true`). */
  readonly windowsTables: readonly WindowsTable[];
  readonly signInTables: readonly SignInTable[];
}

export const DEFAULT_PULL_SETTINGS: PullSettings = {
  windowsTables: ['SecurityEvent', 'WindowsEvent'],
  signInTables: ['SigninLogs', 'AADNonInteractiveUserSignInLogs'],
};

/** A half-open slice of ingestion time, epoch milliseconds. */
export interface IngestionSlice {
  readonly from: number;
  readonly to: number;
}

export type QueryFamily = 'windows' | 'signin' | 'audit';

export interface PullQuery {
  readonly family: QueryFamily;
  readonly tables: readonly TableName[];
  readonly text: string;
}

/** The column every pulled row carries with its ingestion time (the checkpoint is on it). */
export const INGESTED_COLUMN = 'TzIngested';
/**
 * The source table of a row, as a constant column of each branch: `union withsource=` names a
 * parenthesised branch `union_arg0`…, not by its table.
 */
export const TABLE_COLUMN = 'TzTable';
/** SecurityEvent's `EventData` XML and WindowsEvent's dynamic `EventData`, renamed apart (a union cannot hold one name with two types). */
export const EVENT_XML_COLUMN = 'EventXml';
export const EVENT_BAG_COLUMN = 'EventBag';

/** The pull queries for one slice. */
export function pullQuery(plan: PullPlan, settings: PullSettings, slice: IngestionSlice): PullQuery[] {
  if (!(slice.to > slice.from)) throw new KqlValueError(`empty ingestion slice ${slice.from}..${slice.to}`);
  const out: PullQuery[] = [];
  const ingested = `ingestion_time() >= ${kqlDatetime(slice.from)} and ingestion_time() < ${kqlDatetime(slice.to)}`;
  const windows = windowsBranches(plan, settings, ingested, 'pull');
  if (windows.length) out.push({ family: 'windows', tables: windows.map((b) => b.table), text: unionOf(windows.map((b) => b.text)) });
  const signIn = plan.sources.find((s) => s.source.kind === 'cloud' && s.source.table === 'SigninLogs');
  if (signIn && settings.signInTables.length) {
    const branches = settings.signInTables.map((t) => cloudBranch(t, signIn, ingested));
    out.push({ family: 'signin', tables: settings.signInTables, text: unionOf(branches) });
  }
  const audit = plan.sources.find((s) => s.source.kind === 'cloud' && s.source.table === 'AuditLogs');
  if (audit) out.push({ family: 'audit', tables: ['AuditLogs'], text: unionOf([cloudBranch('AuditLogs', audit, ingested)]) });
  if (out.length === 0) throw new KqlValueError('no enabled detector needs any event: nothing to query');
  return out;
}

/**
 * `doctor --config`'s coverage: the pull's own filters over `[since, until)` of event time,
 * counted in the workspace per table, channel and EventID in one query (each branch
 * summarises before the union, so only counts come back). Entra rows count as their table
 * with EventID 0, as the platform contract says.
 */
export function coverageQuery(plan: PullPlan, settings: PullSettings, since: number, until: number): string {
  const time = `TimeGenerated >= ${kqlDatetime(since)} and TimeGenerated < ${kqlDatetime(until)}`;
  const branches = windowsBranches(plan, settings, time, 'coverage').map((b) => b.text);
  for (const s of plan.sources) {
    if (s.source.kind !== 'cloud') continue;
    const tables: readonly TableName[] = s.source.table === 'SigninLogs' ? settings.signInTables : ['AuditLogs'];
    for (const t of tables) {
      const where = s.where ? compilePredicate(s.where, columnAccess(t), 'necessary') : undefined;
      branches.push(`(${t} | where ${time}${where ? ` | where ${where}` : ''} | summarize Count = count() by ${TABLE_COLUMN} = ${kqlString(t)}, Channel = ${kqlString(s.source.table)}, EventID = int(0))`);
    }
  }
  if (branches.length === 0) throw new KqlValueError('no enabled detector needs any event: nothing to count');
  return `union isfuzzy=true ${branches.join(', ')} | project ${TABLE_COLUMN}, Channel, EventID, Count | order by ${TABLE_COLUMN} asc, Channel asc, EventID asc`;
}

function unionOf(branches: readonly string[]): string {
  return `union isfuzzy=true ${branches.join(', ')} | order by TimeGenerated asc, _ItemId asc`;
}

interface Branch {
  readonly table: WindowsTable;
  readonly text: string;
}

/** The Windows branches: SecurityEvent for the Security channel's sources, WindowsEvent for every channel's. */
function windowsBranches(plan: PullPlan, settings: PullSettings, time: string, purpose: 'pull' | 'coverage'): Branch[] {
  const sources = plan.sources.filter((s): s is PullSource & { source: { kind: 'windows'; channel: WindowsChannel; eventIds: readonly number[] } } => s.source.kind === 'windows');
  const out: Branch[] = [];
  for (const table of settings.windowsTables) {
    const mine = table === 'SecurityEvent' ? sources.filter((s) => s.source.channel === 'Security') : sources;
    if (mine.length === 0) continue;
    const access = table === 'SecurityEvent' ? securityEventAccess : windowsEventAccess;
    const ids = [...new Set(mine.flatMap((s) => s.source.eventIds))].sort((a, b) => a - b);
    const perSource = mine.map((s) => sourceCondition(table, s.source.channel, s.source.eventIds, s.where, access));
    const where = perSource.length === 1 ? perSource[0] : `(${perSource.join(' or ')})`;
    const head = `${table} | where ${time} | where EventID in (${ids.map(kqlLong).join(', ')}) | where ${where}`;
    const tail = purpose === 'coverage'
      ? `summarize Count = count() by ${TABLE_COLUMN} = ${kqlString(table)}, Channel = ${table === 'SecurityEvent' ? `iff(isempty(Channel), ${kqlString('Security')}, Channel)` : 'Channel'}, EventID`
      : `project ${projection(table, mine).join(', ')}`;
    out.push({ table, text: `(${head} | ${tail})` });
  }
  return out;
}

function sourceCondition(table: WindowsTable, channel: WindowsChannel, eventIds: readonly number[], where: Predicate | undefined, access: FieldAccess): string {
  const parts: string[] = [];
  // SecurityEvent is the Security log: its rows need no channel test.
  if (table === 'WindowsEvent') parts.push(`Channel =~ ${kqlString(channel)}`);
  parts.push(`EventID in (${eventIds.map(kqlLong).join(', ')})`);
  const pushed = where ? compilePredicate(where, access, 'necessary') : undefined;
  if (pushed) parts.push(pushed);
  return `(${parts.join(' and ')})`;
}

/**
 * What the field map reads of each Windows row: the System fields, the EventData (XML or
 * bag), and on SecurityEvent the plan's fields that have a typed column — read when the XML
 * lacks them (older agents fill the typed columns and leave `EventData` empty).
 */
function projection(table: WindowsTable, sources: readonly PullSource[]): string[] {
  const common = [`${TABLE_COLUMN} = ${kqlString(table)}`, 'TimeGenerated', 'Computer', 'Channel', 'EventID'];
  const tail = ['_ItemId', `${INGESTED_COLUMN} = ingestion_time()`];
  if (table === 'WindowsEvent') {
    return [...common, 'TimeCreated', 'Provider', 'SystemUserId', `EventRecordID = ${WINDOWS_EVENT_RECORD_ID_EXPR}`, `${EVENT_BAG_COLUMN} = EventData`, ...tail];
  }
  const header = new Set([...common, 'EventData', 'EventSourceName', ...tail]);
  const typed = [...new Set(sources.flatMap((s) => s.fields))].filter((f) => !header.has(f) && columnType('SecurityEvent', f) !== undefined).sort();
  return [...common, 'EventSourceName', `${EVENT_XML_COLUMN} = EventData`, ...typed.map(kqlName), ...tail];
}

/** An Entra branch: the plan's columns that this table has; JSON-text columns parsed, so both sign-in tables union with one type. */
function cloudBranch(table: 'SigninLogs' | 'AADNonInteractiveUserSignInLogs' | 'AuditLogs', s: PullSource, ingested: string): string {
  const where = s.where ? compilePredicate(s.where, columnAccess(table), 'necessary') : undefined;
  const cols = [...new Set(['TimeGenerated', ...s.fields])].filter((f) => columnType(table, f) !== undefined).sort();
  const dynamicInSignIn = (c: string): boolean => columnType('SigninLogs', c) === 'dynamic';
  const project = cols.map((c) => (table === 'AADNonInteractiveUserSignInLogs' && dynamicInSignIn(c) && columnType(table, c) === 'string' ? `${kqlName(c)} = parse_json(${kqlName(c)})` : kqlName(c)));
  return `(${table} | where ${ingested}${where ? ` | where ${where}` : ''} | project ${[`${TABLE_COLUMN} = ${kqlString(table)}`, ...project, '_ItemId', `${INGESTED_COLUMN} = ingestion_time()`].join(', ')})`;
}
