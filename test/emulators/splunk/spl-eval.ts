/**
 * The SPL subset tierzero emits, evaluated over stored events (research/platforms.md §5.1: no
 * SPL engine, only the whitelist our adapter writes). Anything else is a search error, with
 * Splunk's wording, so a compiler change that strays outside the subset fails loudly:
 *
 *   search <expr> [| eval f=_indextime] [| eval f=if(a=="x" AND …, g, null())] [| fields a b …] [| fields - a …] [| sort 0 a b …] [| dedup a] [| head n]
 *          [| fillnull value=v a …] [| stats count by a b …]
 *     [| where … | eval … | streamstats … | stats … | table …]   (spl-commands.ts, eval expressions in spl-expr.ts)
 *   expr := term | expr [AND] expr | expr OR expr | NOT expr | ( expr ) | `macro` | `macro(arg, …)`
 *   term := field=value | field IN (value, …)     value: "quoted \" string" | bare; * is a wildcard
 *
 * Values compare case-insensitively (as Splunk's search command does); a multivalue field
 * matches when any value does.
 */
import { parseCommand, type Command } from './spl-commands';

export type FieldValue = string | string[];
export type Row = Record<string, FieldValue>;

export class SplError extends Error {
  override name = 'SplError';
}

export type Expr =
  | { readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly op: 'not'; readonly inner: Expr }
  | { readonly op: 'eq'; readonly field: string; readonly values: readonly string[] };

type Stage =
  | { readonly kind: 'eval'; readonly target: string; readonly from: string }
  /** `eval f=if(a=="x" AND b=="y", g, null())`: eval's `==` compares case-sensitively. */
  | { readonly kind: 'evalIf'; readonly target: string; readonly when: readonly (readonly [string, string])[]; readonly from: string }
  | { readonly kind: 'fields'; readonly remove: boolean; readonly names: readonly string[] }
  | { readonly kind: 'sort'; readonly keys: readonly string[] }
  | { readonly kind: 'dedup'; readonly field: string }
  | { readonly kind: 'head'; readonly count: number }
  | { readonly kind: 'fillnull'; readonly value: string; readonly names: readonly string[] }
  | { readonly kind: 'stats'; readonly by: readonly string[] }
  | Command;

/** A macros.conf stanza: a bare definition, or one with arguments (`name(1)`, `args = field`, `$field$`). */
export type MacroDefinition = string | { readonly args: string; readonly definition: string };

export interface Query {
  readonly filter: Expr;
  readonly stages: readonly Stage[];
  /** A reporting command makes Splunk stream preview rows before the final ones. */
  readonly reporting: boolean;
}

export function parseQuery(spl: string, macros: ReadonlyMap<string, MacroDefinition>): Query {
  const expanded = expandMacros(spl, macros, 0);
  const parts = splitPipes(expanded);
  const head = parts.shift()?.trim() ?? '';
  if (!/^search\s/i.test(head)) throw new SplError(`Error in 'SearchParser': tierzero's emulator only runs searches that start with 'search', got ${JSON.stringify(head.slice(0, 40))}`);
  const tokens = tokenize(head.replace(/^search\s+/i, ''));
  const p = { tokens, i: 0 };
  const filter = parseOr(p);
  if (p.i < tokens.length) throw new SplError(`Error in 'search' command: unexpected ${JSON.stringify(tokens[p.i]?.text)}`);
  const stages = parts.map(parseStage);
  return { filter, stages, reporting: stages.some((s) => s.kind === 'sort' || s.kind === 'dedup' || s.kind === 'stats' || (s.kind === 'command' && s.reporting)) };
}

/** A `search` command's expression on its own (for a `| search …` stage after a generating command). */
export function parseSearchExpr(text: string): Expr {
  const tokens = tokenize(text);
  const p = { tokens, i: 0 };
  const e = parseOr(p);
  if (p.i < tokens.length) throw new SplError(`Error in 'search' command: unexpected ${JSON.stringify(tokens[p.i]?.text)}`);
  return e;
}

/**
 * `name` → its definition; `name(a, b)` → stanza `name(2)` with `$arg$` replaced by each
 * argument's text. Definitions may use macros themselves (Splunk expands them too).
 */
