import { compileAddresses } from '../../core/config/cidr';
import type { RuleParams } from '../../core/rules/evaluate';
import { codeTexts, settingTexts, type Predicate } from '../../core/rules/tree';
import { KqlValueError } from './errors';

/**
 * KQL written by tierzero. Every value from config or data goes through one of the writers
 * below (DESIGN §11), never into a query by concatenation:
 * - strings as verbatim literals `@'…'` (Kusto docs, "The string data type": in a verbatim
 *   literal a backslash is an ordinary character and a quote is doubled, so Windows paths and
 *   `CORP\\user` need no escaping); a control character cannot be written in one, so it is refused;
 * - names as bare identifiers, or `['…']` ("Entity names": brackets take any name quoted);
 * - datetimes as `datetime(2025-05-01T00:00:00.000Z)`, numbers checked finite.
 */
export function kqlString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new KqlValueError(`refusing to write ${JSON.stringify(value)} into KQL: control characters cannot be written in a verbatim literal`);
  return `@'${value.replace(/'/g, "''")}'`;
}

export function kqlName(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name)) return name;
  if (name === '' || /['\\\u0000-\u001f\u007f]/.test(name)) throw new KqlValueError(`refusing ${JSON.stringify(name)} as a KQL name`);
  return `['${name}']`;
}

export function kqlDatetime(ms: number): string {
  if (!Number.isFinite(ms)) throw new KqlValueError(`refusing ${String(ms)} as a KQL datetime`);
  const iso = new Date(ms).toISOString();
  return `datetime(${iso})`;
}

export function kqlLong(n: number): string {
  if (!Number.isSafeInteger(n)) throw new KqlValueError(`refusing ${String(n)} as a KQL integer`);
  return String(n);
}

export function kqlReal(n: number): string {
  if (!Number.isFinite(n)) throw new KqlValueError(`refusing ${String(n)} as a KQL number`);
  return Number.isInteger(n) ? `real(${n})` : String(n);
}

/** Kusto words that cannot stand as a bare column name (the ones a schema might plausibly use). */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'has', 'contains', 'between', 'by', 'on', 'with', 'let', 'set', 'true', 'false', 'null', 'where', 'project', 'extend', 'summarize', 'take', 'limit', 'order', 'sort', 'union', 'join', 'range', 'print', 'Type']);

/**
 * How a canonical field is read from one table: a KQL expression of type string (empty when
 * the record has no such field), and whether it is text cut out of an XML document — then
 * compared values are XML-escaped as the document writes them (`&amp;`, `&lt;` …).
 * Undefined: the table cannot say this field.
 */
export interface FieldExpr {
  readonly expr: string;
  readonly xml?: boolean;
}
export type FieldAccess = (field: string) => FieldExpr | undefined;

/**
 * `exact`: the whole predicate or an error (a native rule must mean what its detector means).
 * `necessary`: a condition every record satisfying `p` satisfies, or undefined — what a pull
 * may push down (core/rules/pull-plan.ts: ignoring part of it only fetches more). Parts the
 * table cannot say, or that need config lists the caller did not give, are dropped from an
 * `and`; an `or` or a `not` over such a part is dropped whole.
 */
export type CompileMode = 'exact' | 'necessary';

/**
 * A neutral predicate (core/rules/tree.ts) as a KQL boolean, keeping its semantics
 * (core/rules/evaluate.ts is the reference): comparisons ignore case (`=~`, `in~`, `startswith`,
 * `endswith`, `contains` all do); a field that is absent, empty or `-` satisfies no leaf, so it
 * satisfies the leaf's negation; numeric leaves that cannot parse are false, never null (a null
 * under `not` would be false too, where the evaluator says true).
 */
export function compilePredicate(p: Predicate, access: FieldAccess, mode: CompileMode, params?: RuleParams): string | undefined {
  const out = compile(p, access, mode, params);
  if (out === undefined && mode === 'exact') throw new KqlValueError(`cannot compile ${JSON.stringify(p).slice(0, 200)} to KQL for this table`);
  return out;
}

