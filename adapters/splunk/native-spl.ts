import type { RuleParams } from '../../core/rules/evaluate';
import { codeTexts, fieldsOf, settingTexts, type Branch, type NativeQuery, type Predicate, type RuleSource, type SettingList } from '../../core/rules/tree';
import { CLASSIC_LAYOUTS, CLASSIC_SYSTEM_LAYOUTS, type ClassicLayout } from './classic-layouts';
import { sourceMacro } from './app/macros';
import { SIGN_IN_TA_FIELDS, taFieldName } from './field-map';
import { ENTRA_INDEX_MACRO, splEvalField, splInt, splString, WINDOWS_INDEX_MACRO } from './spl';

/**
 * A native search compiled from a detector's query tree (core/rules/tree.ts), with the tree's
 * semantics kept (evaluate.ts is the reference):
 * - both Windows formats: XmlWinEventLog fields carry the canonical names; for classic
 *   WinEventLog the TA's label fields (`Account_Name`, one value per occurrence in message
 *   order) are put back under the canonical name from the same layout table the pull mapping
 *   uses, so one search serves both;
 * - absent, empty and `-` are all null, so `not` of an absent field is true and a leaf on it false;
 * - string comparisons ignore case; aggregations count in a sliding window (`streamstats
 *   time_window`), not clock-aligned bins.
 * The result rows carry `firstTime`, `lastTime`, `count` and the query's outputs (`user`, `src`,
 * `dest`, `object`, lower-cased): what the saved-search wrapper (app/native-searches.ts) labels
 * and turns into notables and risk. No `$` is written into the search: Splunk reads `$name$`
 * as a token in some dispatch paths.
 */
export interface CompiledNative {
  /** From the index macro to the table of results; the saved-search wrapper adds labels. */
  readonly search: string;
  /** Minutes the search must look back to see a whole window. */
  readonly windowMinutes: number;
}

export function compileNativeSearch(q: NativeQuery, params: RuleParams): CompiledNative {
  const fields = fieldsOf(q);
  const windows = q.match.filter((b) => b.source.kind === 'windows');
  const cloud = q.match.filter((b) => b.source.kind === 'cloud');
  const bases: string[] = [];
  if (windows.length) bases.push(`(\`${WINDOWS_INDEX_MACRO}\` (${[...new Set(windows.map((b) => baseTerm(b.source, windows)))].join(' OR ')}))`);
  if (cloud.length) bases.push(`(\`${ENTRA_INDEX_MACRO}\` sourcetype="azure:monitor:aad" (${[...new Set(cloud.map((b) => baseTerm(b.source, cloud)))].join(' OR ')}))`);
  const stages = [
    `search ${bases.join(' OR ')}`,
    `eval ${fields.map((f) => `${splEvalField(f)}=${normalised(f, q.match)}`).join(', ')}`,
    `where ${q.match.map((b) => `(${branchCondition(b, params)})`).join(' OR ')}`,
    `eval ${q.outputs.map((o) => `${o.name}=lower(coalesce(${o.fields.map(splEvalField).join(', ')}))`).join(', ')}`,
  ];
  const by = q.aggregate?.by ?? [];
  let windowMinutes = 15;
  if (q.aggregate) {
    const a = q.aggregate;
    windowMinutes = threshold(params, a.window);
    const measure = a.distinct === undefined ? 'count' : `dc(${a.distinct})`;
    stages.push(
      `where ${by.map((b) => `isnotnull(${b})`).join(' AND ')}`,
      'sort 0 _time',
      `streamstats time_window=${splInt(Math.max(1, Math.round(windowMinutes * 60)))}s ${measure} AS tz_measure BY ${by.join(' ')}`,
      `where tz_measure >= ${splInt(threshold(params, a.threshold))}`,
      `stats max(tz_measure) AS count min(_time) AS firstTime max(_time) AS lastTime ${outputValues(q, by)} BY ${by.join(' ')}`,
    );
  } else {
    stages.push(`eval count=1, firstTime=_time, lastTime=_time`);
  }
  stages.push(`table firstTime lastTime count ${q.outputs.map((o) => o.name).join(' ')}`);
  return { search: stages.join(' | '), windowMinutes };
}

/** The other outputs of a grouped result: every value seen, as `stats values()` gives them. */
function outputValues(q: NativeQuery, by: readonly string[]): string {
  return q.outputs.filter((o) => !by.includes(o.name)).map((o) => `values(${o.name}) AS ${o.name}`).join(' ');
}