export function expandMacros(spl: string, macros: ReadonlyMap<string, MacroDefinition>, depth: number): string {
  if (depth > 20) throw new SplError("Error in 'SearchParser': Macro expansion is too deep (a macro uses itself?).");
  return spl.replace(/`([^`]*)`/g, (_m, call: string) => {
    const m = /^\s*([A-Za-z0-9_.:-]+)\s*(?:\(([\s\S]*)\))?\s*$/.exec(call);
    const args = m?.[2] === undefined ? [] : splitArgs(m[2]);
    const stanza = m === null ? call : args.length ? `${m[1] as string}(${args.length})` : (m[1] as string);
    const def = macros.get(stanza);
    if (def === undefined) throw new SplError(`Error in 'SearchParser': The search specifies a macro '${stanza}' that cannot be found.`);
    let text = typeof def === 'string' ? def : def.definition;
    const names = typeof def === 'string' ? [] : def.args.split(',').map((a) => a.trim()).filter(Boolean);
    if (names.length !== args.length) throw new SplError(`Error in 'SearchParser': The macro '${stanza}' names ${names.length} arguments in its args setting, but the search passes ${args.length}.`);
    names.forEach((n, i) => { text = text.split(`$${n}$`).join(args[i] as string); });
    return `(${expandMacros(text, macros, depth + 1)})`;
  });
}

/** Macro arguments: split on commas outside quotes and parentheses, each substituted as written. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

export function matches(e: Expr, row: Row): boolean {
  switch (e.op) {
    case 'and': return matches(e.left, row) && matches(e.right, row);
    case 'or': return matches(e.left, row) || matches(e.right, row);
    case 'not': return !matches(e.inner, row);
    case 'eq': {
      const v = row[e.field];
      const have = v === undefined ? [] : Array.isArray(v) ? v : [v];
      return e.values.some((want) => have.some((h) => glob(want, h)));
    }
  }
}

/** Applies the pipeline after the search; `rows` arrive in Splunk's default order (newest first). */
export function applyStages(stages: readonly Stage[], rows: Row[]): Row[] {
  let out = rows;
  for (const s of stages) {
    const names = s.kind === 'fields' ? new Set(s.names) : undefined;
    if (s.kind === 'eval') out = out.map((r) => (r[s.from] === undefined ? r : { ...r, [s.target]: r[s.from] as FieldValue }));
    else if (s.kind === 'evalIf') out = out.map((r) => (r[s.from] === undefined || !s.when.every(([f, v]) => r[f] === v) ? r : { ...r, [s.target]: r[s.from] as FieldValue }));
    else if (s.kind === 'fields' && s.remove) out = out.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !names?.has(k))));
    // `fields a b` keeps the listed fields and Splunk's internal `_` fields (removed only by name).
    else if (s.kind === 'fields') out = out.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith('_') || names?.has(k))));
    else if (s.kind === 'sort') out = [...out].sort((a, b) => compareBy(s.keys, a, b));
    else if (s.kind === 'dedup') {
      const seen = new Set<string>();
      out = out.filter((r) => {
        const v = r[s.field];
        if (v === undefined) return false;
        const key = Array.isArray(v) ? v.join('\n') : v;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    } else if (s.kind === 'head') out = out.slice(0, s.count);
    else if (s.kind === 'fillnull') out = out.map((r) => ({ ...r, ...Object.fromEntries(s.names.filter((n) => r[n] === undefined).map((n) => [n, s.value])) }));
    else if (s.kind === 'stats') out = countBy(out, s.by);
    else if (s.kind === 'command') out = s.run(out);
  }
  return out;
}

/** `stats count by a b`: one row per distinct group, sorted by the group (as Splunk outputs it); rows missing a by-field are dropped. */
function countBy(rows: readonly Row[], by: readonly string[]): Row[] {
  const groups = new Map<string, { row: Row; count: number }>();
  for (const r of rows) {
    const values = by.map((f) => { const v = r[f]; return Array.isArray(v) ? v[0] : v; });
    if (values.some((v) => v === undefined)) continue;
    const key = JSON.stringify(values);
    const g = groups.get(key) ?? { row: Object.fromEntries(by.map((f, i) => [f, values[i] as string])), count: 0 };
    g.count++;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ ...g.row, count: String(g.count) })).sort((a, b) => compareBy(by, a, b));
}

function compareBy(keys: readonly string[], a: Row, b: Row): number {
  for (const k of keys) {
    const x = sortValue(a[k], k);
    const y = sortValue(b[k], k);
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

function sortValue(v: FieldValue | undefined, key: string): number | string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  if (key === '_time') return Date.parse(s);
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
}

function glob(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(value);
}

interface Token { readonly text: string; readonly quoted: boolean }

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',' || c === '=') { out.push({ text: c, quoted: false }); i++; continue; }
    if (c === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) { v += s[i + 1]; i += 2; continue; }
        v += s[i];
        i++;
      }
      if (i >= s.length) throw new SplError("Error in 'SearchParser': Missing a closing quotation mark");
      i++;
      out.push({ text: v, quoted: true });
      continue;
    }
    let v = '';
    while (i < s.length && !/[\s()=,"]/.test(s[i] as string)) { v += s[i]; i++; }
    out.push({ text: v, quoted: false });
  }
  return out;
}

interface Parser { tokens: Token[]; i: number }

const peek = (p: Parser): Token | undefined => p.tokens[p.i];
const isWord = (t: Token | undefined, w: string): boolean => t !== undefined && !t.quoted && t.text.toUpperCase() === w;

function parseOr(p: Parser): Expr {
  let left = parseAnd(p);
  while (isWord(peek(p), 'OR')) {
    p.i++;
    left = { op: 'or', left, right: parseAnd(p) };
  }
  return left;
}

function parseAnd(p: Parser): Expr {
  let left = parseUnary(p);
  for (;;) {
    const t = peek(p);
    if (t === undefined || isWord(t, 'OR') || (t.text === ')' && !t.quoted)) return left;
    if (isWord(t, 'AND')) p.i++;
    left = { op: 'and', left, right: parseUnary(p) };
  }
}

function parseUnary(p: Parser): Expr {
  const t = peek(p);
  if (t === undefined) throw new SplError("Error in 'search' command: the search ends too early");
  if (isWord(t, 'NOT')) {
    p.i++;
    return { op: 'not', inner: parseUnary(p) };
  }
  if (t.text === '(' && !t.quoted) {
    p.i++;
    const e = parseOr(p);
    if (peek(p)?.text !== ')') throw new SplError("Error in 'search' command: Mismatched parentheses");
    p.i++;
    return e;
  }
  return parseTerm(p);
}

function parseTerm(p: Parser): Expr {
  const field = p.tokens[p.i++];
  if (!field || field.quoted || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field.text)) throw new SplError(`Error in 'search' command: tierzero's emulator does not search free text (${JSON.stringify(field?.text)})`);
  const next = p.tokens[p.i++];
  if (next?.text === '=' && !next.quoted) {
    const value = p.tokens[p.i++];
    if (!value) throw new SplError(`Error in 'search' command: ${field.text}= has no value`);
    return { op: 'eq', field: field.text, values: [value.text] };
  }
  if (isWord(next, 'IN')) {
    if (p.tokens[p.i++]?.text !== '(') throw new SplError(`Error in 'search' command: IN needs a parenthesised list`);
    const values: string[] = [];
    for (;;) {
      const v = p.tokens[p.i++];
      if (!v) throw new SplError("Error in 'search' command: Mismatched parentheses");
      if (v.text === ')' && !v.quoted) break;
      if (v.text === ',' && !v.quoted) continue;
      values.push(v.text);
    }
    return { op: 'eq', field: field.text, values };
  }
  throw new SplError(`Error in 'search' command: unexpected ${JSON.stringify(next?.text)} after ${field.text}`);
}

