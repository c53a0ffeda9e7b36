import { SplError } from './spl-eval';
import { call } from './spl-functions';
import { anyPair, bool, fieldValue, num, str, type Compiled, type Value } from './spl-values';

export { fieldValue, toField, type Compiled, type Value } from './spl-values';

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

export function compileExpression(text: string, command: string): Compiled {
  const p: Parser = { tokens: tokenize(text, command), i: 0, command };
  const e = parseBinary(p, 0);
  if (p.i < p.tokens.length) throw malformed(command, `An unexpected character is reached at '${p.tokens[p.i]?.text ?? ''}'`);
  return e;
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
