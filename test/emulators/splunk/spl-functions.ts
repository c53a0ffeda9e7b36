import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { SplError } from './spl-eval';
import { anyPair, bool, each, first, num, NUMERIC, str, type Compiled, type Value } from './spl-values';

/**
 * The evaluation functions of tierzero's native searches, as the Search Reference documents
 * them ("Evaluation functions"): null in gives null out except where a function exists for null;
 * a multivalue gives its first value except to the mv-aware ones (mvindex, mvcount, coalesce, in).
 */
export function call(name: string, args: readonly Compiled[], literals: readonly (string | number | undefined)[], cmd: string): Compiled {
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

/**
 * PCRE's subject anchors (`\A` start, `\z` and `\Z` end) in JavaScript's terms; JavaScript reads
 * `\A`/`\z` as the letters themselves, so they must be rewritten, never passed through.
 */
function jsAnchors(body: string): string {
  return body.replace(/(\\*)\\([AzZ])/g, (m: string, slashes: string, a: string) => (slashes.length % 2 === 1 ? m : `${slashes}${a === 'A' ? '^' : a === 'Z' ? '(?=\\n?$)' : '$'}`));
}

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
    re = new RegExp(jsAnchors(body), flags + global);
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