export function parseStage(text: string): Stage {
  const t = text.trim();
  let m = /^eval\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z_][A-Za-z0-9_.]*)$/.exec(t);
  if (m) return { kind: 'eval', target: m[1] as string, from: m[2] as string };
  m = /^eval\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*if\((.+),\s*([A-Za-z_][A-Za-z0-9_.]*)\s*,\s*null\(\)\)$/.exec(t);
  if (m) return { kind: 'evalIf', target: m[1] as string, when: conditions(m[2] as string), from: m[3] as string };
  m = /^fields\s+-\s+(.+)$/.exec(t);
  if (m) return { kind: 'fields', remove: true, names: (m[1] as string).split(/[\s,]+/) };
  m = /^fields\s+(.+)$/.exec(t);
  if (m) return { kind: 'fields', remove: false, names: (m[1] as string).split(/[\s,]+/) };
  m = /^sort\s+0\s+(.+)$/.exec(t);
  if (m) return { kind: 'sort', keys: (m[1] as string).split(/[\s,]+/) };
  m = /^dedup\s+([A-Za-z_][A-Za-z0-9_.]*)$/.exec(t);
  if (m) return { kind: 'dedup', field: m[1] as string };
  m = /^fillnull\s+value=("[^"]*"|\S+)\s+(.+)$/.exec(t);
  if (m) return { kind: 'fillnull', value: (m[1] as string).replace(/^"|"$/g, ''), names: (m[2] as string).split(/[\s,]+/) };
  m = /^stats\s+count\s+by\s+(.+)$/.exec(t);
  if (m) return { kind: 'stats', by: (m[1] as string).split(/[\s,]+/) };
  m = /^head\s+(\d+)$/.exec(t);
  if (m) return { kind: 'head', count: Number(m[1]) };
  const command = parseCommand(t);
  if (command) return command;
  throw new SplError(`Error in 'SearchParser': Unknown search command '${t.split(/\s/)[0] ?? ''}'.`);
}

function conditions(text: string): [string, string][] {
  return text.split(/\s+AND\s+/).map((c) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*==\s*"((?:\\.|[^"\\])*)"\s*$/.exec(c);
    if (!m) throw new SplError(`Error in 'eval' command: tierzero's emulator only evaluates field=="value" conditions, got ${JSON.stringify(c)}`);
    return [m[1] as string, (m[2] as string).replace(/\\(.)/g, '$1')];
  });
}

/** Splits on pipes outside quotes. */
function splitPipes(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if (c === '"') quoted = !quoted;
    if (c === '|' && !quoted) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}