function threshold(params: RuleParams, name: string): number {
  const v = params.thresholds[name];
  if (v === undefined) throw new Error(`native rule names threshold ${name}, which the detector's settings lack`);
  return v;
}

/**
 * The indexed-field terms that let Splunk skip everything else before any eval runs: one per
 * channel, with every EventID its branches name.
 */
function baseTerm(s: RuleSource, all: readonly Branch[]): string {
  if (s.kind === 'cloud') return `category IN (${(s.table === 'SigninLogs' ? ['SignInLogs', 'NonInteractiveUserSignInLogs'] : ['AuditLogs']).map(splString).join(', ')})`;
  const ids = [...new Set(all.flatMap((b) => (b.source.kind === 'windows' && b.source.channel === s.channel ? b.source.eventIds : [])))].sort((a, b) => a - b);
  return `(\`${sourceMacro(s.channel)}\` EventCode IN (${ids.map(splInt).join(', ')}))`;
}

function sourceCondition(s: RuleSource): string {
  if (s.kind === 'cloud') return `sourcetype="azure:monitor:aad" AND in(category, ${(s.table === 'SigninLogs' ? ['SignInLogs', 'NonInteractiveUserSignInLogs'] : ['AuditLogs']).map(splString).join(', ')})`;
  return `in(lower(source), ${splString(`xmlwineventlog:${s.channel.toLowerCase()}`)}, ${splString(`wineventlog:${s.channel.toLowerCase()}`)}) AND in(EventCode, ${s.eventIds.map((id) => splString(String(id))).join(', ')})`;
}

function branchCondition(b: Branch, params: RuleParams): string {
  const src = sourceCondition(b.source);
  return b.where ? `${src} AND ${predicate(b.where, params)}` : src;
}

/**
 * A canonical field's value in either Windows format, or the add-on's Entra field, with the
 * tree's "absent" values made null.
 */
function normalised(field: string, branches: readonly Branch[]): string {
  const ta = SIGN_IN_TA_FIELDS[field];
  const candidates = [splEvalField(field)];
  if (ta !== undefined) candidates.push(splEvalField(ta));
  const header = CLASSIC_HEADER[field];
  if (header !== undefined && branches.some((b) => b.source.kind === 'windows')) candidates.push(splEvalField(header));
  const classic = classicExpression(field, branches);
  // A multi-line value's label field holds its first line only: the message text goes first.
  if (classic) candidates.splice(MULTILINE.has(field) ? 0 : candidates.length, 0, classic);
  const value = candidates.length === 1 ? candidates[0] as string : `coalesce(${candidates.join(', ')})`;
  return `nullif(nullif(${value}, ""), "-")`;
}

/** The classic header's names for the System fields (field-map.ts reads them the same way). */
const CLASSIC_HEADER: Readonly<Record<string, string>> = { Computer: 'ComputerName', EventRecordID: 'RecordNumber', UserID: 'Sid' };

/**
 * Values Windows writes over several lines (4662 `Properties` and `AccessList`, 4672
 * `PrivilegeList`, 4698 `TaskContent`): the TA's "Label: value" extraction keeps the first line,
 * so the classic form reads them from `Message` (which the TA extracts whole), up
 * to the blank line that ends the section.
 */
const MULTILINE = new Set(['Properties', 'AccessList', 'PrivilegeList', 'TaskContent', 'TaskContentNew']);

function fromMessage(label: string): string {
  const re = splString(String.raw`(?s)^.*?\n[ \t]*` + escapeRegex(label) + String.raw`:[ \t]*(.*?)(?:\r?\n[ \t]*(?:\r?\n.*)?)?$`);
  // Classic only: an XmlWinEventLog event may carry a rendered Message too, but its field is whole.
  return `if(match(source, "(?i)^WinEventLog:") AND match(Message, ${re}), replace(Message, ${re}, "\\1"), null())`;
}

/** `case(EventCode="4624", mvindex(Account_Name, 1), …)`: where the classic TA puts the field. */
function classicExpression(field: string, branches: readonly Branch[]): string | undefined {
  const cases: string[] = [];
  for (const b of branches) {
    if (b.source.kind !== 'windows') continue;
    const layouts = b.source.channel === 'Security' ? CLASSIC_LAYOUTS : b.source.channel === 'System' ? CLASSIC_SYSTEM_LAYOUTS : {};
    for (const id of b.source.eventIds) {
      const at = placeOf(layouts[id], field);
      if (at === undefined || (at.label === field && !MULTILINE.has(field))) continue;
      const c = `EventCode=${splString(String(id))}, ${MULTILINE.has(field) ? fromMessage(at.text) : `mvindex(${splEvalField(at.label)}, ${splInt(at.index)})`}`;
      if (!cases.includes(c)) cases.push(c);
    }
  }
  return cases.length ? `case(${cases.join(', ')})` : undefined;
}

