import { compileAddresses } from '../config/cidr';
import { codeTexts, settingTexts, type Branch, type NativeQuery, type OutputName, type Predicate, type SettingList } from './tree';

/**
 * The reference semantics of the query tree (tree.ts), over canonical raw records. The native
 * rule packs are compiled from the same tree; this evaluator is what the tests hold each
 * detector and each compiler to.
 */

export type RawRecord = Readonly<Record<string, unknown>>;

/** What a native rule would raise: one result per key (and per burst, for aggregations). */
export interface NativeResult {
  readonly keys: Readonly<Partial<Record<OutputName, string>>>;
  readonly count: number;
  readonly firstTime: number;
  readonly lastTime: number;
}

export interface RuleParams {
  readonly thresholds: Readonly<Record<string, number>>;
  readonly settings: Readonly<Record<SettingList, readonly string[]>>;
}

/** Records must be in time order (as sources deliver them); unparseable times never match. */
export function evaluateQuery(q: NativeQuery, records: Iterable<RawRecord>, params: RuleParams): NativeResult[] {
  const hits: { keys: Partial<Record<OutputName, string>>; time: number }[] = [];
  for (const r of records) {
    if (!q.match.some((b) => branchMatches(b, r, params))) continue;
    const time = recordTime(r);
    if (time === undefined) continue;
    const keys: Partial<Record<OutputName, string>> = {};
    for (const o of q.outputs) {
      const v = firstPresent(r, o.fields);
      if (v !== undefined) keys[o.name] = v.toLowerCase();
    }
    hits.push({ keys, time });
  }
  if (!q.aggregate) return hits.map((h) => ({ keys: h.keys, count: 1, firstTime: h.time, lastTime: h.time }));
  return aggregate(q, hits, params);
}

function aggregate(q: NativeQuery, hits: readonly { keys: Partial<Record<OutputName, string>>; time: number }[], params: RuleParams): NativeResult[] {
  const agg = q.aggregate as NonNullable<NativeQuery['aggregate']>;
  const threshold = param(params, agg.threshold);
  const windowMs = param(params, agg.window) * 60_000;
  const groups = new Map<string, typeof hits[number][]>();
  for (const h of hits) {
    // A result without one of its keys cannot be grouped (SPL `stats … by` drops it too).
    if (agg.by.some((b) => h.keys[b] === undefined)) continue;
    const key = agg.by.map((b) => h.keys[b]).join('\u0000');
    const list = groups.get(key) ?? [];
    list.push(h);
    groups.set(key, list);
  }
  const out: NativeResult[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a.time - b.time);
    // Sliding window: the result is the longest burst in which the measure reached the threshold.
    let start = 0;
    let fired: NativeResult | undefined;
    for (let end = 0; end < list.length; end++) {
      const endTime = (list[end] as typeof list[number]).time;
      while (endTime - (list[start] as typeof list[number]).time > windowMs) start++;
      const window = list.slice(start, end + 1);
      const measure = agg.distinct === undefined ? window.length : new Set(window.map((h) => h.keys[agg.distinct as OutputName]).filter((v) => v !== undefined)).size;
      if (measure < threshold) continue;
      const first = (list[start] as typeof list[number]).time;
      if (fired && first <= fired.lastTime + windowMs) {
        fired = { ...fired, count: Math.max(fired.count, measure), lastTime: endTime };
      } else {
        if (fired) out.push(fired);
        fired = { keys: pick((list[0] as typeof list[number]).keys, agg.by), count: measure, firstTime: first, lastTime: endTime };
      }
    }
    if (fired) out.push(fired);
  }
  return out;
}

function pick(keys: Partial<Record<OutputName, string>>, by: readonly OutputName[]): Partial<Record<OutputName, string>> {
  const out: Partial<Record<OutputName, string>> = {};
  for (const b of by) if (keys[b] !== undefined) out[b] = keys[b];
  return out;
}

function param(params: RuleParams, name: string): number {
  const v = params.thresholds[name];
  if (v === undefined) throw new Error(`native rule names threshold ${name}, which the detector's settings lack`);
  return v;
}

export function branchMatches(b: Branch, r: RawRecord, params: RuleParams): boolean {
  if (!sourceMatches(b, r)) return false;
  return b.where === undefined || holds(b.where, r, params);
}

function sourceMatches(b: Branch, r: RawRecord): boolean {
  const s = b.source;
  if (s.kind === 'cloud') return cloudTable(r) === s.table;
  const channel = text(r['Channel']);
  if (channel === undefined || channel.toLowerCase() !== s.channel.toLowerCase()) return false;
  const id = Number(r['EventID']);
  return s.eventIds.includes(id);
}

/** Which Entra table a canonical cloud record came from (its columns say). */
export function cloudTable(r: RawRecord): 'SigninLogs' | 'AuditLogs' | undefined {
  if (r['EventID'] !== undefined) return undefined;
  if (r['OperationName'] !== undefined && r['TargetResources'] !== undefined) return 'AuditLogs';
  if (r['UserPrincipalName'] !== undefined && (r['ResultType'] !== undefined || r['Status'] !== undefined)) return 'SigninLogs';
  return undefined;
}

export function holds(p: Predicate, r: RawRecord, params: RuleParams): boolean {
  switch (p.op) {
    case 'not': return !holds(p.of, r, params);
    case 'and': return p.of.every((x) => holds(x, r, params));
    case 'or': return p.of.some((x) => holds(x, r, params));
    case 'exists': return text(r[p.field]) !== undefined;
    default: break;
  }
  const v = text(r[p.field]);
  if (v === undefined) return false;
  const lower = v.toLowerCase();
  switch (p.op) {
    case 'in': return p.values.some((x) => String(x).toLowerCase() === lower);
    case 'code': return p.codes.some((c) => codeTexts(c).includes(lower));
    case 'in_setting': return params.settings[p.setting].some((x) => settingTexts(x).some((t) => (p.form === 'dn'
      ? lower.startsWith(`cn=${t.toLowerCase()},`)
      : t.toLowerCase() === lower)));
    case 'prefix': return lower.startsWith(p.value.toLowerCase());
    case 'suffix': return lower.endsWith(p.value.toLowerCase());
    case 'contains': return lower.includes(p.value.toLowerCase());
    case 'regex': return new RegExp(p.pattern, 'i').test(v);
    case 'cidr': return compileAddresses(p.cidrs).matches(v);
    case 'compare': {
      const n = Number(v);
      if (!Number.isFinite(n)) return false;
      return p.cmp === '<' ? n < p.value : p.cmp === '<=' ? n <= p.value : p.cmp === '>' ? n > p.value : n >= p.value;
    }
    case 'bits': {
      const n = lower.startsWith('0x') ? Number.parseInt(lower.slice(2), 16) : Number(lower);
      return Number.isInteger(n) && (n & p.mask) !== 0;
    }
  }
}

/** A field's text, as a native search sees it: absent, empty and `-` are all "not there". */
function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  return s === undefined || s === '' || s === '-' ? undefined : s;
}

function firstPresent(r: RawRecord, fields: readonly string[]): string | undefined {
  for (const f of fields) {
    const v = text(r[f]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function recordTime(r: RawRecord): number | undefined {
  const t = Date.parse(String(r['TimeCreated'] ?? r['TimeGenerated'] ?? ''));
  return Number.isFinite(t) ? t : undefined;
}
