import type { RuleParams } from '../../core/rules/evaluate';
import { codeTexts, settingTexts, type Branch, type NativeQuery, type Predicate, type RuleSource } from '../../core/rules/tree';
import { hexBitsRegex, luceneLiteral, luceneRegex } from './lucene-regex';
import { branchPaths, cloudDataset, type FieldPath } from './native-fields';

/**
 * A single-event native query as EQL (Elasticsearch EQL syntax reference), keeping the tree's
 * semantics (core/rules/tree.ts, evaluate.ts the reference):
 * - strings compare ignoring case: `:` (case-insensitive equality and wildcard match) and
 *   `regex~`; EQL's `==` and `in` are case-sensitive, and KQL has no case-insensitive match on
 *   keyword fields at all, which is why single-event rules are EQL rather than KQL;
 * - a canonical field the field map reads from several paths (a layout that moved it) is
 *   tested on each path, `or`-ed: a document is written in one layout, so at most one is there;
 * - a leaf on an absent field is false and `not` of it true: EQL compiles a filter-only query to
 *   a bool query, where `not` is `must_not` and a missing field matches no term;
 * - `exists` also refuses "" and "-", which the tree counts as absent.
 * Literals that hold a wildcard character (`*`, `?`) or a backslash (the wildcard escape) are
 * compared by an escaped, anchored `regex~` so they stay literal.
 */
export function eqlQuery(q: NativeQuery, params: RuleParams): string {
  if (q.aggregate) throw new Error(`${q.name}: an aggregation is not one EQL event query`);
  return `any where ${q.match.map((b) => `(${branch(b, params)})`).join(' or ')}`;
}

function branch(b: Branch, params: RuleParams): string {
  const src = sourceCondition(b.source);
  return b.where ? `${src} and ${predicate(b.where, b.source, params)}` : src;
}

/** The ECS fields both shippers fill for a Windows event (`event.code` is a string in ECS). */
export function sourceCondition(s: RuleSource): string {
  if (s.kind === 'cloud') return `event.dataset : ${eqlString(cloudDataset(s.table))}`;
  return `winlog.channel : ${eqlString(s.channel)} and event.code : (${s.eventIds.map((id) => eqlString(String(id))).join(', ')})`;
}

function predicate(p: Predicate, source: RuleSource, params: RuleParams): string {
  switch (p.op) {
    case 'not': return `not (${predicate(p.of, source, params)})`;
    case 'and': return `(${p.of.map((x) => predicate(x, source, params)).join(' and ')})`;
    case 'or': return `(${p.of.map((x) => predicate(x, source, params)).join(' or ')})`;
    default: break;
  }
  const paths = branchPaths(p.field, source);
  const tests = paths.map((fp) => leaf(p, fp, params)).filter((t): t is string => t !== undefined);
  if (tests.length === 0) return 'false';
  return tests.length === 1 ? (tests[0] as string) : `(${tests.join(' or ')})`;
}

/** One leaf on one path, or undefined when no value of that path's type can satisfy it. */
function leaf(p: Exclude<Predicate, { op: 'not' | 'and' | 'or' }>, fp: FieldPath, params: RuleParams): string | undefined {
  const f = eqlField(fp.path);
  switch (p.op) {
    case 'exists': return fp.type === 'keyword' ? `(${f} != null and not ${f} : ("", "-"))` : `${f} != null`;
    case 'in': return equals(f, fp, p.values.map(String));
    case 'code': return fp.type === 'long' ? numberIn(f, p.codes) : equals(f, fp, p.codes.flatMap(codeTexts));
    case 'in_setting': {
      const texts = [...new Set(params.settings[p.setting].flatMap(settingTexts))];
      if (texts.length === 0) return undefined;
      return p.form === 'exact' ? equals(f, fp, texts) : keywordOnly(fp, () => anyOf(texts.map((t) => like(f, `cn=${t},`, '*'))) as string);
    }
    case 'prefix': return keywordOnly(fp, () => like(f, p.value, 'prefix'));
    case 'suffix': return keywordOnly(fp, () => like(f, p.value, 'suffix'));
    case 'contains': return keywordOnly(fp, () => like(f, p.value, 'contains'));
    case 'regex': return keywordOnly(fp, () => `${f} regex~ ${eqlString(luceneRegex(p.pattern))}`);
    case 'bits': return keywordOnly(fp, () => `${f} regex ${eqlString(hexBitsRegex(p.mask))}`);
    case 'cidr':
      if (fp.type !== 'ip') throw new Error(`cidr on ${fp.path}: EQL's cidrMatch takes an ip field`);
      return `cidrMatch(${f}, ${p.cidrs.map(eqlString).join(', ')})`;
    case 'compare':
      if (fp.type === 'long') return `${f} ${p.cmp} ${String(p.value)}`;
      return keywordOnly(fp, () => `number(${f}) ${p.cmp} ${String(p.value)}`);
  }
}

