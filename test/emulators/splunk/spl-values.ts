import { SplError, type FieldValue, type Row } from './spl-eval';

/**
 * Eval values and the rules Splunk applies to them (Search Reference, "eval command"): null,
 * numbers, texts, booleans and multivalues; how a field reads and how a result is stored.
 */
export type Value = null | number | string | boolean | readonly string[];
export type Compiled = (row: Row) => Value;

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

export const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

export function first(v: Value): Exclude<Value, readonly string[]> {
  return Array.isArray(v) ? (v[0] ?? null) : (v as Exclude<Value, readonly string[]>);
}

export function each(v: Value): Exclude<Value, readonly string[]>[] {
  return Array.isArray(v) ? [...v] : [v as Exclude<Value, readonly string[]>];
}

export function str(v: Value): string | null {
  const f = first(v);
  return f === null ? null : typeof f === 'number' ? String(f) : typeof f === 'boolean' ? (f ? 'true' : 'false') : f;
}

export function num(v: Value): number | null {
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
export function anyPair(a: Value, b: Value, test: (c: number) => boolean): boolean | null {
  if (a === null || b === null) return null;
  for (const x of each(a)) for (const y of each(b)) if (test(compare(x, y) as number)) return true;
  return false;
}

export function bool(v: Value, command: string, op: string): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw new SplError(`Error in '${command}' command: Type checking failed. '${op}' only takes boolean arguments.`);
}
