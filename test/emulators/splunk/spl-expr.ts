import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { SplError, type FieldValue, type Row } from './spl-eval';

/**
 * Splunk's eval expressions (Search Reference, "Evaluation functions" and "eval command"), the
 * subset tierzero's native searches use, compiled once into closures over a row:
 * - values are null, numbers, strings, booleans, or multivalues (a field with several values);
 * - null propagates: an operator or function over null gives null, except the ones made for it
 *   (`coalesce`, `isnull`, `isnotnull`, `if`/`case` branches, `nullif`); `AND`/`OR` are
 *   three-valued (false AND null is false, true OR null is true); `where` keeps only true;
 * - comparisons are case-sensitive (unlike `search`): `lower()` is how a search ignores case;
 *   a number against a numeric text compares as numbers, two texts compare as texts;
 * - `=`/`!=`/`<`… and `in()` on a multivalue field hold when any value does; other functions
 *   read a multivalue's first value, except the mv-aware ones (`mvindex`, `mvcount`, `coalesce`);
 * - field names: bare (`Status`), or single-quoted when they hold dots (`'properties.ipAddress'`);
 *   `_time` reads as epoch seconds, as eval sees it.
 */
export type Value = null | number | string | boolean | readonly string[];
export type Compiled = (row: Row) => Value;

export function compileExpression(text: string, command: string): Compiled {
  const p: Parser = { tokens: tokenize(text, command), i: 0, command };
  const e = parseBinary(p, 0);
  if (p.i < p.tokens.length) throw malformed(command, `An unexpected character is reached at '${p.tokens[p.i]?.text ?? ''}'`);
  return e;
}

/** What an eval assignment stores in the row: numbers as Splunk renders them, null as no field. */
export function toField(v: Value, command: string, target: string): FieldValue | undefined {
  if (v === null) return undefined;
  if (typeof v === 'boolean') throw new SplError(`Error in '${command}' command: Fields cannot be assigned a boolean result. Instead, try if([bool expr], [expr], [expr]). (${target})`);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.length === 1 ? (v[0] as string) : [...v];
  return v as string;
}

/** A field as eval reads it. */
export function fieldValue(row: Row, name: string): Value {
  const v = row[name];
  if (v === undefined) return null;
  if (name === '_time' && typeof v === 'string') {
    const ms = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    return Number.isFinite(ms) ? ms / 1000 : null;
  }
  if (Array.isArray(v)) return v.length === 0 ? null : v;
  return v as string;
}

// ---- values

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function first(v: Value): Exclude<Value, readonly string[]> {
  return Array.isArray(v) ? (v[0] ?? null) : (v as Exclude<Value, readonly string[]>);
}

function each(v: Value): Exclude<Value, readonly string[]>[] {
  return Array.isArray(v) ? [...v] : [v as Exclude<Value, readonly string[]>];
}

function str(v: Value): string | null {
  const f = first(v);
  return f === null ? null : typeof f === 'number' ? String(f) : typeof f === 'boolean' ? (f ? 'true' : 'false') : f;
}

function num(v: Value): number | null {
  const f = first(v);
  if (typeof f === 'number') return f;
  if (typeof f === 'string' && NUMERIC.test(f)) return Number(f);
  return null;
}

/** -1/0/1, or null when either side is null. */
function compare(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = num(a);
    const y = num(b);
    if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = str(a) as string;
  const y = str(b) as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Any value of a multivalue side satisfying `test` makes the comparison hold. */
function anyPair(a: Value, b: Value, test: (c: number) => boolean): boolean | null {
  if (a === null || b === null) return null;
  for (const x of each(a)) for (const y of each(b)) if (test(compare(x, y) as number)) return true;
  return false;
}

function bool(v: Value, command: string, op: string): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw new SplError(`Error in '${command}' command: Type checking failed. '${op}' only takes boolean arguments.`);
}

// ---- tokens

interface Token { readonly kind: 'num' | 'str' | 'field' | 'word' | 'op'; readonly text: string; readonly value?: string | number }
interface Parser { readonly tokens: Token[]; i: number; readonly command: string }

function malformed(command: string, why: string): SplError {
  return new SplError(`Error in '${command}' command: The expression is malformed. ${why}.`);
}

