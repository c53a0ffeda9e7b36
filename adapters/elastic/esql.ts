import type { RuleParams } from '../../core/rules/evaluate';
import { codeTexts, fieldsOf, settingTexts, type Branch, type NativeQuery, type Predicate, type RuleSource } from '../../core/rules/tree';
import { hexBitsRegex, luceneLiteral, luceneRegex } from './lucene-regex';
import { branchPaths, cloudDataset, sourceIndices } from './native-fields';

/**
 * An aggregating native query (a count, or a distinct count, per key over a window) as ES|QL
 * (Elasticsearch ES|QL reference), for Kibana's `esql` rule type: one alert per result row.
 * ES|QL rather than the `threshold` type because the tree's aggregation needs what threshold
 * cannot do: group keys compared ignoring case (`TO_LOWER`), and keys that are the first
 * present of several fields (brute force's source: address, else workstation, else host) via
 * `COALESCE`. The tree's semantics are kept field by field:
 * - each canonical field is the first present of its read paths (field-map.ts), with "" and
 *   "-" counted absent, and multi-valued ECS arrays joined with a space as the field map does;
 * - every leaf is `(f IS NOT NULL AND …)`, so an absent field makes it false and `NOT` true
 *   (ES|QL's three-valued logic would otherwise drop the row);
 * - text compares lower-cased; regexes are Lucene regexes spelt in both cases (`RLIKE` has no
 *   case-insensitive form).
 * The window is the rule's look-back (native-rules.ts sets `from`): ES|QL counts over what the
 * run sees, not a sliding window; the schedule makes every window of `window` minutes fall
 * inside some run.
 */
export function esqlQuery(q: NativeQuery, params: RuleParams): string {
  const agg = q.aggregate;
  if (!agg) throw new Error(`${q.name}: ES|QL rules here are for aggregations`);
  const indices = [...new Set(q.match.flatMap((b) => sourceIndices(b.source)))];
  const fields = fieldsOf(q);
  const paths = [...new Set(fields.flatMap((f) => readPaths(f, q.match)))];
  const stages = [
    `FROM ${indices.join(', ')}`,
    `WHERE ${q.match.map((b) => `(${sourceCondition(b.source)})`).join(' OR ')}`,
    // Each path once as text (ip and numbers too: the canonical record holds text; COALESCE takes one type).
    `EVAL ${paths.map((p, i) => `tzp${i} = MV_CONCAT(TO_STRING(${esqlField(p)}), " ")`).join(', ')}`,
    `EVAL ${fields.map((f) => `${column(f)} = ${canonicalValue(f, q.match, paths)}`).join(', ')}`,
    `WHERE ${q.match.map((b) => `(${branch(b, params)})`).join(' OR ')}`,
    `EVAL ${q.outputs.map((o) => `${o.name} = TO_LOWER(${o.fields.length === 1 ? column(o.fields[0] as string) : `COALESCE(${o.fields.map(column).join(', ')})`})`).join(', ')}`,
    `WHERE ${agg.by.map((b) => `${b} IS NOT NULL`).join(' AND ')}`,
  ];
  const measure = agg.distinct === undefined ? 'COUNT(*)' : `COUNT_DISTINCT(${agg.distinct})`;
  const others = q.outputs.filter((o) => !agg.by.includes(o.name) && o.name !== agg.distinct).map((o) => `${o.name} = VALUES(${o.name})`);
  const distinctValues = agg.distinct === undefined ? [] : [`${agg.distinct} = VALUES(${agg.distinct})`];
  stages.push(
    `STATS ${['tz_count = ' + measure, 'tz_first = MIN(`@timestamp`)', 'tz_last = MAX(`@timestamp`)', ...distinctValues, ...others].join(', ')} BY ${agg.by.join(', ')}`,
    `WHERE tz_count >= ${String(threshold(params, agg.threshold))}`,
  );
  return stages.join('\n| ');
}

function threshold(params: RuleParams, name: string): number {
  const v = params.thresholds[name];
  if (v === undefined) throw new Error(`native rule names threshold ${name}, which the detector's settings lack`);
  return v;
}

export function sourceCondition(s: RuleSource): string {
  if (s.kind === 'cloud') return `event.dataset == ${esqlString(cloudDataset(s.table))}`;
  return `TO_LOWER(winlog.channel) == ${esqlString(s.channel.toLowerCase())} AND event.code IN (${s.eventIds.map((id) => esqlString(String(id))).join(', ')})`;
}

