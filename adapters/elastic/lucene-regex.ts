/**
 * Lucene regular expressions (what EQL's `regex~`, ES|QL's `RLIKE` and the query DSL's
 * `regexp` run: org.apache.lucene.util.automaton.RegExp, Elasticsearch "Regular expression
 * syntax"). They match the whole value, have no `^`/`$` anchors, no `\d`/`\w`/`\s` shorthand
 * before Lucene 9, and reserve `. ? + * | { } [ ] ( ) " \ # @ & < > ~`: a literal of any of
 * those is escaped with `\`.
 */

const RESERVED = new Set([...'.?+*|{}[]()"\\#@&<>~']);

/** A literal text as a Lucene regex matching exactly it. */
export function luceneLiteral(text: string, fold = false): string {
  let out = '';
  for (const c of text) out += fold ? foldChar(c) : RESERVED.has(c) ? `\\${c}` : c;
  return out;
}

/** One character, matched in either case where it has two (`a` → `[aA]`). */
function foldChar(c: string): string {
  const lo = c.toLowerCase();
  const up = c.toUpperCase();
  if (lo !== up && lo.length === 1 && up.length === 1) return `[${lo}${up}]`;
  return RESERVED.has(c) ? `\\${c}` : c;
}

export class UnsupportedRegexError extends Error {
  override name = 'UnsupportedRegexError';
}

/**
 * A tree regex (JavaScript syntax, matched anywhere in the value unless anchored; evaluate.ts
 * tests it with the `i` flag) as a Lucene regex over the whole value: `^`/`$` at the ends drop
 * the `.*` padding, `\d \w \s` become classes, JavaScript-literal characters Lucene reserves
 * are escaped. `fold` spells every letter in both cases, for engines without a
 * case-insensitive regex operator (ES|QL); EQL's `regex~` and the DSL's `case_insensitive`
 * fold themselves. What Lucene cannot say (look-around, back-references, anchors inside the
 * pattern, lazy quantifiers) throws rather than changing the meaning.
 */
export function luceneRegex(pattern: string, fold = false): string {
  let body = pattern;
  const start = body.startsWith('^');
  if (start) body = body.slice(1);
  const end = body.endsWith('$') && !body.endsWith('\\$');
  if (end) body = body.slice(0, -1);
  const translated = translate(body, fold);
  // A top-level alternation binds looser than the padding: group it first.
  const grouped = hasTopLevelAlternation(body) ? `(${translated})` : translated;
  return `${start ? '' : '.*'}${grouped}${end ? '' : '.*'}`;
}

function translate(src: string, fold: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1];
      i++;
      if (n === undefined) throw new UnsupportedRegexError(`regex ${src} ends in a lone backslash`);
      const shorthand = SHORTHAND[n];
      if (shorthand) out += inClass ? shorthand.inner : `[${shorthand.inner}]`;
      else if (/[1-9bBkpPuxc]/.test(n)) throw new UnsupportedRegexError(`regex escape \\${n} has no Lucene equivalent`);
      else out += fold && !inClass ? foldChar(n) : `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === ']' ? c : fold ? foldClassChar(src, i) : RESERVED.has(c) && c !== '-' ? `\\${c}` : c;
      if (fold && /[a-zA-Z]/.test(c) && src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']') {
        // a range a-z: the folded class gets its other-case range too, appended below.
        const hi = src[i + 2] as string;
        out += `-${hi}${swapCase(c)}-${swapCase(hi)}`;
        i += 2;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    if (c === '^' || c === '$') throw new UnsupportedRegexError(`regex ${src}: anchors are supported only at the ends`);
    if (c === '(' && src[i + 1] === '?') {
      if (src[i + 2] === ':') {
        out += '(';
        i += 2;
        continue;
      }
      throw new UnsupportedRegexError(`regex ${src}: look-around and named groups have no Lucene equivalent`);
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && src[i + 1] === '?') throw new UnsupportedRegexError(`regex ${src}: lazy quantifiers have no Lucene equivalent`);
    if ('"#@&<>~'.includes(c)) {
      out += `\\${c}`;
      continue;
    }
    out += fold && /[a-zA-Z]/.test(c) ? foldChar(c) : c;
  }
  if (inClass) throw new UnsupportedRegexError(`regex ${src} has an unclosed class`);
  return out;
}

function foldClassChar(src: string, i: number): string {
  const c = src[i] as string;
  if (/[a-zA-Z]/.test(c) && src[i + 1] !== '-') return `${c}${swapCase(c)}`;
  return c === '\\' || c === '"' ? `\\${c}` : c;
}

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

const SHORTHAND: Readonly<Record<string, { inner: string }>> = {
  d: { inner: '0-9' },
  w: { inner: '0-9A-Za-z_' },
  s: { inner: ' \\t\\n\\r' },
};

function hasTopLevelAlternation(src: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/**
 * `(value & mask) ≠ 0` over 0x-hex text (how Windows writes AccessMask and UAC-style masks),
 * as a Lucene regex: bit b set means the hex digit b/4 places from the right has bit b%4 set,
 * so each bit of the mask is one alternative. Digits are given in both cases (`0x00000100`,
 * `0X100`, `0xC`): the regex needs no case-insensitive flag. Decimal text is not covered — no
 * regex can test a bit of a decimal number — and Windows writes these masks in hex.
 */
export function hexBitsRegex(mask: number): string {
  if (!Number.isInteger(mask) || mask <= 0 || mask > 0xffffffff) throw new UnsupportedRegexError(`bit mask ${mask} is not a 32-bit positive integer`);
  const alternatives: string[] = [];
  for (let place = 0; place < 8; place++) {
    const nibble = (mask >>> (place * 4)) & 0xf;
    if (nibble === 0) continue;
    const digits = [...Array(16).keys()].filter((d) => (d & nibble) !== 0).map((d) => d.toString(16));
    const cls = digits.map((d) => (/[a-f]/.test(d) ? `${d}${d.toUpperCase()}` : d)).join('');
    alternatives.push(`[${cls}]${place ? `[0-9a-fA-F]{${place}}` : ''}`);
  }
  return `0[xX][0-9a-fA-F]*(${alternatives.join('|')})`;
}
