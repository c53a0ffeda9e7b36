import type { estypes } from '@elastic/elasticsearch';
import type { RuleParams } from '../../core/rules/evaluate';
import { codeTexts, settingTexts, type Branch, type NativeQuery, type Predicate, type RuleSource } from '../../core/rules/tree';
import { ecsReadPaths, readBack, type EcsLayout, type FieldSource } from './field-map';
import { DslInexactError, DslValueError } from './errors';

/**
 * The neutral query tree (core/rules/tree.ts) as Elasticsearch query DSL, with the semantics of
 * the reference evaluator (core/rules/evaluate.ts) held on a real node by
 * test/adapters/elastic/dsl-semantics.test.ts:
 *
 * - **Case.** Every string comparison ignores case: `term`, `prefix`, `wildcard` and `regexp`
 *   carry `case_insensitive: true` (Elasticsearch ≥ 7.10), which works on `keyword` fields.
 *   A `terms` query has no such option, so a list is a `bool.should` of `term`s. The mappings
 *   (EVENT_MAPPINGS below, as the integrations map EventData: `keyword`) never use `text`: an
 *   analysed field would match words, not values.
 * - **Absent.** A field is read as the field map reads it: the first present of its paths
 *   (`winlog.event_data.X`, else where a layout moved it), and `""` / `"-"` count as absent.
 * - **Values** go into the DSL as JSON values, never as query-string text, so nothing needs
 *   quoting there; `wildcard` and `regexp` patterns escape every operator character of the
 *   value (DESIGN §11), and a JavaScript regex is translated into Lucene's regexp dialect, or
 *   refused where the dialects differ (look-arounds, back-references, `\b`).
 * - **bits** (no painless on the node, and none needed): `(n & mask) ≠ 0` over a value written
 *   in 0x-hex is a regular language — some hex digit at the position of a mask bit has that bit
 *   set — so it compiles to one `regexp` per mask bit, e.g. bit 8 of `0x100` is
 *   `0[xX][0-9a-fA-F]*[13579bBdDfF][0-9a-fA-F]{2}`. Values written in decimal are not regular in that way:
 *   they match only in `superset` mode.
 * - **cidr** on a `keyword` IPv4 text compiles to an anchored regexp over the dotted quad (a
 *   partial octet as the list of its values), optionally `::ffff:`-mapped as Windows writes
 *   them; on an `ip` field it is a `term` with the CIDR, which Elasticsearch evaluates itself.
 *
 * Two modes: `exact` (native rules, and the semantics test) refuses what it cannot say exactly;
 * `superset` (the pull's push-down, where "only fetches more" is allowed) relaxes such a leaf
 * to "may match" on the side of its polarity, and also keeps documents whose value of a field
 * was too long to index (`ignore_above`), which Elasticsearch records in `_ignored`.
 */
export type EsQuery = estypes.QueryDslQueryContainer;

export type DslMode = 'exact' | 'superset';

export interface DslOptions {
  readonly settings: RuleParams['settings'];
  readonly mode: DslMode;
  /** Compile for one layout's paths only; by default every layout's (a mixed index). */
  readonly layout?: EcsLayout;
}

/** Field types of the ECS paths tierzero reads; every other path is `keyword`. */
export const FIELD_TYPES: Readonly<Record<string, 'ip' | 'long' | 'date' | 'geo_point'>> = {
  '@timestamp': 'date',
  'event.ingested': 'date',
  'source.ip': 'ip',
  'source.port': 'long',
  'source.as.number': 'long',
  'process.pid': 'long',
  'process.parent.pid': 'long',
  'azure.signinlogs.properties.status.error_code': 'long',
  'geo.location': 'geo_point',
};

/**
 * The mappings the tests and the bench give event indexes, after the integrations': every
 * string is `keyword` with `ignore_above: 1024` (ECS's default for keyword fields, which the
 * System and Windows integrations use for `winlog.event_data.*`), so `_ignored` behaves as in
 * production. `event.code` and the ids stay keyword whatever JSON type a shipper sent.
 */
export function eventMappings(ignoreAbove = 1024): estypes.MappingTypeMapping {
  const properties: Record<string, estypes.MappingProperty> = {};
  for (const [path, type] of Object.entries(FIELD_TYPES)) setPath(properties, path, { type });
  for (const path of ['event.code', 'winlog.event_id', 'winlog.record_id', 'winlog.channel']) setPath(properties, path, { type: 'keyword' });
  return {
    dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: ignoreAbove } } }, { numbers: { match_mapping_type: 'long', mapping: { type: 'keyword' }, path_match: 'winlog.*' } }],
    properties,
  };
}