function tokenize(s: string, command: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    const two = s.slice(i, i + 2);
    if (['==', '!=', '<=', '>='].includes(two)) { out.push({ kind: 'op', text: two }); i += 2; continue; }
    if ('()<>=,+-*/%.'.includes(c) && !(c === '.' && /\d/.test(s[i + 1] ?? ''))) { out.push({ kind: 'op', text: c }); i++; continue; }
    if (c === '"' || c === "'") {
      let v = '';
      i++;
      while (i < s.length && s[i] !== c) {
        // `\\` and `\"` are escapes; any other backslash stays (regex escapes pass through).
        if (s[i] === '\\' && (s[i + 1] === '\\' || s[i + 1] === c)) { v += s[i + 1]; i += 2; continue; }
        v += s[i++];
      }
      if (i >= s.length) throw malformed(command, 'Missing a closing quotation mark');
      i++;
      out.push(c === '"' ? { kind: 'str', text: v, value: v } : { kind: 'field', text: v });
      continue;
    }
    const n = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
    if (n) { out.push({ kind: 'num', text: n[0], value: Number(n[0]) }); i += n[0].length; continue; }
    const w = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (!w) throw malformed(command, `An unexpected character is reached at '${s.slice(i, i + 20)}'`);
    out.push({ kind: 'word', text: w[0] });
    i += w[0].length;
  }
  return out;
}

// ---- parser: OR < XOR < AND < NOT < comparison < + - . < * / %

const LEVELS: readonly (readonly string[])[] = [['OR'], ['XOR'], ['AND'], ['NOT'], ['=', '==', '!=', '<', '<=', '>', '>='], ['+', '-', '.'], ['*', '/', '%']];

function isOp(t: Token | undefined, ops: readonly string[]): boolean {
  return t !== undefined && (t.kind === 'op' || t.kind === 'word') && ops.includes(t.text);
}

function parseBinary(p: Parser, level: number): Compiled {
  if (level >= LEVELS.length) return parseUnary(p);
  const ops = LEVELS[level] as readonly string[];
  if (ops[0] === 'NOT') {
    if (isOp(p.tokens[p.i], ops)) {
      p.i++;
      const inner = parseBinary(p, level);
      const cmd = p.command;
      return (r) => {
        const v = bool(inner(r), cmd, 'NOT');
        return v === null ? null : !v;
      };
    }
    return parseBinary(p, level + 1);
  }
  let left = parseBinary(p, level + 1);
  while (isOp(p.tokens[p.i], ops)) {
    const op = (p.tokens[p.i++] as Token).text;
    left = binary(op, left, parseBinary(p, level + 1), p.command);
  }
  return left;
}

function binary(op: string, a: Compiled, b: Compiled, cmd: string): Compiled {
  switch (op) {
    case 'AND': return (r) => {
      const x = bool(a(r), cmd, 'AND');
      if (x === false) return false;
      const y = bool(b(r), cmd, 'AND');
      return y === false ? false : x === null || y === null ? null : true;
    };
    case 'OR': return (r) => {
      const x = bool(a(r), cmd, 'OR');
      if (x === true) return true;
      const y = bool(b(r), cmd, 'OR');
      return y === true ? true : x === null || y === null ? null : false;
    };
    case 'XOR': return (r) => {
      const x = bool(a(r), cmd, 'XOR');
      const y = bool(b(r), cmd, 'XOR');
      return x === null || y === null ? null : x !== y;
    };
    case '=': case '==': return (r) => anyPair(a(r), b(r), (c) => c === 0);
    case '!=': return (r) => anyPair(a(r), b(r), (c) => c !== 0);
    case '<': return (r) => anyPair(a(r), b(r), (c) => c < 0);
    case '<=': return (r) => anyPair(a(r), b(r), (c) => c <= 0);
    case '>': return (r) => anyPair(a(r), b(r), (c) => c > 0);
    case '>=': return (r) => anyPair(a(r), b(r), (c) => c >= 0);
    case '.': return (r) => {
      const x = str(a(r));
      const y = str(b(r));
      return x === null || y === null ? null : x + y;
    };
    default: return (r) => arithmetic(op, a(r), b(r));
  }
}

function arithmetic(op: string, a: Value, b: Value): Value {
  const x = num(a);
  const y = num(b);
  if (op === '+' && (x === null || y === null)) {
    // `+` on texts concatenates, as in Splunk.
    const s = str(a);
    const t = str(b);
    return s === null || t === null ? null : s + t;
  }
  if (x === null || y === null) return null;
  if (op === '+') return x + y;
  if (op === '-') return x - y;
  if (op === '*') return x * y;
  if (y === 0) return null;
  return op === '/' ? x / y : x % y;
}

