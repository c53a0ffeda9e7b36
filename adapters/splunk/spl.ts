import type { SearchSettings } from './config';
import { SplValueError } from './errors';
import type { PushDown } from './pushdown';

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

/** Entra sign-in categories the Event Hub input writes (interactive and non-interactive). */
const SIGN_IN_CATEGORIES = ['SignInLogs', 'NonInteractiveUserSignInLogs'];

/**
 * The pull search: the enabled detectors' events and fields only, in event-time order (ties by
 * record number) so the engine sees each DC's events as they happened.
 */
export function compilePullSearch(p: PushDown, s: SearchSettings): string {
  const keep = ['_time', '_bkt', '_cd', 'tz_indextime', 'host', 'source', 'sourcetype', ...p.fields].map(splField);
  return [
    pullFilter(p, s),
    'eval tz_indextime=_indextime',
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
export function compileCoverageSearch(p: PushDown, s: SearchSettings): string {
  return [pullFilter(p, s), 'fillnull value=0 EventCode', 'stats count by sourcetype source EventCode'].join(' | ');
}

/** The channels and EventIDs the enabled detectors need, from the indexes that hold them. */
function pullFilter(p: PushDown, s: SearchSettings): string {
  const clauses: string[] = [];
  if (p.windows.length) {
    const perChannel = p.windows.map((w) => {
      const sources = WINDOWS_SOURCE_PREFIXES.map((prefix) => `source=${splString(`${prefix}:${w.channel}`)}`).join(' OR ');
      return `((${sources}) EventCode IN (${w.eventIds.map(splInt).join(', ')}))`;
    });
    clauses.push(`(${indexes(s.windowsIndexes, WINDOWS_INDEX_MACRO)} (${perChannel.join(' OR ')}))`);
  }
  if (p.signIns) {
    clauses.push(`(${indexes(s.entraIndexes, ENTRA_INDEX_MACRO)} sourcetype=${splString(ENTRA_SOURCETYPE)} category IN (${SIGN_IN_CATEGORIES.map(splString).join(', ')}))`);
  }
  if (clauses.length === 0) throw new SplValueError('no enabled detector needs any event: nothing to search for');
  return `search ${clauses.join(' OR ')}`;
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