/** Which TA label field holds `field` in one event's classic message, and which occurrence it is. */
function placeOf(layout: ClassicLayout | undefined, field: string): { label: string; text: string; index: number } | undefined {
  if (!layout) return undefined;
  const seen = new Map<string, number>();
  for (const sec of layout.sections) {
    for (const it of sec.items) {
      const label = taFieldName(it.label);
      const index = seen.get(label) ?? 0;
      seen.set(label, index + 1);
      if (it.field === field) return { label, text: it.label, index };
    }
  }
  return undefined;
}

function predicate(p: Predicate, params: RuleParams): string {
  switch (p.op) {
    case 'not': return `NOT (${predicate(p.of, params)})`;
    case 'and': return `(${p.of.map((x) => predicate(x, params)).join(' AND ')})`;
    case 'or': return `(${p.of.map((x) => predicate(x, params)).join(' OR ')})`;
    case 'exists': return `isnotnull(${splEvalField(p.field)})`;
    default: break;
  }
  const f = splEvalField(p.field);
  const leaf = ((): string => {
    switch (p.op) {
      case 'in': return inList(f, p.values.map((v) => String(v).toLowerCase()));
      case 'code': return inList(f, p.codes.flatMap(codeTexts));
      // A macro, so the site lists its decoys in local/macros.conf without rebuilding the app.
      case 'in_setting': return `\`${settingMacro(p.setting, p.form)}(${f})\``;
      case 'prefix': return `match(${f}, ${splString(`(?i)\\A${escapeRegex(p.value)}`)})`;
      case 'suffix': return `match(${f}, ${splString(`(?i)${escapeRegex(p.value)}\\z`)})`;
      case 'contains': return `match(${f}, ${splString(`(?i)${escapeRegex(p.value)}`)})`;
      case 'regex': {
        if (p.pattern.includes('$')) throw new Error(`regex ${JSON.stringify(p.pattern)}: write \\z for the end, Splunk may read $…$ as a token`);
        return `match(${f}, ${splString(`(?i)${p.pattern}`)})`;
      }
      case 'cidr': return `(${p.cidrs.map((c) => `cidrmatch(${splString(c)}, ${f})`).join(' OR ')})`;
      case 'compare': return `tonumber(${f}) ${p.cmp} ${String(p.value)}`;
      case 'bits': return `bit_and(if(match(${f}, "^0[xX]"), tonumber(substr(${f}, 3), 16), tonumber(${f})), ${splInt(p.mask)}) != 0`;
    }
  })();
  return `(isnotnull(${f}) AND ${leaf})`;
}

/** `tierzero_honeytokens_exact(1)`: the macro a list setting compiles to, by form. */
export function settingMacro(setting: SettingList, form: 'exact' | 'dn'): string {
  return `tierzero_${setting.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_${form}`;
}

/**
 * macros.conf stanzas for the list settings, with the packaged config's values as defaults.
 * An empty list is `false()`: a native search for decoys nobody configured fires on nothing.
 */
export function settingMacros(settings: RuleParams['settings']): Record<string, { args: string; definition: string }> {
  const out: Record<string, { args: string; definition: string }> = {};
  for (const setting of Object.keys(settings) as SettingList[]) {
    const texts = [...new Set(settings[setting].flatMap(settingTexts).map((t) => t.toLowerCase()))];
    out[`${settingMacro(setting, 'exact')}(1)`] = { args: 'field', definition: texts.length ? `in(lower($field$), ${texts.map(splString).join(', ')})` : 'false()' };
    out[`${settingMacro(setting, 'dn')}(1)`] = {
      args: 'field',
      definition: texts.length ? `(${texts.map((t) => `substr(lower($field$), 1, ${splInt(t.length + 4)})=${splString(`cn=${t},`)}`).join(' OR ')})` : 'false()',
    };
  }
  return out;
}

function inList(f: string, values: readonly string[]): string {
  return `in(lower(${f}), ${values.map(splString).join(', ')})`;
}

/** PCRE-escaped; `$` is written as `\\x24` so the search holds no `$` at all. */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^{}()|[\]\\]/g, '\\$&').replace(/\$/g, '\\x24');
}
