import { StateInvalidError } from './state-errors';

/**
 * The typed half of a snapshot codec (issue 13, item 2): a saved value is read through these
 * checks, never cast, so a bad snapshot throws StateInvalidError naming the path of the first
 * bad value (`sources.3.1`) instead of surfacing later as a NaN or a crash in a detector.
 * Rows are saved as tuples, not objects: a 60-byte field name per row per field was most of
 * a detector section's JSON.
 */
export class SavedReader {
  constructor(readonly where: string) {}

  fail(path: string, problem: string): never {
    throw new StateInvalidError(this.where, path, problem);
  }

  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a finite number, is ${show(v)}`);
    return v;
  }

  count(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(path, `must be a non-negative integer, is ${show(v)}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `must be a string, is ${show(v)}`);
    return v;
  }

  /** A saved optional value: null stands for "absent" in a tuple. */
  optional<T>(v: unknown, path: string, read: (v: unknown, path: string) => T): T | undefined {
    return v === null || v === undefined ? undefined : read(v, path);
  }

  /** An array of exactly `length` items (a row's tuple). */
  tuple(v: unknown, path: string, length: number): readonly unknown[] {
    if (!Array.isArray(v) || v.length !== length) this.fail(path, `must be an array of ${length}, is ${show(v)}`);
    return v;
  }

  /** An array of at most `cap` items, each read by `item`. */
  list<T>(v: unknown, path: string, cap: number, item: (v: unknown, path: string) => T): T[] {
    if (!Array.isArray(v)) this.fail(path, `must be an array, is ${show(v)}`);
    if (v.length > cap) this.fail(path, `must hold at most ${cap} items, holds ${v.length}`);
    return v.map((x, i) => item(x, `${path}.${i}`));
  }

  /** A flat `[a, b, a, b, …]` list of at most `cap` pairs, each half read by its own reader. */
  pairs<A, B>(v: unknown, path: string, cap: number, first: (v: unknown, path: string) => A, second: (v: unknown, path: string) => B): [A, B][] {
    const flat = this.list(v, path, 2 * cap, (x) => x);
    if (flat.length % 2 !== 0) this.fail(path, 'must be a flat list of pairs, has an odd length');
    const out: [A, B][] = [];
    for (let i = 0; i < flat.length; i += 2) out.push([first(flat[i], `${path}.${i}`), second(flat[i + 1], `${path}.${i + 1}`)]);
    return out;
  }

  record(v: unknown, path: string): Readonly<Record<string, unknown>> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `must be an object, is ${show(v)}`);
    return v as Record<string, unknown>;
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Adds `item` to a capped list: past `cap` the oldest goes. */
export function pushCapped<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

/** A detector's saved section opened for its restore: its reader, its fields, and when it started learning. */
export interface OpenedSection {
  readonly read: SavedReader;
  readonly section: Readonly<Record<string, unknown>>;
  readonly since: number | undefined;
}

/** `saved` (undefined: a fresh detector) read as detector `id`'s section: a bad one throws naming `detectors.<id>`. */
export function openSection(id: string, saved: unknown): OpenedSection {
  const read = new SavedReader(`detectors.${id}`);
  const section = saved === undefined ? {} : read.record(saved, '(section)');
  return { read, section, since: read.optional(section['since'], 'since', (x, p) => read.number(x, p)) };
}
