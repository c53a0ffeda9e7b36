/**
 * JSON text of a parsed value, cut at `maxChars`, without recursion: quarantine must describe
 * any record a source produced, and a 10 KB line of 5,000 nested `[` overflows the stack of
 * `JSON.stringify` and `String()` (issue 12, item 1). Same output as `JSON.stringify` for
 * values that fit; longer ones end in `…`.
 */
export const RAW_PREFIX_CHARS = 4096;

type Frame =
  | { readonly array: readonly unknown[]; i: number }
  | { readonly object: Record<string, unknown>; readonly keys: readonly string[]; i: number; wrote: boolean };

export function boundedJson(value: unknown, maxChars = RAW_PREFIX_CHARS): string {
  let out = '';
  const stack: Frame[] = [];
  let next: { value: unknown } | undefined = { value };
  while (out.length <= maxChars) {
    if (next) {
      const v = next.value;
      next = undefined;
      if (Array.isArray(v)) {
        out += '[';
        stack.push({ array: v, i: 0 });
      } else if (v !== null && typeof v === 'object') {
        out += '{';
        stack.push({ object: v as Record<string, unknown>, keys: Object.keys(v), i: 0, wrote: false });
      } else {
        out += scalar(v) ?? 'null';
      }
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) break;
    if ('array' in top) {
      if (top.i >= top.array.length) {
        out += ']';
        stack.pop();
        continue;
      }
      if (top.i > 0) out += ',';
      const item = top.array[top.i++];
      next = { value: omitted(item) ? null : item };
      continue;
    }
    if (top.i >= top.keys.length) {
      out += '}';
      stack.pop();
      continue;
    }
    const key = top.keys[top.i++] as string;
    const item = top.object[key];
    if (omitted(item)) continue;
    out += `${top.wrote ? ',' : ''}${JSON.stringify(key)}:`;
    top.wrote = true;
    next = { value: item };
  }
  return out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}

/** The text of a raw line, cut at `maxChars` the same way. */
export function boundedText(text: string, maxChars = RAW_PREFIX_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return String(v);
  return undefined;
}