function keywordOnly(fp: FieldPath, render: () => string): string | undefined {
  return fp.type === 'keyword' ? render() : undefined;
}

/** Case-insensitive equality with any of `values`, as the path's type allows. */
function equals(f: string, fp: FieldPath, all: readonly string[]): string | undefined {
  // "" and "-" are absent to the tree: a field holding them equals nothing.
  const values = all.filter((v) => v !== '' && v !== '-');
  if (fp.type === 'long') {
    const numbers = values.filter((v) => /^-?\d+$/.test(v)).map(Number);
    return numbers.length ? numberIn(f, numbers) : undefined;
  }
  if (fp.type === 'ip') {
    // cidrMatch takes single addresses too; a value that is no address cannot be in an ip field.
    const ips = values.filter(isIp);
    return ips.length ? `cidrMatch(${f}, ${ips.map(eqlString).join(', ')})` : undefined;
  }
  if (fp.type !== 'keyword') return undefined;
  const plain = values.filter((v) => !/[*?\\]/.test(v));
  const special = values.filter((v) => /[*?\\]/.test(v));
  const parts: string[] = [];
  if (plain.length) parts.push(`${f} : ${plain.length === 1 ? eqlString(plain[0] as string) : `(${plain.map(eqlString).join(', ')})`}`);
  for (const v of special) parts.push(`${f} regex~ ${eqlString(luceneLiteral(v))}`);
  return anyOf(parts);
}

function numberIn(f: string, numbers: readonly number[]): string {
  return numbers.length === 1 ? `${f} == ${String(numbers[0])}` : `${f} in (${numbers.map(String).join(', ')})`;
}

/** A case-insensitive wildcard match for a literal part of the value. */
function like(f: string, literal: string, where: 'prefix' | 'suffix' | 'contains' | '*'): string {
  if (/[*?\\]/.test(literal)) {
    const body = luceneLiteral(literal);
    return `${f} regex~ ${eqlString(where === 'suffix' ? `.*${body}` : where === 'contains' ? `.*${body}.*` : `${body}.*`)}`;
  }
  const pattern = where === 'suffix' ? `*${literal}` : where === 'contains' ? `*${literal}*` : `${literal}*`;
  return `${f} : ${eqlString(pattern)}`;
}

function anyOf(parts: readonly string[]): string | undefined {
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' or ')})`;
}

function isIp(v: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(v) || (v.includes(':') && /^[0-9a-f:.]+$/i.test(v));
}

/**
 * An EQL string literal: double quotes, with `\\`, `\"` and the control characters escaped
 * (Elasticsearch EQL syntax, "Escape characters": \n \r \t \" \\ and \u{…}).
 */
export function eqlString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += c;
  }
  return `${out}"`;
}

/**
 * A field name as EQL takes it: dotted identifiers bare, anything else (`@timestamp`, a name
 * with a space or a dash) in backquotes, a backquote doubled.
 */
export function eqlField(path: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path) ? path : `\`${path.replace(/`/g, '``')}\``;
}