function parseUnary(p: Parser): Compiled {
  const t = p.tokens[p.i++];
  if (t === undefined) throw malformed(p.command, 'The expression ends too early');
  if (t.kind === 'num' || t.kind === 'str') {
    const v = t.value as string | number;
    return () => v;
  }
  if (t.kind === 'field') return (r) => fieldValue(r, t.text);
  if (t.kind === 'op' && t.text === '-') {
    const inner = parseUnary(p);
    return (r) => {
      const n = num(inner(r));
      return n === null ? null : -n;
    };
  }
  if (t.kind === 'op' && t.text === '(') {
    const e = parseBinary(p, 0);
    if (p.tokens[p.i++]?.text !== ')') throw malformed(p.command, 'Mismatched parentheses');
    return e;
  }
  if (t.kind === 'word' && !LEVELS.flat().includes(t.text)) {
    if (p.tokens[p.i]?.text === '(') {
      p.i++;
      const args: Compiled[] = [];
      const literals: (string | number | undefined)[] = [];
      if (p.tokens[p.i]?.text === ')') p.i++;
      else {
        for (;;) {
          const at = p.tokens[p.i];
          args.push(parseBinary(p, 0));
          literals.push(p.tokens[p.i - 1] === at && (at?.kind === 'str' || at?.kind === 'num') ? at.value : undefined);
          const sep = p.tokens[p.i++];
          if (sep?.text === ')') break;
          if (sep?.text !== ',') throw malformed(p.command, `Mismatched parentheses in ${t.text}()`);
        }
      }
      return call(t.text, args, literals, p.command);
    }
    return (r) => fieldValue(r, t.text);
  }
  throw malformed(p.command, `An unexpected character is reached at '${t.text}'`);
}

// ---- functions

