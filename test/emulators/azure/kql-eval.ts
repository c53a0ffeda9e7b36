/* eslint-disable @typescript-eslint/no-explicit-any -- Bridge.NET syntax nodes have no typings */
import { compileAddresses } from '../../../core/config/cidr';
import { kqlParse, kustoGlobals, type KustoSchema } from '../../support/kusto';

/**
 * A KQL evaluator for the Log Analytics emulator: the query is parsed and analysed by
 * Microsoft's Kusto language service (test/support/kusto.ts) — a syntax error or an unknown
 * table, column or function is refused as Log Analytics refuses it — and then its syntax tree
 * is run over in-memory tables. It runs the operators and functions tierzero's compilers emit,
 * with Kusto's semantics as the Kusto docs state them (learn.microsoft.com/kusto/query):
 * `has`/`contains`/`startswith`/`endswith`/`=~`/`in~` ignore case, `==`/`in` do not; `and`/`or`
 * are three-valued over null; `order by` sorts descending unless told `asc`, nulls first when
 * ascending; `project` and `summarize` drop the record's ingestion time, so `ingestion_time()`
 * after them is null, as in Kusto. Anything else is refused with `Unsupported`, so a query the
 * emulator cannot run fails the test rather than returning the wrong rows.
 */

export type Value = string | number | boolean | null | KDate | Dynamic;
export type Dynamic = { readonly [k: string]: unknown } | readonly unknown[];

/** A datetime value (Kusto's are 100 ns ticks; milliseconds are what the tables hold). */
export class KDate {
  constructor(readonly ms: number) {}
  toJSON(): string {
    return isoTicks(this.ms);
  }
}

export const INGESTION = Symbol('ingestion_time');
export type Row = Record<string, unknown> & { [INGESTION]?: number };

export interface StoredTable {
  readonly rows: readonly Row[];
}

export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

export interface EvalResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly Row[];
}

export class KqlEvalError extends Error {
  override name = 'KqlEvalError';
  constructor(readonly code: 'SyntaxError' | 'SemanticError' | 'Unsupported', message: string) {
    super(message);
  }
}

/** A syntax node reduced to what evaluation needs: its kind's name, its token text, its children. */
interface Node {
  readonly kind: string;
  readonly text?: string;
  readonly children: readonly Node[];
}

export interface EvalContext {
  readonly tables: (name: string) => StoredTable | undefined;
  readonly now: () => number;
}

/** A prepared Kusto global state per schema set: building one costs ~0.1 s. */
const GLOBALS = new WeakMap<object, unknown>();

interface Analysed {
  readonly error?: KqlEvalError;
  readonly root?: Node;
  readonly columns?: readonly ResultColumn[];
}

/**
 * Analyses keyed by the query with its datetime literals blanked: the pull queries of two
 * slices differ only there, and the language service takes ~0.3 s per analysis. The literals'
 * own values are put back, in order, when the tree runs (an invalid one fails then).
 */
const ANALYSED = new Map<string, Analysed>();
const MAX_ANALYSED = 500;

export function evaluate(query: string, schemas: KustoSchema, ctx: EvalContext): EvalResult {
  let globals = GLOBALS.get(schemas);
  if (!globals) {
    globals = kustoGlobals(schemas);
    GLOBALS.set(schemas, globals);
  }
  const { shape, dates } = blankDatetimes(query);
  const key = `${shapeKey(schemas)}\u0000${shape}`;
  let a = ANALYSED.get(key);
  if (!a) {
    a = analyse(shape, globals);
    if (ANALYSED.size >= MAX_ANALYSED) ANALYSED.delete(ANALYSED.keys().next().value as string);
    ANALYSED.set(key, a);
  }
  if (a.error) throw a.error;
  const rows = new Evaluator(ctx, dates).tabular(a.root as Node);
  return { columns: a.columns as ResultColumn[], rows };
}

const SCHEMA_KEYS = new WeakMap<object, string>();
let schemaCount = 0;
function shapeKey(schemas: KustoSchema): string {
  let k = SCHEMA_KEYS.get(schemas);
  if (!k) {
    k = String(++schemaCount);
    SCHEMA_KEYS.set(schemas, k);
  }
  return k;
}

