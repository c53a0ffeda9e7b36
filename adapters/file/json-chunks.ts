/**
 * `JSON.stringify(value)` as a sequence of pieces whose concatenation is exactly that text, so
 * a large document (a month of state: 140 MB at 10 M events) is written and hashed piece by
 * piece instead of as one string beside the object it came from.
 *
 * Arrays and plain objects are descended to any depth, and each property is read once, when
 * the writer reaches it: a snapshot whose columns are getters made when read
 * (core/state/made-when-read.ts) has one column at a time in memory, not its whole section
 * (issue 13: at 10 M / 100 k the save built each section whole, +83 MB of heap at its start).
 * A run of primitives in an array is one `JSON.stringify` per `sliceLength` elements, so no
 * column is one multi-MB string either. Anything else (a Map, a typed array, a class instance)
 * is left to one `JSON.stringify`.
 */
export function* jsonChunks(value: unknown, options: JsonChunksOptions = {}): Generator<string> {
  const batchChars = options.batchChars ?? BATCH_CHARS;
  const w = new Writer(options.sliceLength ?? SLICE_LENGTH);
  const v = toJsonValue(value, '');
  // JSON.stringify returns undefined here; the document is never one (a state is an object).
  if (omitted(v)) w.out = 'null';
  else w.write(v);
  // Pieces are small (one property or one run of an array), and each one the consumer took
  // cost a native hash update and a generator hop: joined into batches of ~64 k characters
  // the save makes a few hundred of them instead.
  while (w.step()) {
    if (w.out.length > 0 && w.out.length >= batchChars) {
      yield w.out;
      w.out = '';
    }
  }
  if (w.out !== '') yield w.out;
}

export interface JsonChunksOptions {
  /** Text is yielded once at least this many characters are made; 0 yields each step's text. */
  readonly batchChars?: number;
  /** Elements of an array written by one `JSON.stringify`, at most. */
  readonly sliceLength?: number;
}

const BATCH_CHARS = 64 * 1024;
/** 16 k numbers of a column are ~250 kB of text: bounded, and few enough calls to cost nothing. */
const SLICE_LENGTH = 16 * 1024;

/** An object or array being written: its next property or element is `at`. */
interface Open {
  readonly value: object;
  /** The object's keys, listed when it was opened (as JSON.stringify lists them); null for an array. */
  readonly keys: readonly string[] | null;
  /** An array's length, read once when it was opened (as JSON.stringify reads it). */
  readonly length: number;
  at: number;
  first: boolean;
}

/**
 * The walk as an explicit stack, not nested generators: a piece yielded through a `yield*`
 * chain costs a hop per level, and the state's small records (a detector's rows of tuples)
 * made that most of the save's time.
 */
class Writer {
  out = '';
  private readonly stack: Open[] = [];
  /** The objects being written: JSON.stringify refuses a cycle, and so must this. */
  private readonly opened = new Set<object>();

  constructor(private readonly sliceLength: number) {}

  /** Writes `v`, already read from its holder, through its toJSON, and not omitted: whole, or by opening it. */
  write(v: unknown): void {
    // A BigInt with no toJSON: JSON.stringify throws its TypeError.
    if (isScalar(v) || typeof v === 'bigint') {
      this.out += JSON.stringify(v);
      return;
    }
    const o = v as object;
    if (Array.isArray(o)) this.open(o, null, '[');
    else if (isPlain(o) || hasToJson(o)) this.open(o, Object.keys(o), '{');
    // A Map, a typed array, a class instance, a boxed primitive: as JSON.stringify writes it.
    else this.out += JSON.stringify(o);
  }

  /** Writes the next property or run of elements of the innermost open value; false once all is written. */
  step(): boolean {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return false;
    if (top.keys !== null) this.property(top, top.keys);
    else this.elements(top, top.value as readonly unknown[]);
    return true;
  }

  private open(o: object, keys: readonly string[] | null, bracket: string): void {
    if (this.opened.has(o)) throw new TypeError('Converting circular structure to JSON');
    this.opened.add(o);
    this.stack.push({ value: o, keys, length: keys === null ? (o as unknown[]).length : 0, at: 0, first: true });
    this.out += bracket;
  }

  private close(top: Open, bracket: string): void {
    this.stack.pop();
    this.opened.delete(top.value);
    this.out += bracket;
  }

  /** Each property is read once, when the walk reaches it: a getter makes its value only then. */
  private property(top: Open, keys: readonly string[]): void {
    if (top.at >= keys.length) {
      this.close(top, '}');
      return;
    }
    const key = keys[top.at++] as string;
    const item = toJsonValue((top.value as Record<string, unknown>)[key], key);
    if (omitted(item)) return;
    this.out += `${top.first ? '' : ','}${JSON.stringify(key)}:`;
    top.first = false;
    this.write(item);
  }

  /**
   * Each element read once: primitives are gathered into a run written by one `JSON.stringify`
   * (which writes a hole, undefined, a function or a symbol as null, as it does in the whole
   * array); an object element is written on its own, through its toJSON with its own index.
   */
  private elements(top: Open, a: readonly unknown[]): void {
    if (top.at >= top.length) {
      this.close(top, ']');
      return;
    }
    const sep = top.first ? '' : ',';
    top.first = false;
    const first = a[top.at];
    if (!isScalar(first) && !omitted(first)) {
      const v = toJsonValue(first, String(top.at++));
      this.out += sep;
      if (omitted(v)) this.out += 'null';
      else this.write(v);
      return;
    }
    const end = Math.min(top.length, top.at + this.sliceLength);
    let i = top.at + 1;
    while (i < end && (isScalar(a[i]) || omitted(a[i]))) i++;
    const run = JSON.stringify(a.slice(top.at, i));
    top.at = i;
    this.out += `${sep}${run.slice(1, -1)}`;
  }
}

/** What `JSON.stringify` serialises in place of `v`: its `toJSON(key)` when it has one (a BigInt may, too). */
function toJsonValue(v: unknown, key: string): unknown {
  if (((v !== null && typeof v === 'object') || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function') return (v as { toJSON: (k: string) => unknown }).toJSON(key);
  return v;
}

/** A value `JSON.stringify` writes by itself, with no toJSON to call on it: null, a string, a number, a boolean. */
function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Values `JSON.stringify` drops from objects and writes as `null` in arrays. */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** Arrays and plain objects only: a Map, a typed array or a class instance is left to JSON.stringify. */
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * An object whose toJSON returned another object with a toJSON: JSON.stringify calls toJSON
 * once per value, so this one is written property by property, as JSON.stringify does.
 */
function hasToJson(v: object): boolean {
  return typeof (v as { toJSON?: unknown }).toJSON === 'function';
}