/** `tz_<Field>`: the canonical field's column (names as the tree spells them, made identifier-safe). */
function column(field: string): string {
  return `tz_${field.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The field's read paths over every branch's events, in the field map's order. */
function readPaths(field: string, branches: readonly Branch[]): string[] {
  const out: string[] = [];
  for (const b of branches) for (const fp of branchPaths(field, b.source)) if (!out.includes(fp.path)) out.push(fp.path);
  return out;
}

/** The first present of the field's paths (`tzp<n>`, their text), with "" and "-" absent. */
function canonicalValue(field: string, branches: readonly Branch[], all: readonly string[]): string {
  const texts = readPaths(field, branches).map((p) => {
    const v = `tzp${all.indexOf(p)}`;
    return `CASE(${v} IN ("", "-"), NULL, ${v})`;
  });
  return texts.length === 1 ? (texts[0] as string) : `COALESCE(${texts.join(', ')})`;
}

function branch(b: Branch, params: RuleParams): string {
  const src = sourceCondition(b.source);
  return b.where ? `${src} AND ${predicate(b.where, params)}` : src;
}

function predicate(p: Predicate, params: RuleParams): string {
  switch (p.op) {
    case 'not': return `NOT (${predicate(p.of, params)})`;
    case 'and': return `(${p.of.map((x) => predicate(x, params)).join(' AND ')})`;
    case 'or': return `(${p.of.map((x) => predicate(x, params)).join(' OR ')})`;
    case 'exists': return `${column(p.field)} IS NOT NULL`;
    default: break;
  }
  const f = column(p.field);
  const lower = `TO_LOWER(${f})`;
  const test = ((): string => {
    switch (p.op) {
      case 'in': return inList(lower, p.values.map((v) => String(v).toLowerCase()));
      case 'code': return inList(lower, p.codes.flatMap(codeTexts));
      case 'in_setting': {
        const texts = [...new Set(params.settings[p.setting].flatMap(settingTexts).map((t) => t.toLowerCase()))];
        if (texts.length === 0) return 'FALSE';
        return p.form === 'exact' ? inList(lower, texts) : `(${texts.map((t) => `${lower} LIKE ${esqlString(`${likeLiteral(`cn=${t},`)}*`)}`).join(' OR ')})`;
      }
      case 'prefix': return `${lower} LIKE ${esqlString(`${likeLiteral(p.value.toLowerCase())}*`)}`;
      case 'suffix': return `${lower} LIKE ${esqlString(`*${likeLiteral(p.value.toLowerCase())}`)}`;
      case 'contains': return `${lower} LIKE ${esqlString(`*${likeLiteral(p.value.toLowerCase())}*`)}`;
      case 'regex': return `${f} RLIKE ${esqlString(luceneRegex(p.pattern, true))}`;
      case 'bits': return `${f} RLIKE ${esqlString(hexBitsRegex(p.mask))}`;
      case 'cidr': return `CIDR_MATCH(TO_IP(${f}), ${p.cidrs.map(esqlString).join(', ')})`;
      case 'compare': return `TO_DOUBLE(${f}) ${p.cmp} ${String(p.value)}`;
    }
  })();
  // Keeps an absent field's leaf false, not null, so NOT of it holds (tree semantics).
  return `(${f} IS NOT NULL AND ${test})`;
}

function inList(expr: string, values: readonly string[]): string {
  return values.length === 1 ? `${expr} == ${esqlString(values[0] as string)}` : `${expr} IN (${values.map(esqlString).join(', ')})`;
}

/** A literal inside a LIKE pattern: `*` and `?` are wildcards, `\` escapes them (ES|QL LIKE). */
function likeLiteral(s: string): string {
  return s.replace(/[\\*?]/g, '\\$&');
}

/** An ES|QL string literal: double quotes, `\\`, `\"`, `\n`, `\r`, `\t` escaped. */
export function esqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** A column name: dotted identifiers bare; `@timestamp` and anything else in backquotes, a backquote doubled. */
export function esqlField(path: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path) ? path : `\`${path.replace(/`/g, '``')}\``;
}

export { luceneLiteral };