function setPath(props: Record<string, estypes.MappingProperty>, path: string, leaf: estypes.MappingProperty): void {
  const parts = path.split('.');
  let cur = props;
  for (const p of parts.slice(0, -1)) {
    const o = (cur[p] ??= { properties: {} }) as { properties: Record<string, estypes.MappingProperty> };
    cur = o.properties;
  }
  cur[parts[parts.length - 1] as string] = leaf;
}

/** What a sub-tree compiled to: a query, or a constant. */
type C = EsQuery | boolean;

/** The events of one source: a Windows channel and its EventIDs, or an Entra table. */
export function sourceFilter(source: RuleSource): EsQuery {
  if (source.kind === 'windows') {
    return {
      bool: {
        filter: [
          { term: { 'winlog.channel': { value: source.channel, case_insensitive: true } } },
          // event.code is a string in ECS; terms on the keyword, one string per id.
          { terms: { 'event.code': source.eventIds.map((id) => String(checkedInt(id))) } },
        ],
      },
    };
  }
  if (source.table === 'SigninLogs') {
    return {
      bool: {
        filter: [
          { exists: { field: 'azure.signinlogs.properties.user_principal_name' } },
          // cloudTable(): a sign-in carries ResultType or Status.
          { bool: { should: ['azure.signinlogs.result_type', 'azure.signinlogs.properties.status.error_code', 'azure.signinlogs.properties.status.failure_reason', 'azure.signinlogs.properties.status.additional_details'].map((field) => ({ exists: { field } })), minimum_should_match: 1 } },
        ],
      },
    };
  }
  return { bool: { filter: [{ bool: { should: ['azure.auditlogs.operation_name', 'azure.auditlogs.properties.activity_display_name'].map((field) => ({ exists: { field } })), minimum_should_match: 1 } }] } };
}

