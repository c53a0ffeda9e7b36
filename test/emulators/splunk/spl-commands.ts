import { SplError, type FieldValue, type Row } from './spl-eval';
import { compileExpression, fieldValue, toField, type Value } from './spl-expr';

/**
 * The streaming and reporting commands of tierzero's native searches, from Splunk's Search
 * Reference (where, eval, streamstats, stats, table):
 *
 *   where <expr>
 *   eval <field>=<expr>[, <field>=<expr>…]          (left to right: later ones see earlier ones)
 *   streamstats [time_window=<n>s|m|h|d] <fn> [AS x][, <fn> [AS y]…] [BY f…]
 *   stats <fn> [AS x][, <fn> [AS y]…] [BY f…]
 *   table f…
 *   fn := count | count(f) | dc(f) | max(f) | min(f) | sum(f) | values(f)
 *
 * A command outside this subset is Splunk's "Unknown search command" error (spl-eval.ts).
 */
export interface Command {
  readonly kind: 'command';
  readonly name: string;
  /** Transforming (stats): Splunk streams preview rows before the final ones. */
  readonly reporting: boolean;
  readonly run: (rows: Row[]) => Row[];
}

export function parseCommand(text: string): Command | undefined {
  const t = text.trim();
  const m = /^(\w+)\s*([\s\S]*)$/.exec(t);
  if (!m) return undefined;
  const [, name, rest] = m as unknown as [string, string, string];
  switch (name) {
    case 'where': return where(rest);
    case 'eval': return evalCommand(rest);
    case 'streamstats': return streamstats(rest);
    case 'stats': return stats(rest);
    case 'table': return table(rest);
    default: return undefined;
  }
}

function where(text: string): Command {
  if (text.trim() === '') throw new SplError("Error in 'where' command: The expression is malformed. Expected an expression.");
  const test = compileExpression(text, 'where');
  return { kind: 'command', name: 'where', reporting: false, run: (rows) => rows.filter((r) => test(r) === true) };
}

function evalCommand(text: string): Command {
  const assignments = splitTopLevel(text, ',').map((part) => {
    const m = /^\s*(?:'([^']+)'|([A-Za-z_][A-Za-z0-9_.]*))\s*=(?!=)([\s\S]+)$/.exec(part);
    if (!m) throw new SplError(`Error in 'eval' command: The expression is malformed. Expected field=expression, got ${JSON.stringify(part.trim().slice(0, 40))}.`);
    return { target: (m[1] ?? m[2]) as string, expr: compileExpression(m[3] as string, 'eval') };
  });
  return {
    kind: 'command', name: 'eval', reporting: false,
    run: (rows) => rows.map((row) => {
      const out: Row = { ...row };
      for (const a of assignments) {
        const v = toField(a.expr(out), 'eval', a.target);
        if (v === undefined) delete out[a.target];
        else out[a.target] = v;
      }
      return out;
    }),
  };
}

interface Aggregate {
  readonly fn: 'count' | 'dc' | 'max' | 'min' | 'sum' | 'values';
  readonly field: string | undefined;
  readonly as: string;
}

/** `count AS x, dc(user) AS y BY a b` → the functions and the by fields. */
function parseAggregates(text: string, command: string): { aggs: Aggregate[]; by: string[] } {
  const m = /^([\s\S]*?)(?:\s+BY\s+([\s\S]+))?$/i.exec(text.trim()) as RegExpExecArray;
  const by = m[2] ? m[2].split(/[\s,]+/).filter(Boolean) : [];
  const aggs: Aggregate[] = [];
  const re = /\s*(\w+)(?:\(\s*('[^']+'|[A-Za-z_][A-Za-z0-9_.]*)\s*\))?(?:\s+[Aa][Ss]\s+([A-Za-z_][A-Za-z0-9_]*))?\s*,?/gy;
  const body = m[1] as string;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const a = re.exec(body);
    if (!a || a[0] === '') throw new SplError(`Error in '${command}' command: The argument '${body.slice(at).trim().split(/\s/)[0] ?? ''}' is invalid.`);
    at = re.lastIndex;
    const fn = a[1] as string;
    if (!['count', 'dc', 'max', 'min', 'sum', 'values'].includes(fn)) throw new SplError(`Error in '${command}' command: The argument '${fn}' is invalid.`);
    const field = a[2]?.replace(/^'|'$/g, '');
    if (fn !== 'count' && field === undefined) throw new SplError(`Error in '${command}' command: The aggregation function '${fn}' requires a field.`);
    aggs.push({ fn: fn as Aggregate['fn'], field, as: a[3] ?? (field === undefined ? fn : `${fn}(${field})`) });
  }
  if (aggs.length === 0) throw new SplError(`Error in '${command}' command: This command requires at least one aggregation function.`);
  return { aggs, by };
}

function groupKey(row: Row, by: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const f of by) {
    const v = row[f];
    if (v === undefined) return undefined;
    parts.push(Array.isArray(v) ? v.join('\n') : v);
  }
  return parts.join('\u0000');
}

/** The values an aggregate reads from a row (every value of a multivalue field). */
function valuesOf(row: Row, field: string | undefined): Value[] {
  if (field === undefined) return [1];
  const v = fieldValue(row, field);
  return v === null ? [] : Array.isArray(v) ? [...v] : [v];
}

