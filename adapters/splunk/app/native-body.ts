import type { DetectorDeclaration } from '../../../core/detectors/detector';
import { SIGN_IN_TA_FIELDS } from '../field-map';
import { ENTRA_INDEX_MACRO, splEvalField, splField, splInt, splString, WINDOWS_INDEX_MACRO } from '../spl';
import { sourceMacro } from './macros';
import type { NativeRule } from './native-rules';

/**
 * The detection part of a native search: what `nativeStanza` (native-searches.ts) wraps with
 * the detector's labels, notable, risk and `_filter` macro. This is the one function a rule
 * compiler replaces; the contract is `NativeBody`.
 */
export interface NativeBody {
  /**
   * SPL from the index macro to the detection's last command. One result row per finding,
   * with these fields:
   * - `firstTime`, `lastTime`: epoch seconds of the first and last matching event;
   * - `count`: matching events (or the distinct count the threshold is on);
   * - the entity fields named in `entities`, lower-cased; `user` and `src` single-valued per
   *   row (risk lands on them), `dest` may be multivalue.
   */
  readonly spl: string;
  readonly entities: readonly NativeEntity[];
  /** Which entities are the attacker side and take risk: the keys a threshold counts over. */
  readonly riskOn: readonly ('user' | 'src')[];
  /** Minutes of events one scheduled run must see (the detector's window; 15 when uncounted). */
  readonly windowMinutes: number;
  /** Which add-on's data it reads, for the description. */
  readonly data: 'windows' | 'entra';
}

export type NativeEntity = 'user' | 'src' | 'dest';

export function compileNativeBody(d: DetectorDeclaration, rule: NativeRule): NativeBody {
  const threshold = (name: string): number => {
    const v = d.thresholds[name]?.default;
    if (v === undefined) throw new Error(`native rule for ${d.id} names threshold ${name}, which the declaration lacks`);
    return v;
  };
  const windowMinutes = rule.count ? threshold(rule.count.window) : 15;
  const mapped = (f: string): string => (rule.data === 'entra' ? (SIGN_IN_TA_FIELDS[f] ?? f) : f);
  const field = (f: string): string => splField(mapped(f));
  const terms = rule.match.map((m) => {
    const parts = [
      // Both Windows event formats (XmlWinEventLog and classic WinEventLog) through one macro.
      m.channel !== undefined ? `\`${sourceMacro(m.channel)}\`` : '',
      m.eventIds !== undefined ? `EventCode IN (${m.eventIds.map(splInt).join(', ')})` : '',
      ...Object.entries(m.where ?? {}).map(([f, vs]) => `${field(f)} IN (${vs.map(splString).join(', ')})`),
      ...Object.entries(m.whereNot ?? {}).map(([f, vs]) => `NOT ${field(f)} IN (${vs.map(splString).join(', ')})`),
      m.macro !== undefined ? `\`${m.macro}\`` : '',
    ];
    return `(${parts.filter(Boolean).join(' ')})`;
  });
  const base = rule.data === 'entra'
    ? `\`${ENTRA_INDEX_MACRO}\` sourcetype="azure:monitor:aad" category IN ("SignInLogs", "NonInteractiveUserSignInLogs")`
    : `\`${WINDOWS_INDEX_MACRO}\``;
  const names = rule.by.map((b) => splField(b.name));
  // stats drops rows whose BY field is null: a placeholder keeps them, nullif restores the null.
  const evals = rule.by.map((b) => `${splField(b.name)}=lower(coalesce(${b.fields.map((f) => splEvalField(mapped(f))).join(', ')}, "unknown"))`).join(', ');
  const restore = names.map((n) => `${n}=nullif(${n}, "unknown")`).join(', ');
  // Windows: the reporting host is the destination, and the EventIDs seen say which events fired.
  // Entra: `host` is the Event Hub input's host, which says nothing about the sign-in.
  const windows = rule.data === 'windows';
  const destValues = `${windows && !names.includes('dest') ? ' values(host) AS dest' : ''}${windows ? ' values(EventCode) AS signature_id' : ''}`;
  const entities = [...new Set<NativeEntity>([...names.filter(isEntity), ...(windows ? ['dest' as const] : [])])];
  const head = `${base} (${terms.join(' OR ')}) | eval ${evals}`;
  if (!rule.count) {
    return {
      spl: `${head} | stats count min(_time) AS firstTime max(_time) AS lastTime${destValues} BY ${names.join(' ')} | eval ${restore}`,
      entities,
      riskOn: names.includes('user') ? ['user'] : names.filter((n): n is 'src' => n === 'src'),
      windowMinutes,
      data: rule.data,
    };
  }
  const measure = rule.count.distinct !== undefined ? `dc(${field(rule.count.distinct)})` : 'count';
  return {
    spl: `${head} | bin _time span=${Math.max(1, Math.round(windowMinutes))}m `
      + `| stats ${measure} AS count min(_time) AS firstTime max(_time) AS lastTime${destValues} BY _time ${names.join(' ')} `
      + `| where count >= ${splInt(threshold(rule.count.threshold))} | eval ${restore} | fields - _time`,
    entities,
    riskOn: names.filter((n): n is 'user' | 'src' => n === 'user' || n === 'src'),
    windowMinutes,
    data: rule.data,
  };
}

function isEntity(n: string): n is NativeEntity {
  return n === 'user' || n === 'src' || n === 'dest';
}