/** One branch: its source, and its condition on that source's documents. */
export function branchQuery(b: Branch, o: DslOptions): EsQuery {
  if (!b.where) return sourceFilter(b.source);
  const s = b.source;
  if (s.kind === 'cloud') return and([sourceFilter(s), compile(b.where, { kind: 'cloud', table: s.table }, o, true)]) as EsQuery;
  // The paths a field is read from can depend on the EventID (Winlogbeat 7 renames logon fields
  // only in logon events): one clause per group of ids that read the same paths.
  const groups = new Map<string, number[]>();
  for (const id of s.eventIds) {
    const src: FieldSource = { kind: 'windows', channel: s.channel, eventId: id };
    const key = JSON.stringify(fieldsIn(b.where).map((f) => ecsReadPaths(f, src, o.layout)));
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  const clauses = [...groups.values()].map((ids) => and([
    sourceFilter({ ...s, eventIds: ids }),
    compile(b.where as Predicate, { kind: 'windows', channel: s.channel, eventId: ids[0] as number }, o, true),
  ]));
  return asQuery(or(clauses));
}

/** A native query's match: any of its branches. */
export function matchQuery(q: NativeQuery, o: DslOptions): EsQuery {
  return asQuery(or(q.match.map((b) => branchQuery(b, o))));
}

/** A predicate alone, for a source's documents (the pull plan's `where`). */
export function predicateQuery(p: Predicate, source: FieldSource, o: DslOptions): EsQuery {
  return asQuery(compile(p, source, o, true));
}

function fieldsIn(p: Predicate): string[] {
  if (p.op === 'not') return fieldsIn(p.of);
  if ('of' in p) return [...new Set(p.of.flatMap(fieldsIn))].sort();
  return [p.field];
}

/** `positive`: whether this sub-tree sits under an even number of `not`s (relaxation keeps the superset). */
function compile(p: Predicate, source: FieldSource, o: DslOptions, positive: boolean): C {
  switch (p.op) {
    case 'and': return and(p.of.map((x) => compile(x, source, o, positive)));
    case 'or': return or(p.of.map((x) => compile(x, source, o, positive)));
    case 'not': return negate(compile(p.of, source, o, !positive));
    default: break;
  }
  const paths = ecsReadPaths(p.field, source, o.layout);
  // The first present path is the value: path i counts only where paths before it are absent.
  const clauses: C[] = paths.map((path, i) => and([
    ...paths.slice(0, i).map((prev) => ({ bool: { must_not: [{ exists: { field: prev } }] } })),
    leafOn(p, path, readBack(p.field, source, path), o, positive),
  ]));
  return or(clauses);
}

function leafOn(p: Exclude<Predicate, { op: 'and' | 'or' | 'not' }>, path: string, back: string, o: DslOptions, positive: boolean): C {
  const type = FIELD_TYPES[path] ?? 'keyword';
  let q: C | undefined;
  try {
    q = type === 'keyword' ? keywordLeaf(p, path, o) : typedLeaf(p, path, type, back);
  } catch (e) {
    if (!(e instanceof DslInexactError) || o.mode === 'exact') throw e;
    q = undefined;
  }
  if (q === undefined) {
    if (o.mode === 'exact') throw new DslInexactError(`${p.op} on ${path} (${type}) has no exact query DSL form`);
    return positive;
  }
  // A value longer than ignore_above is not indexed: in superset mode such a document may match.
  if (o.mode === 'superset' && positive && type === 'keyword' && q !== true) return or([q, { term: { _ignored: path } }]);
  return q;
}

/** `"-"` and `""` are "not there" to the evaluator (and to Windows). */
function present(path: string): EsQuery {
  return { bool: { filter: [{ exists: { field: path } }], must_not: [{ term: { [path]: '-' } }, { term: { [path]: '' } }] } };
}

function ciTerm(path: string, value: string): EsQuery {
  return { term: { [path]: { value, case_insensitive: true } } };
}

function keywordLeaf(p: Exclude<Predicate, { op: 'and' | 'or' | 'not' }>, path: string, o: DslOptions): C | undefined {
  switch (p.op) {
    case 'exists': return present(path);
    case 'in': return or(p.values.map((v) => (isAbsentText(String(v)) ? false : ciTerm(path, String(v)))));
    case 'code': return or(p.codes.flatMap((c) => codeTexts(checkedInt(c))).map((t) => ciTerm(path, t)));
    case 'in_setting': {
      const entries = o.settings[p.setting] ?? [];
      const texts = [...new Set(entries.flatMap((e) => settingTexts(e)))].filter((t) => t !== '');
      if (p.form === 'exact') return or(texts.filter((t) => !isAbsentText(t)).map((t) => ciTerm(path, t)));
      return or(texts.map((t) => ({ prefix: { [path]: { value: `cn=${t},`, case_insensitive: true } } })));
    }
    case 'prefix': return p.value === '' ? present(path) : { prefix: { [path]: { value: p.value, case_insensitive: true } } };
    case 'suffix': return p.value === '' ? present(path) : { wildcard: { [path]: { value: `*${escapeWildcard(p.value)}`, case_insensitive: true } } };
    case 'contains': return p.value === '' ? present(path) : { wildcard: { [path]: { value: `*${escapeWildcard(p.value)}*`, case_insensitive: true } } };
    case 'regex': return and([present(path), { regexp: { [path]: { value: luceneRegexp(p.pattern), case_insensitive: true, flags: 'NONE' } } }]);
    case 'bits': return or([
      ...bitPatterns(p.mask).map((value) => ({ regexp: { [path]: { value, flags: 'NONE' } } })),
      // A decimal value may have the bit: only a superset can say so.
      ...(o.mode === 'superset' ? [{ regexp: { [path]: { value: '[0-9]+', flags: 'NONE' } } }] : []),
    ]);
    case 'cidr': return or(p.cidrs.map((c) => ({ regexp: { [path]: { value: ipv4CidrRegexp(c), flags: 'NONE' } } })));
    case 'compare': return undefined;
  }
}

/** `ip` and `long` fields (where a layout moved a value into ECS): only what the type says exactly. */
function typedLeaf(p: Exclude<Predicate, { op: 'and' | 'or' | 'not' }>, path: string, type: string, back: string): C | undefined {
  if (p.op === 'exists') return { exists: { field: path } };
  if (type === 'ip') {
    if (p.op === 'in') return or(p.values.map((v) => (isIp(String(v)) ? { term: { [path]: String(v) } } : false)));
    if (p.op === 'cidr') return or(p.cidrs.map((c) => ({ term: { [path]: c } })));
    return undefined;
  }
  if (type === 'long') {
    const num = (v: string): number | undefined => {
      const s = v.trim().toLowerCase();
      if (back === 'hex') return /^0x[0-9a-f]+$/.test(s) ? Number.parseInt(s.slice(2), 16) : undefined;
      return /^\d+$/.test(s) ? Number(s) : undefined;
    };
    if (p.op === 'in') return or(p.values.map((v) => { const n = num(String(v)); return n === undefined ? false : { term: { [path]: n } }; }));
    if (p.op === 'compare' && back !== 'hex') return { range: { [path]: { [p.cmp === '<' ? 'lt' : p.cmp === '<=' ? 'lte' : p.cmp === '>' ? 'gt' : 'gte']: p.value } } };
    return undefined;
  }
  return undefined;
}

// ——— combinators over C ———

function and(items: readonly C[]): C {
  if (items.some((x) => x === false)) return false;
  const qs = items.filter((x): x is EsQuery => x !== true);
  if (qs.length === 0) return true;
  return qs.length === 1 ? (qs[0] as EsQuery) : { bool: { filter: qs } };
}

function or(items: readonly C[]): C {
  if (items.some((x) => x === true)) return true;
  const qs = items.filter((x): x is EsQuery => x !== false);
  if (qs.length === 0) return false;
  return qs.length === 1 ? (qs[0] as EsQuery) : { bool: { should: qs, minimum_should_match: 1 } };
}

function negate(c: C): C {
  if (typeof c === 'boolean') return !c;
  return { bool: { must_not: [c] } };
}

export function asQuery(c: C): EsQuery {
  if (c === true) return { match_all: {} };
  if (c === false) return { match_none: {} };
  return c;
}

// ——— value writers ———

function isAbsentText(v: string): boolean {
  return v === '' || v === '-';
}

function checkedInt(n: number): number {
  if (!Number.isSafeInteger(n)) throw new DslValueError(`refusing ${String(n)} as an integer in query DSL`);
  return n;
}

/** `wildcard` patterns: `*` and `?` are operators, `\` escapes (Lucene WildcardQuery). */
export function escapeWildcard(value: string): string {
  return value.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/** Characters Lucene's RegExp treats as operators (with flags NONE): escaped when literal. */
const LUCENE_SPECIAL = new Set([...'.?+*|{}[]()"\\#@&<>~^$']);

export function escapeRegexpLiteral(value: string): string {
  return [...value].map((c) => (LUCENE_SPECIAL.has(c) ? `\\${c}` : c)).join('');
}

const CLASS_ESCAPES: Readonly<Record<string, string>> = { d: '0-9', w: 'A-Za-z0-9_', s: ' \\t\\n\\r\\f\\v' };

/**
 * A JavaScript regex (as the evaluator runs it: `new RegExp(p, 'i').test(v)`, a search
 * anywhere in the value) → a Lucene regexp, which must match the whole value. Unanchored ends
 * get `.*`. Supported: literals, `.`, classes with `\d \w \s`, groups (`(?:` too),
 * alternation, `* + ? {n} {n,} {n,m}`, and `^` / `$` at the ends. Refused (DslInexactError):
 * look-arounds, back-references, `\b`, lazy quantifiers, `\D \W \S`, anchors elsewhere.
 */
export function luceneRegexp(pattern: string): string {
  let i = 0;
  let out = '';
  const refuse = (why: string): never => { throw new DslInexactError(`regex ${JSON.stringify(pattern)}: ${why} has no Lucene regexp form`); };
  const topLevelAlt = hasTopLevelAlternation(pattern);
  let anchoredStart = false;
  let anchoredEnd = false;
  if (pattern.startsWith('^')) {
    if (topLevelAlt) refuse('an anchor inside a top-level alternation');
    anchoredStart = true;
    i = 1;
  }
  let end = pattern.length;
  if (pattern.endsWith('$') && !pattern.endsWith('\\$')) {
    if (topLevelAlt) refuse('an anchor inside a top-level alternation');
    anchoredEnd = true;
    end--;
  }
  while (i < end) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) refuse('a trailing backslash');
      if (CLASS_ESCAPES[n as string]) out += `[${CLASS_ESCAPES[n as string]}]`;
      else if (/[bBDWS1-9kpPu]/.test(n as string)) refuse(`\\${n as string}`);
      else if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else out += escapeRegexpLiteral(n as string);
      i += 2;
      continue;
    }
    if (c === '[') {
      const close = classEnd(pattern, i);
      if (close < 0) refuse('an unclosed class');
      out += translateClass(pattern.slice(i + 1, close), refuse);
      i = close + 1;
      continue;
    }
    if (c === '(') {
      if (pattern.startsWith('(?:', i)) {
        out += '(';
        i += 3;
        continue;
      }
      if (pattern[i + 1] === '?') refuse('a look-around or named group');
      out += '(';
      i++;
      continue;
    }
    if (c === '^' || c === '$') refuse('an anchor inside the pattern');
    if ((c === '*' || c === '+' || c === '?' || c === '}') && pattern[i + 1] === '?') refuse('a lazy quantifier');
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) {
        out += '\\{';
        i++;
        continue;
      }
      out += m[0];
      i += m[0].length;
      continue;
    }
    if ('.*+?|)'.includes(c)) {
      out += c;
      i++;
      continue;
    }
    out += escapeRegexpLiteral(c);
    i++;
  }
  const body = topLevelAlt ? `(${out})` : out;
  return `${anchoredStart ? '' : '.*'}${body}${anchoredEnd ? '' : '.*'}`;
}