function reduce(a: Aggregate, rows: readonly Row[]): FieldValue | undefined {
  const vals = rows.flatMap((r) => valuesOf(r, a.field));
  switch (a.fn) {
    case 'count': return String(vals.length);
    case 'dc': return String(new Set(vals.map(String)).size);
    case 'sum': {
      const nums = vals.map(Number).filter(Number.isFinite);
      return nums.length ? String(nums.reduce((x, y) => x + y, 0)) : undefined;
    }
    case 'values': {
      const distinct = [...new Set(vals.map(String))].sort();
      return distinct.length === 0 ? undefined : distinct.length === 1 ? distinct[0] : distinct;
    }
    case 'max': case 'min': return extreme(vals, a.fn);
  }
}

/** Numeric when every value is a number; otherwise lexicographic (Splunk's max/min). */
function extreme(vals: readonly Value[], fn: 'max' | 'min'): string | undefined {
  if (vals.length === 0) return undefined;
  const nums = vals.map((v) => (typeof v === 'number' ? v : Number(v)));
  if (nums.every(Number.isFinite)) return String(fn === 'max' ? Math.max(...nums) : Math.min(...nums));
  const texts = vals.map(String).sort();
  return fn === 'max' ? texts[texts.length - 1] : texts[0];
}

function stats(text: string): Command {
  const { aggs, by } = parseAggregates(text, 'stats');
  return {
    kind: 'command', name: 'stats', reporting: true,
    run: (rows) => {
      const groups = new Map<string, { values: FieldValue[]; rows: Row[] }>();
      for (const r of rows) {
        // A row without one of the by fields belongs to no group (stats drops it).
        const key = groupKey(r, by);
        if (key === undefined) continue;
        const g = groups.get(key) ?? { values: by.map((f) => r[f] as FieldValue), rows: [] };
        g.rows.push(r);
        groups.set(key, g);
      }
      if (by.length === 0 && groups.size === 0) groups.set('', { values: [], rows: [] });
      // Results come sorted by the by fields, as stats returns them.
      return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => {
        const out: Row = {};
        by.forEach((f, i) => { out[f] = g.values[i] as FieldValue; });
        for (const a of aggs) {
          const v = reduce(a, g.rows);
          if (v !== undefined) out[a.as] = v;
        }
        return out;
      });
    },
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Running aggregates per `by` group; with `time_window`, over the events of the group within
 * that span ending at the current event (an event exactly the span older still counts). The
 * window needs events in time order, ascending or descending, as Splunk requires.
 */
function streamstats(text: string): Command {
  const w = /^\s*time_window\s*=\s*(\d+)([smhd])\s+/.exec(text);
  const windowS = w ? Number(w[1]) * (UNIT_SECONDS[w[2] as string] as number) : undefined;
  const { aggs, by } = parseAggregates(w ? text.slice(w[0].length) : text, 'streamstats');
  return {
    kind: 'command', name: 'streamstats', reporting: false,
    run: (rows) => {
      const times = windowS === undefined ? [] : rows.map((r) => fieldValue(r, '_time'));
      if (windowS !== undefined) checkOrder(times);
      const groups = new Map<string, { rows: Row[]; times: number[] }>();
      return rows.map((r, i) => {
        const key = groupKey(r, by);
        if (key === undefined) return r;
        const g = groups.get(key) ?? { rows: [], times: [] };
        groups.set(key, g);
        g.rows.push(r);
        if (windowS !== undefined) {
          const now = times[i] as number;
          g.times.push(now);
          while (g.times.length && Math.abs(now - (g.times[0] as number)) > windowS) {
            g.times.shift();
            g.rows.shift();
          }
        }
        const out: Row = { ...r };
        for (const a of aggs) {
          const v = reduce(a, g.rows);
          if (v === undefined) delete out[a.as];
          else out[a.as] = v;
        }
        return out;
      });
    },
  };
}

function checkOrder(times: readonly Value[]): void {
  let up = true;
  let down = true;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (typeof t !== 'number') throw new SplError("Error in 'streamstats' command: time_window needs _time on every event.");
    const prev = times[i - 1] as number | undefined;
    if (prev === undefined) continue;
    if (t < prev) up = false;
    if (t > prev) down = false;
  }
  if (!up && !down) throw new SplError("Error in 'streamstats' command: The time_window option requires that events be in ascending or descending time order.");
}

function table(text: string): Command {
  const names = text.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) throw new SplError("Error in 'table' command: This command requires at least one field.");
  const patterns = names.map((n) => new RegExp(`^${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  return {
    kind: 'command', name: 'table', reporting: false,
    run: (rows) => rows.map((r) => {
      const out: Row = {};
      for (const [i, n] of names.entries()) {
        if (!n.includes('*')) {
          const v = r[n];
          if (v !== undefined) out[n] = v;
          continue;
        }
        for (const [k, v] of Object.entries(r)) if ((patterns[i] as RegExp).test(k) && !(k in out)) out[k] = v;
      }
      return out;
    }),
  };
}

/** Splits on `sep` outside quotes and parentheses. */
function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote) {
      if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}