function analyse(query: string, globals: unknown): Analysed {
  const code = kqlParse(query, globals);
  const g = globalThis as any;
  const errors = g.Bridge.toArray(code.GetDiagnostics()).filter((d: any) => String(d.Severity) === 'Error');
  if (errors.length) {
    const first = errors[0];
    const message = String(first.Message);
    const start = Number(first.Start);
    const syntax = /expected|missing|unexpected|syntax/i.test(message) && !/name|column|table|function/i.test(message);
    return { error: new KqlEvalError(syntax ? 'SyntaxError' : 'SemanticError', `${message} (at ${start}: ${JSON.stringify(query.slice(start, start + Math.max(Number(first.Length), 1)))})`) };
  }
  const root = toNode(code.Syntax);
  const statements = find(root, 'ExpressionStatement');
  if (statements.length !== 1) return { error: new KqlEvalError('Unsupported', 'the emulator runs exactly one tabular expression statement (no let statements)') };
  numberDatetimes(root, { next: 0 });
  const columns: ResultColumn[] = g.Bridge.toArray(code.ResultType.Columns).map((c: any) => ({ name: String(c.Name), type: String(c.Type.Name) }));
  return { root: exprOf(statements[0] as Node), columns };
}

/** `datetime(…)` literals outside string literals replaced by one fixed value, and their bodies in order. */
export function blankDatetimes(query: string): { shape: string; dates: string[] } {
  const dates: string[] = [];
  let out = '';
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    if (c === "'" || c === '"' || (c === '@' && (query[i + 1] === "'" || query[i + 1] === '"'))) {
      const verbatim = c === '@';
      const q = verbatim ? (query[i + 1] as string) : c;
      let j = i + (verbatim ? 2 : 1);
      while (j < query.length) {
        if (!verbatim && query[j] === '\\') { j += 2; continue; }
        if (query[j] === q) {
          if (verbatim && query[j + 1] === q) { j += 2; continue; }
          break;
        }
        j++;
      }
      out += query.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^datetime\(([^)]*)\)/.exec(query.slice(i, i + 80));
    if (m && !/[A-Za-z0-9_]/.test(query[i - 1] ?? '')) {
      dates.push(m[1] as string);
      out += 'datetime(2000-01-01T00:00:00Z)';
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return { shape: out, dates };
}

const DATE_INDEX = new WeakMap<Node, number>();
function numberDatetimes(n: Node, counter: { next: number }): void {
  if (n.kind === 'DateTimeLiteralExpression') DATE_INDEX.set(n, counter.next++);
  for (const c of n.children) numberDatetimes(c, counter);
}

function toNode(n: any): Node {
  const g = globalThis as any;
  const kinds = g.Kusto.Language.Syntax.SyntaxKind;
  const kind = String(kindName(kinds, n.Kind));
  if (n.IsToken) return { kind, text: String(n.Text), children: [] };
  const children: Node[] = [];
  for (let i = 0; i < n.ChildCount; i++) {
    const c = n.GetChild(i);
    if (c) children.push(toNode(c));
  }
  return { kind, children };
}

const KIND_NAMES = new Map<number, string>();
function kindName(kinds: any, k: number): string {
  if (KIND_NAMES.size === 0) for (const [name, v] of Object.entries(kinds)) if (typeof v === 'number') KIND_NAMES.set(v, name);
  return KIND_NAMES.get(k) ?? String(k);
}

function find(n: Node, kind: string): Node[] {
  if (n.kind === kind) return [n];
  return n.children.flatMap((c) => find(c, kind));
}

/** The children that are syntax, not punctuation: lists flattened, separators dropped. */
function items(n: Node): Node[] {
  const out: Node[] = [];
  for (const c of n.children) {
    if (c.kind === 'List' || c.kind === 'SeparatedElement') out.push(...items(c));
    else if (c.text === ',') continue;
    else out.push(c);
  }
  return out;
}

function exprOf(statement: Node): Node {
  const e = statement.children[0];
  if (!e) throw new KqlEvalError('Unsupported', 'empty statement');
  return e;
}

function tokenText(n: Node): string {
  if (n.text !== undefined) return n.text;
  return n.children.map(tokenText).join(' ');
}

/** The name a NameReference / NameDeclaration / bracketed name stands for. */
function nameOf(n: Node): string {
  const t = tokenText(n).trim();
  const m = /^\[\s*(@?)(['"])(.*)\2\s*\]$/s.exec(t);
  if (m) return parseString(`${m[1] ?? ''}${m[2]}${m[3]}${m[2]}`);
  return t;
}

class Evaluator {
  constructor(private readonly ctx: EvalContext, private readonly dates: readonly string[]) {}

  tabular(n: Node): Row[] {
    switch (n.kind) {
      case 'ParenthesizedExpression': return this.tabular(inner(n));
      case 'NameReference': return this.table(nameOf(n), false);
      case 'PipeExpression': {
        const [left, , op] = n.children as [Node, Node, Node];
        return this.operator(op, this.tabular(left));
      }
      case 'UnionOperator': return this.union(n, undefined);
      default: throw new KqlEvalError('Unsupported', `tabular expression ${n.kind} is not supported by the emulator`);
    }
  }

  private table(name: string, fuzzy: boolean): Row[] {
    const t = this.ctx.tables(name);
    if (!t) {
      if (fuzzy) return [];
      throw new KqlEvalError('SemanticError', `'${name}' could not be resolved to a table in this workspace`);
    }
    return t.rows.map((r) => ({ ...r, [INGESTION]: r[INGESTION] }));
  }

  private operator(op: Node, input: Row[]): Row[] {
    switch (op.kind) {
      case 'FilterOperator': {
        const pred = op.children[op.children.length - 1] as Node;
        return input.filter((r) => this.scalar(pred, r) === true);
      }
      case 'ProjectOperator': return input.map((r) => this.assign(items(op).slice(1), r, {}));
      case 'ExtendOperator': return input.map((r) => this.assign(items(op).slice(1), r, { ...r, [INGESTION]: r[INGESTION] }));
      case 'SortOperator': return this.sort(op, input);
      case 'TakeOperator': {
        const n = Number(this.scalar(op.children[op.children.length - 1] as Node, {}));
        return input.slice(0, Math.max(0, n));
      }
      case 'SummarizeOperator': return this.summarize(op, input);
      case 'UnionOperator': return this.union(op, input);
      default: throw new KqlEvalError('Unsupported', `the ${op.kind.replace(/Operator$/, '').toLowerCase()} operator is not supported by the emulator`);
    }
  }

  /** `project` / `extend` items: a column kept by name, or `Name = expr`. */
  private assign(list: Node[], r: Row, out: Row): Row {
    for (const it of list) {
      if (it.kind === 'NameReference') out[nameOf(it)] = r[nameOf(it)] ?? null;
      else if (it.kind === 'SimpleNamedExpression') {
        const [name, , expr] = it.children as [Node, Node, Node];
        out[nameOf(name)] = this.scalar(expr, r);
      } else throw new KqlEvalError('Unsupported', `unnamed ${it.kind} in project/extend is not supported by the emulator`);
    }
    return out;
  }

  private sort(op: Node, input: Row[]): Row[] {
    const byIndex = op.children.findIndex((c) => c.text === 'by');
    const keys = items({ kind: 'List', children: op.children.slice(byIndex + 1) }).map((o) => {
      const expr = o.kind === 'OrderedExpression' ? (o.children[0] as Node) : o;
      const clause = o.kind === 'OrderedExpression' ? tokenText(o.children[1] ?? { kind: '', children: [] }) : '';
      const asc = /\basc\b/.test(clause);
      const nullsFirst = /nulls first/.test(clause) ? true : /nulls last/.test(clause) ? false : asc;
      return { expr, asc, nullsFirst };
    });
    const decorated = input.map((r, i) => ({ r, i, k: keys.map((k) => this.scalar(k.expr, r)) }));
    decorated.sort((a, b) => {
      for (let j = 0; j < keys.length; j++) {
        const k = keys[j] as (typeof keys)[number];
        const x = a.k[j] as Value;
        const y = b.k[j] as Value;
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === k.nullsFirst ? -1 : 1;
        }
        const c = compare(x, y);
        if (c !== 0) return k.asc ? c : -c;
      }
      return a.i - b.i;
    });
    return decorated.map((d) => d.r);
  }

  private summarize(op: Node, input: Row[]): Row[] {
    const byClause = op.children.find((c) => c.kind === 'SummarizeByClause');
    const aggs = items(op).filter((c) => c.kind !== 'SummarizeByClause' && c.text !== 'summarize' && c.kind !== 'NamedParameter');
    const by = byClause ? items(byClause).filter((c) => c.text !== 'by') : [];
    const keyOf = (it: Node, r: Row): [string, Value] => {
      if (it.kind === 'NameReference') return [nameOf(it), (r[nameOf(it)] ?? null) as Value];
      if (it.kind === 'SimpleNamedExpression') return [nameOf(it.children[0] as Node), this.scalar(it.children[2] as Node, r)];
      throw new KqlEvalError('Unsupported', 'summarize by an unnamed expression is not supported by the emulator');
    };
    const groups = new Map<string, { keys: [string, Value][]; rows: Row[] }>();
    for (const r of input) {
      const keys = by.map((b) => keyOf(b, r));
      const id = JSON.stringify(keys.map(([, v]) => v));
      const g = groups.get(id) ?? { keys, rows: [] };
      g.rows.push(r);
      groups.set(id, g);
    }
    if (by.length === 0 && groups.size === 0) groups.set('', { keys: [], rows: [] });
    return [...groups.values()].map((g) => {
      const out: Row = Object.fromEntries(g.keys);
      for (const a of aggs) {
        const [name, call] = a.kind === 'SimpleNamedExpression' ? [nameOf(a.children[0] as Node), a.children[2] as Node] : [undefined, a];
        const [fn, args] = this.call(call);
        if (fn === 'arg_max' || fn === 'arg_min') {
          Object.assign(out, this.argExtreme(fn, args, g.rows), Object.fromEntries(g.keys));
          continue;
        }
        out[name ?? `${fn}_`] = this.aggregate(fn, args, g.rows);
      }
      return out;
    });
  }

  /**
   * `arg_max(x, c1, …)` / `arg_min`: the columns of the row with the largest (smallest) `x`, `*`
   * for all of them — the readers' dedupe `arg_max(TimeGenerated, *) by AlertId`. Ties keep the
   * first row (Kusto picks one arbitrarily). The ingestion time is not carried, as for any summarize.
   */
  private argExtreme(fn: 'arg_max' | 'arg_min', args: Node[], rows: Row[]): Row {
    const [by, ...cols] = args;
    if (!by || by.kind !== 'NameReference') throw new KqlEvalError('Unsupported', `${fn}() over an expression is not supported by the emulator`);
    let best: Row | undefined;
    let bestValue: Value = null;
    for (const r of rows) {
      const v = this.scalar(by, r);
      if (v === null) continue;
      if (best === undefined || bestValue === null || (fn === 'arg_max' ? compare(v, bestValue) > 0 : compare(v, bestValue) < 0)) {
        best = r;
        bestValue = v;
      }
    }
    const out: Row = { [nameOf(by)]: bestValue };
    for (const c of cols) {
      if (tokenText(c).trim() === '*') {
        for (const k of Object.keys(best ?? {})) out[k] = (best as Row)[k];
      } else if (c.kind === 'NameReference') {
        out[nameOf(c)] = best ? (best[nameOf(c)] ?? null) : null;
      } else {
        throw new KqlEvalError('Unsupported', `${fn}() with a computed column is not supported by the emulator`);
      }
    }
    return out;
  }

  private aggregate(fn: string, args: Node[], rows: Row[]): Value {
    switch (fn) {
      case 'count': return rows.length;
      case 'countif': return rows.filter((r) => this.scalar(args[0] as Node, r) === true).length;
      case 'dcount': return new Set(rows.map((r) => JSON.stringify(this.scalar(args[0] as Node, r))).values()).size;
      case 'min': case 'max': {
        const vs = rows.map((r) => this.scalar(args[0] as Node, r)).filter((v): v is Exclude<Value, null> => v !== null);
        if (vs.length === 0) return null;
        return vs.reduce((a, b) => ((fn === 'min' ? compare(b, a) < 0 : compare(b, a) > 0) ? b : a));
      }
      case 'sum': return rows.reduce((s, r) => s + (Number(this.scalar(args[0] as Node, r)) || 0), 0);
      default: throw new KqlEvalError('Unsupported', `aggregate ${fn}() is not supported by the emulator`);
    }
  }

  private union(op: Node, input: Row[] | undefined): Row[] {
    if (input !== undefined) throw new KqlEvalError('Unsupported', 'union with a piped input is not supported by the emulator');
    const params = op.children.filter((c) => c.kind === 'List').flatMap(items).filter((c) => c.kind === 'NamedParameter');
    const opt = new Map(params.map((p) => [nameOf(p.children[0] as Node).toLowerCase(), tokenText(p.children[2] as Node)]));
    for (const k of opt.keys()) if (k !== 'isfuzzy' && k !== 'withsource' && k !== 'kind') throw new KqlEvalError('Unsupported', `union ${k}= is not supported by the emulator`);
    const fuzzy = opt.get('isfuzzy') === 'true';
    const withSource = opt.get('withsource');
    const exprList = op.children.filter((c) => c.kind === 'List').flatMap(items).filter((c) => c.kind !== 'NamedParameter');
    const out: Row[] = [];
    exprList.forEach((e, i) => {
      const rows = e.kind === 'NameReference' ? this.table(nameOf(e), fuzzy) : this.tabular(e);
      const source = e.kind === 'NameReference' ? nameOf(e) : `union_arg${i}`;
      for (const r of rows) out.push(withSource ? { ...r, [withSource]: source, [INGESTION]: r[INGESTION] } : r);
    });
    return out;
  }

  private call(n: Node): [string, Node[]] {
    if (n.kind !== 'FunctionCallExpression') throw new KqlEvalError('Unsupported', `${n.kind} where a function call was expected`);
    const name = nameOf(n.children[0] as Node);
    const list = n.children[1] as Node;
    return [name, items(list).filter((c) => c.text !== '(' && c.text !== ')')];
  }

  scalar(n: Node, r: Row): Value {
    switch (n.kind) {
      case 'ParenthesizedExpression': return this.scalar(inner(n), r);
      case 'NameReference': return norm(r[nameOf(n)]);
      case 'PathExpression': {
        const base = this.scalar(n.children[0] as Node, r);
        return member(base, nameOf(n.children[2] as Node));
      }
      case 'ElementExpression': {
        const base = this.scalar(n.children[0] as Node, r);
        const key = this.scalar(inner(n.children[1] as Node), r);
        return member(base, key);
      }
      case 'DateTimeLiteralExpression': {
        const i = DATE_INDEX.get(n);
        return literal(i === undefined ? n : { kind: n.kind, text: `datetime(${this.dates[i] ?? ''})`, children: [] });
      }
      case 'StringLiteralExpression': case 'LongLiteralExpression': case 'IntLiteralExpression': case 'RealLiteralExpression':
      case 'BooleanLiteralExpression': case 'DynamicLiteralExpression': case 'TimespanLiteralExpression':
        return literal(n);
      case 'UnaryMinusExpression': case 'UnaryPlusExpression': {
        const v = this.scalar(n.children[1] as Node, r);
        return typeof v === 'number' ? (n.kind === 'UnaryMinusExpression' ? -v : v) : null;
      }
      case 'InExpression': case 'InCsExpression': case 'NotInExpression': case 'NotInCsExpression': {
        const op = (n.children[1] as Node).text ?? '';
        const left = this.scalar(n.children[0] as Node, r);
        const values = items(n.children[2] as Node).filter((c) => c.text !== '(' && c.text !== ')').flatMap((c) => spread(this.scalar(c, r)));
        const ci = op.endsWith('~');
        const hit = left !== null && values.some((v) => equal(left, v, ci));
        return op.startsWith('!') ? !hit : hit;
      }
      case 'BetweenExpression': case 'NotBetweenExpression': {
        const v = this.scalar(n.children[0] as Node, r);
        const couple = n.children[2] as Node;
        const lo = this.scalar(couple.children[1] as Node, r);
        const hi = this.scalar(couple.children[3] as Node, r);
        if (v === null || lo === null || hi === null) return null;
        const inside = compare(v, lo) >= 0 && compare(v, hi) <= 0;
        return n.kind === 'BetweenExpression' ? inside : !inside;
      }
      case 'FunctionCallExpression': {
        const [fn, args] = this.call(n);
        return this.fn(fn, args, r);
      }
      default:
        if (n.children.length === 3 && (n.children[1] as Node).text !== undefined) return this.binary((n.children[1] as Node).text as string, n.children[0] as Node, n.children[2] as Node, r);
        throw new KqlEvalError('Unsupported', `expression ${n.kind} is not supported by the emulator`);
    }
  }

  private binary(op: string, a: Node, b: Node, r: Row): Value {
    if (op === 'and' || op === 'or') {
      const x = this.scalar(a, r);
      if (op === 'and' && x === false) return false;
      if (op === 'or' && x === true) return true;
      const y = this.scalar(b, r);
      if (op === 'and') return y === false ? false : x === null || y === null ? null : x === true && y === true;
      return y === true ? true : x === null || y === null ? null : false;
    }
    const x = this.scalar(a, r);
    const y = this.scalar(b, r);
    switch (op) {
      case '==': return x === null || y === null ? null : equal(x, y, false);
      case '!=': case '<>': return x === null || y === null ? null : !equal(x, y, false);
      case '=~': return equal(str(x), str(y), true);
      case '!~': return !equal(str(x), str(y), true);
      case '<': return x === null || y === null ? null : compare(x, y) < 0;
      case '<=': return x === null || y === null ? null : compare(x, y) <= 0;
      case '>': return x === null || y === null ? null : compare(x, y) > 0;
      case '>=': return x === null || y === null ? null : compare(x, y) >= 0;
      case '+': case '-': case '*': case '/': return arithmetic(op, x, y);
      case 'matches regex': return regex(str(y)).test(str(x));
      default: break;
    }
    const neg = op.startsWith('!');
    const base = neg ? op.slice(1) : op;
    const cs = base.endsWith('_cs');
    const name = cs ? base.slice(0, -3) : base;
    const hay = cs ? str(x) : str(x).toLowerCase();
    const needle = cs ? str(y) : str(y).toLowerCase();
    let hit: boolean;
    switch (name) {
      case 'contains': hit = hay.includes(needle); break;
      case 'startswith': hit = hay.startsWith(needle); break;
      case 'endswith': hit = hay.endsWith(needle); break;
      case 'has': hit = hasTerm(hay, needle); break;
      case 'hasprefix': hit = hay.split(/[^\p{L}\p{N}]+/u).some((t) => t.startsWith(needle)); break;
      default: throw new KqlEvalError('Unsupported', `operator ${op} is not supported by the emulator`);
    }
    return neg ? !hit : hit;
  }

  private fn(name: string, args: Node[], r: Row): Value {
    const a = (i: number): Value => this.scalar(args[i] as Node, r);
    switch (name) {
      case 'not': { const v = a(0); return v === null ? null : !v; }
      case 'ingestion_time': { const t = r[INGESTION]; return typeof t === 'number' ? new KDate(t) : null; }
      case 'now': return new KDate(this.ctx.now());
      case 'ago': { const v = a(0); return typeof v === 'number' ? new KDate(this.ctx.now() - v) : null; }
      case 'tostring': return tostring(a(0));
      case 'toint': case 'tolong': return tolong(a(0));
      case 'todouble': case 'toreal': { const v = a(0); if (v === null) return null; if (typeof v === 'number') return v; const n = Number(str(v).trim()); return str(v).trim() === '' || !Number.isFinite(n) ? null : n; }
      case 'tobool': case 'toboolean': { const v = a(0); if (typeof v === 'boolean') return v; const s = str(v).toLowerCase(); return s === 'true' || s === '1' ? true : s === 'false' || s === '0' ? false : null; }
      case 'todatetime': { const v = a(0); if (v instanceof KDate) return v; const t = Date.parse(str(v)); return Number.isFinite(t) ? new KDate(t) : null; }
      case 'parse_json': case 'todynamic': { const v = a(0); if (typeof v !== 'string') return v; try { return norm(JSON.parse(v)); } catch { return v; } }
      case 'isempty': { const v = a(0); return v === null || v === ''; }
      case 'isnotempty': { const v = a(0); return !(v === null || v === ''); }
      case 'isnull': return a(0) === null;
      case 'isnotnull': return a(0) !== null;
      case 'coalesce': { for (let i = 0; i < args.length; i++) { const v = a(i); if (v !== null && v !== '') return v; } return null; }
      case 'iff': case 'iif': return a(0) === true ? a(1) : a(2);
      case 'strcat': return args.map((_, i) => tostring(a(i))).join('');
      case 'tolower': return str(a(0)).toLowerCase();
      case 'toupper': return str(a(0)).toUpperCase();
      case 'strlen': return str(a(0)).length;
      case 'extract': {
        const m = regex(str(a(0))).exec(str(a(2)));
        const g = Number(a(1));
        return m ? (m[g] ?? '') : '';
      }
      case 'trim_start': return str(a(1)).replace(new RegExp(`^(?:${regexSource(str(a(0)))})+`, regexFlags(str(a(0)))), '');
      case 'trim_end': return str(a(1)).replace(new RegExp(`(?:${regexSource(str(a(0)))})+$`, regexFlags(str(a(0)))), '');
      case 'binary_and': { const x = a(0); const y = a(1); return typeof x === 'number' && typeof y === 'number' ? Number(BigInt.asIntN(64, BigInt(Math.trunc(x)) & BigInt(Math.trunc(y)))) : null; }
      case 'ipv4_is_in_range': case 'ipv6_is_in_range': {
        const ip = a(0); const range = a(1);
        if (typeof ip !== 'string' || typeof range !== 'string' || ip === '') return null;
        if (name === 'ipv4_is_in_range' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return null;
        try { return compileAddresses([range]).matches(ip); } catch { return null; }
      }
      case 'array_length': { const v = a(0); return Array.isArray(v) ? v.length : null; }
      case 'int': case 'long': case 'real': return literal({ kind: 'LongLiteralExpression', text: tokenText(args[0] as Node), children: [] });
      default: throw new KqlEvalError('Unsupported', `function ${name}() is not supported by the emulator`);
    }
  }
}

function inner(n: Node): Node {
  const e = n.children.find((c) => c.text !== '(' && c.text !== ')' && c.text !== '[' && c.text !== ']');
  if (!e) throw new KqlEvalError('Unsupported', `empty ${n.kind}`);
  return e;
}

function literal(n: Node): Value {
  const t = tokenText(n).trim();
  switch (n.kind) {
    case 'StringLiteralExpression': return parseStringSequence(t);
    case 'BooleanLiteralExpression': return t === 'true';
    case 'DateTimeLiteralExpression': {
      const m = /^datetime\((.*)\)$/s.exec(t);
      const body = (m?.[1] ?? '').trim();
      if (body === 'null') return null;
      const zoned = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(body);
      const ms = Date.parse(zoned ? body : /[T ]/.test(body) ? `${body.replace(' ', 'T')}Z` : `${body}T00:00:00Z`);
      if (!Number.isFinite(ms)) throw new KqlEvalError('SyntaxError', `bad datetime literal ${t}`);
      return new KDate(ms);
    }
    case 'DynamicLiteralExpression': {
      const m = /^dynamic\((.*)\)$/s.exec(t);
      const body = (m?.[1] ?? 'null').trim();
      try { return norm(JSON.parse(body.replace(/'/g, '"'))); } catch { throw new KqlEvalError('Unsupported', `dynamic literal ${t} is not JSON the emulator reads`); }
    }
    default: {
      const m = /^(?:int|long|real|double)\((.*)\)$/s.exec(t);
      const body = (m ? m[1] : t) ?? '';
      if (body.trim() === 'null') return null;
      const v = /^0x/i.test(body.trim()) ? Number.parseInt(body.trim().slice(2), 16) : Number(body);
      if (!Number.isFinite(v)) throw new KqlEvalError('SyntaxError', `bad number literal ${t}`);
      return v;
    }
  }
}

/** Adjacent string literals concatenate (`'a' 'b'`); the token text is one literal here. */
function parseStringSequence(t: string): string {
  return parseString(t);
}

/** A Kusto string literal: `'…'`/`"…"` with backslash escapes, or verbatim `@'…'`/`@"…"` with the quote doubled. */
export function parseString(t: string): string {
  const verbatim = t.startsWith('@');
  const body = verbatim ? t.slice(1) : t;
  const q = body[0];
  if ((q !== "'" && q !== '"') || body[body.length - 1] !== q) throw new KqlEvalError('SyntaxError', `bad string literal ${t}`);
  const s = body.slice(1, -1);
  if (verbatim) return s.split(`${q}${q}`).join(q);
  return s.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'u': case 'x': return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      default: return e;
    }
  });
}

function norm(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof KDate) return v;
  if (typeof v === 'object') return v as Dynamic;
  return null;
}

function member(base: Value, key: Value): Value {
  if (base === null || key === null || typeof base !== 'object' || base instanceof KDate) return null;
  if (Array.isArray(base)) return typeof key === 'number' ? norm(base[key < 0 ? base.length + key : key]) : null;
  return norm((base as Record<string, unknown>)[String(key)]);
}

function spread(v: Value): Value[] {
  return Array.isArray(v) ? v.map(norm) : [v];
}

function str(v: Value): string {
  return tostring(v);
}

/** Kusto's `tostring`: null is the empty string; datetimes ISO with 7 fractional digits; dynamic as JSON. */
export function tostring(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof KDate) return isoTicks(v.ms);
  return JSON.stringify(v);
}

function isoTicks(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** `tolong`: integers in decimal or 0x-hex text; anything else null. */
function tolong(v: Value): Value {
  if (v === null) return null;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = str(v).trim();
  if (/^[+-]?\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^[+-]?\d*\.\d+$/.test(s)) return Math.trunc(Number(s));
  return null;
}

function equal(x: Value, y: Value, ci: boolean): boolean {
  if (x === null || y === null) return false;
  if (typeof x === 'number' && typeof y === 'number') return x === y;
  if (x instanceof KDate && y instanceof KDate) return x.ms === y.ms;
  if (typeof x === 'boolean' || typeof y === 'boolean') return String(x) === String(y);
  if (typeof x === 'string' && typeof y === 'string') return ci ? x.toLowerCase() === y.toLowerCase() : x === y;
  return ci ? tostring(x).toLowerCase() === tostring(y).toLowerCase() : tostring(x) === tostring(y);
}

function compare(x: Exclude<Value, null>, y: Exclude<Value, null>): number {
  if (x instanceof KDate && y instanceof KDate) return x.ms - y.ms;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  const a = tostring(x);
  const b = tostring(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

function arithmetic(op: string, x: Value, y: Value): Value {
  if (x instanceof KDate && typeof y === 'number') return new KDate(op === '+' ? x.ms + y : op === '-' ? x.ms - y : Number.NaN);
  if (x instanceof KDate && y instanceof KDate && op === '-') return x.ms - y.ms;
  if (typeof x !== 'number' || typeof y !== 'number') return null;
  return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : y === 0 ? null : x / y;
}

/** `has`: the needle is a whole term (runs of letters and digits) or a run of whole terms. */
function hasTerm(hay: string, needle: string): boolean {
  if (needle === '') return true;
  let i = hay.indexOf(needle);
  const word = /[\p{L}\p{N}_]/u;
  while (i >= 0) {
    const before = i === 0 ? '' : (hay[i - 1] as string);
    const after = hay[i + needle.length] ?? '';
    if (!word.test(before) && !word.test(after)) return true;
    i = hay.indexOf(needle, i + 1);
  }
  return false;
}

/** Kusto's RE2 syntax as a JS RegExp: leading inline flags `(?i)` / `(?s)` become JS flags. */
function regex(pattern: string): RegExp {
  return new RegExp(regexSource(pattern), regexFlags(pattern));
}

function regexSource(pattern: string): string {
  return pattern.replace(/^\(\?[is]+\)/, '');
}

function regexFlags(pattern: string): string {
  const m = /^\(\?([is]+)\)/.exec(pattern);
  return m ? [...new Set(m[1])].join('') : '';
}