function hasTopLevelAlternation(p: string): boolean {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') { i++; continue; }
    if (c === '[') { i = Math.max(i, classEnd(p, i)); continue; }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

function classEnd(p: string, open: number): number {
  let i = open + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') { i++; continue; }
    if (p[i] === ']') return i;
  }
  return -1;
}

function translateClass(inner: string, refuse: (why: string) => never): string {
  let out = '';
  let i = 0;
  if (inner.startsWith('^')) {
    out += '^';
    i = 1;
  }
  for (; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c === '\\') {
      const n = inner[i + 1] as string;
      if (CLASS_ESCAPES[n]) out += CLASS_ESCAPES[n];
      else if (/[DWSbB]/.test(n)) refuse(`\\${n} in a class`);
      else out += `\\${n}`;
      i++;
      continue;
    }
    // Inside a Lucene class only `]`, `\`, `^` (first) and `-` are special; quote the rest that Lucene could read as operators.
    out += c === '-' || /[A-Za-z0-9 ]/.test(c) ? c : `\\${c}`;
  }
  return `[${out}]`;
}

/** One anchored regexp per set bit of `mask`: a 0x-hex value with that bit set. */
export function bitPatterns(mask: number): string[] {
  if (!Number.isSafeInteger(mask) || mask <= 0 || mask > 0xffffffff) throw new DslValueError(`refusing ${String(mask)} as a bit mask`);
  const out: string[] = [];
  for (let b = 0; b < 32; b++) {
    if (Math.floor(mask / 2 ** b) % 2 === 0) continue;
    const digit = Math.floor(b / 4);
    const bit = 1 << (b % 4);
    // Both cases spelled out: the classes must not depend on case-insensitive class matching.
    const digits = [...'0123456789abcdef'].filter((_, v) => (v & bit) !== 0).map((d) => (/[a-f]/.test(d) ? `${d}${d.toUpperCase()}` : d)).join('');
    out.push(`0[xX][0-9a-fA-F]*[${digits}][0-9a-fA-F]{${digit}}`);
  }
  return out;
}