function call(name: string, args: readonly Compiled[], literals: readonly (string | number | undefined)[], cmd: string): Compiled {
  const arity = (min: number, max = min): void => {
    if (args.length < min || args.length > max) throw new SplError(`Error in '${cmd}' command: The arguments to the '${name}' function are invalid.`);
  };
  const [a, b, c] = args as [Compiled, Compiled, Compiled];
  switch (name) {
    case 'true': arity(0); return () => true;
    case 'false': arity(0); return () => false;
    case 'null': arity(0); return () => null;
    case 'isnull': arity(1); return (r) => a(r) === null;
    case 'isnotnull': arity(1); return (r) => a(r) !== null;
    case 'coalesce': arity(1, 100); return (r) => {
      for (const f of args) {
        const v = f(r);
        if (v !== null) return v;
      }
      return null;
    };
    case 'nullif': arity(2); return (r) => {
      const x = a(r);
      return anyPair(x, b(r), (k) => k === 0) === true ? null : x;
    };
    case 'if': arity(3); return (r) => (bool(a(r), cmd, 'if') === true ? b(r) : c(r));
    case 'case': {
      if (args.length === 0 || args.length % 2 !== 0) arity(-1);
      return (r) => {
        for (let i = 0; i < args.length; i += 2) if (bool((args[i] as Compiled)(r), cmd, 'case') === true) return (args[i + 1] as Compiled)(r);
        return null;
      };
    }
    case 'in': arity(2, 10_000); return (r) => {
      const x = a(r);
      if (x === null) return null;
      for (let i = 1; i < args.length; i++) if (anyPair(x, (args[i] as Compiled)(r), (k) => k === 0) === true) return true;
      return false;
    };
    case 'mvindex': arity(2, 3); return (r) => mvindex(a(r), num(b(r)), args.length === 3 ? num(c(r)) : undefined);
    case 'mvcount': arity(1); return (r) => {
      const v = a(r);
      return v === null ? null : Array.isArray(v) ? v.length : 1;
    };
    case 'lower': case 'upper': arity(1); return (r) => {
      const s = str(a(r));
      return s === null ? null : name === 'lower' ? s.toLowerCase() : s.toUpperCase();
    };
    case 'len': arity(1); return (r) => str(a(r))?.length ?? null;
    case 'tostring': arity(1); return (r) => str(a(r));
    case 'tonumber': arity(1, 2); return (r) => tonumber(a(r), args.length === 2 ? num(b(r)) : 10);
    case 'substr': arity(2, 3); return (r) => substr(str(a(r)), num(b(r)), args.length === 3 ? num(c(r)) : undefined);
    case 'match': arity(2); {
      const fixed = typeof literals[1] === 'string' ? pcre(literals[1], cmd) : undefined;
      return (r) => {
        const s = str(a(r));
        const re = fixed ?? pcre(str(b(r)), cmd);
        return s === null || re === null ? null : re.test(s);
      };
    }
    case 'replace': arity(3); {
      const fixed = typeof literals[1] === 'string' ? pcre(literals[1], cmd, 'g') : undefined;
      return (r) => {
        const s = str(a(r));
        const re = fixed ?? pcre(str(b(r)), cmd, 'g');
        const to = str(c(r));
        // PCRE's `\1` back-references are JavaScript's `$1`; a literal `$` stays literal.
        return s === null || re === null || to === null ? null : s.replace(re, to.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1'));
      };
    }
    case 'cidrmatch': arity(2); return (r) => cidrmatch(str(a(r)), str(b(r)));
    case 'bit_and': case 'bit_or': case 'bit_xor': arity(2, 100); return (r) => bitwise(name, args.map((f) => num(f(r))));
    default: throw new SplError(`Error in '${cmd}' command: The '${name}' function is unsupported or undefined.`);
  }
}

function mvindex(v: Value, start: number | null, end: number | null | undefined): Value {
  if (v === null || start === null || end === null) return null;
  const list = each(v);
  const at = (i: number): number => (i < 0 ? list.length + i : i);
  const s = at(Math.trunc(start));
  if (end === undefined) return s >= 0 && s < list.length ? (list[s] as Value) : null;
  const slice = list.slice(Math.max(0, s), at(Math.trunc(end)) + 1).map((x) => str(x) as string);
  return slice.length === 0 ? null : slice.length === 1 ? (slice[0] as string) : slice;
}

function tonumber(v: Value, base: number | null): number | null {
  const f = first(v);
  if (f === null || base === null) return null;
  if (typeof f === 'number') return base === 10 ? f : null;
  const s = String(f).trim();
  if (base === 10) return NUMERIC.test(s) ? Number(s) : null;
  if (!Number.isInteger(base) || base < 2 || base > 36) return null;
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  const body = s.replace(/^[+-]/, '').toLowerCase();
  if (body === '' || [...body].some((d) => !digits.includes(d))) return null;
  return (s.startsWith('-') ? -1 : 1) * Number.parseInt(body, base);
}

/** 1-based start; a negative start counts from the end (Splunk's substr). */
function substr(s: string | null, start: number | null, length: number | null | undefined): string | null {
  if (s === null || start === null || length === null) return null;
  const from = start < 0 ? Math.max(0, s.length + start) : Math.max(0, start - 1);
  return length === undefined ? s.slice(from) : s.slice(from, from + Math.max(0, length));
}

const REGEX_CACHE = new Map<string, RegExp>();

/** A PCRE pattern as JavaScript runs it: a leading `(?i)` is the `i` flag; other inline flags are refused. */
function pcre(pattern: string | null, cmd: string, global = ''): RegExp | null {
  if (pattern === null) return null;
  let re = REGEX_CACHE.get(global + pattern);
  if (re) return re;
  const m = /^\(\?([imsx]+)\)/.exec(pattern);
  const flags = m ? (m[1] as string).replace('x', '') : '';
  const body = m ? pattern.slice(m[0].length) : pattern;
  if (/\(\?[imsx]+\)/.test(body)) throw new SplError(`Error in '${cmd}' command: tierzero's emulator runs inline regex flags only at the start of a pattern (${JSON.stringify(pattern)})`);
  try {
    re = new RegExp(body, flags + global);
  } catch (e) {
    throw new SplError(`Error in '${cmd}' command: Regex: ${(e as Error).message}`);
  }
  REGEX_CACHE.set(global + pattern, re);
  return re;
}

function cidrmatch(cidr: string | null, ip: string | null): boolean | null {
  if (cidr === null || ip === null) return null;
  const [net, bits] = cidr.split('/');
  const family = net !== undefined && isIPv4(net) ? 'ipv4' : net !== undefined && isIPv6(net) ? 'ipv6' : undefined;
  const prefix = Number(bits ?? (family === 'ipv4' ? 32 : 128));
  if (!family || !Number.isInteger(prefix)) return false;
  const addr = ip.trim();
  if (!(family === 'ipv4' ? isIPv4(addr) : isIPv6(addr))) return false;
  const list = new BlockList();
  list.addSubnet(net as string, prefix, family);
  return list.check(addr, family);
}

function bitwise(name: string, values: readonly (number | null)[]): number | null {
  if (values.some((v) => v === null || !Number.isInteger(v) || (v as number) < 0)) return null;
  const big = values.map((v) => BigInt(v as number));
  const out = big.reduce((x, y) => (name === 'bit_and' ? x & y : name === 'bit_or' ? x | y : x ^ y));
  return Number(out);
}