function compile(p: Predicate, access: FieldAccess, mode: CompileMode, params: RuleParams | undefined): string | undefined {
  switch (p.op) {
    case 'and': {
      const parts = p.of.map((x) => compile(x, access, mode, params));
      const kept = parts.filter((x): x is string => x !== undefined);
      if (mode === 'exact' && kept.length < parts.length) return undefined;
      return kept.length === 0 ? undefined : kept.length === 1 ? kept[0] : `(${kept.join(' and ')})`;
    }
    case 'or': {
      const parts = p.of.map((x) => compile(x, access, mode, params));
      if (!parts.every((x): x is string => x !== undefined)) return undefined;
      return parts.length === 0 ? 'false' : parts.length === 1 ? parts[0] : `(${parts.join(' or ')})`;
    }
    case 'not': {
      // The negation of a weaker condition is not weaker: only an exact inner part may be negated.
      const inner = compile(p.of, access, 'exact', params);
      return inner === undefined ? undefined : `not(${inner})`;
    }
    default:
      return leaf(p, access, params);
  }
}

type Leaf = Exclude<Predicate, { op: 'and' | 'or' | 'not' }>;

function leaf(p: Leaf, access: FieldAccess, params: RuleParams | undefined): string | undefined {
  const f = access(p.field);
  if (f === undefined) return undefined;
  const x = f.expr;
  // Whether an XML writer escapes quotes in element text varies; such values are not compared in XML.
  if (f.xml && literals(p, params).some((v) => /["']/.test(v))) return undefined;
  const lit = (v: string): string => kqlString(f.xml ? xmlEscape(v) : v);
  const present = `(isnotempty(${x}) and ${x} != '-')`;
  switch (p.op) {
    case 'exists': return present;
    case 'in': return inList(x, p.values.map(String), lit);
    case 'code': return inList(x, p.codes.flatMap(codeTexts), lit);
    case 'in_setting': {
      if (!params) return undefined;
      const texts = params.settings[p.setting].flatMap(settingTexts);
      if (p.form === 'exact') return inList(x, texts, lit);
      if (texts.length === 0) return 'false';
      const parts = texts.map((t) => `${x} startswith ${lit(`cn=${t},`)}`);
      return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' or ')})`;
    }
    case 'prefix': case 'suffix': case 'contains': {
      const op = p.op === 'prefix' ? 'startswith' : p.op === 'suffix' ? 'endswith' : 'contains';
      const test = `${x} ${op} ${lit(p.value)}`;
      // `'' startswith ''` and `'-' contains '-'` hold in KQL; for the evaluator those fields are absent.
      return p.value === '' || p.value === '-' ? `(${present} and ${test})` : test;
    }
    case 'regex':
      // Kusto's regex is RE2; `(?i)` makes it ignore case as the evaluator's `new RegExp(p, 'i')` does.
      return `(${present} and ${x} matches regex ${kqlString(`(?i)${p.pattern}`)})`;
    case 'compare':
      return `coalesce(todouble(${x}) ${p.cmp} ${kqlReal(p.value)}, false)`;
    case 'bits':
      // `tolong` reads both the decimal and the 0x-hex texts Windows writes (AccessMask, UAC bits).
      return `coalesce(binary_and(tolong(${x}), ${kqlLong(p.mask)}) != 0, false)`;
    case 'cidr': {
      const ranges = p.cidrs.map((c) => c.trim());
      compileAddresses(ranges); // refuses what the engine would refuse, before any KQL is written
      if (ranges.length === 0) return 'false';
      // Windows writes IPv4 peers as `::ffff:a.b.c.d`: the address is the IPv4 one.
      const v4 = `trim_start(@'(?i)::ffff:', ${x})`;
      const parts = ranges.map((r) => (r.includes(':') ? `coalesce(ipv6_is_in_range(${x}, ${kqlString(r)}), false)` : `coalesce(ipv4_is_in_range(${v4}, ${kqlString(r)}), false)`));
      return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' or ')})`;
    }
  }
}

/** `x in~ (…)`; values the evaluator could never match (empty, `-`) are left out. */
function inList(x: string, values: readonly string[], lit: (v: string) => string): string {
  const list = [...new Set(values.filter((v) => v !== '' && v !== '-'))];
  if (list.length === 0) return 'false';
  return `${x} in~ (${list.map(lit).join(', ')})`;
}

/** What an XML writer must escape in element text: `&`, `<`, `>`. */
export function xmlEscape(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function literals(p: Leaf, params: RuleParams | undefined): string[] {
  switch (p.op) {
    case 'in': return p.values.map(String);
    case 'in_setting': return params ? params.settings[p.setting].flatMap(settingTexts) : [];
    case 'prefix': case 'suffix': case 'contains': return [p.value];
    default: return [];
  }
}