/**
 * An IPv4 CIDR as an anchored regexp over dotted-quad text (optionally `::ffff:`-mapped, as
 * compileAddresses accepts): the whole octets fixed, the partial one listed, the rest any
 * octet. An IPv6 CIDR on text is refused (zero compression makes the text irregular in the
 * prefix length); IPv6 matching needs an `ip` field.
 */
export function ipv4CidrRegexp(cidr: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) throw new DslInexactError(`cidr ${JSON.stringify(cidr)} on a text field: only IPv4 CIDRs compile`);
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new DslValueError(`refusing ${JSON.stringify(cidr)} as a CIDR`);
  const anyOctet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
  const parts: string[] = [];
  for (let k = 0; k < 4; k++) {
    const fixed = Math.max(0, Math.min(8, bits - 8 * k));
    const o = octets[k] as number;
    if (fixed === 8) parts.push(String(o));
    else if (fixed === 0) parts.push(anyOctet);
    else {
      const base = o & (0xff << (8 - fixed)) & 0xff;
      const size = 1 << (8 - fixed);
      parts.push(`(${Array.from({ length: size }, (_, v) => String(base + v)).join('|')})`);
    }
  }
  return `(::ffff:)?${parts.join('\\.')}`;
}

function isIp(v: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(v) || (v.includes(':') && /^[0-9a-f:.]+$/i.test(v));
}
