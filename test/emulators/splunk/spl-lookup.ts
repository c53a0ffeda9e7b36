import { matches, parseSearchExpr, SplError, type Expr, type FieldValue, type Row } from './spl-eval';

/**
 * Searches that start with a generating `| inputlookup`, as the app's dashboards run them over
 * the KV store lookups the engine writes (transforms.conf `external_type = kvstore`). Written
 * from the Splunk Search Reference for each command, only the forms the dashboards use:
 *
 *   | inputlookup <lookup> [where <field>="<value>"]
 *   | search <expr>                     as spl-eval.ts
 *   | sort [<n>] [+|-][num(|str(]f[)], …   n = 0: no limit (default 10 000); numbers compare
 *                                        numerically, strings lexicographically by code point
 *   | streamstats count AS <f>           1, 2, 3 … in result order
 *   | eval f=<e>, …                      e := field | "string" | number | round(e, n) |
 *                                        coalesce(e, …) | if(field=value, e, e)
 *   | table f …  | fields f …  | rename a AS b, …  | mvexpand f  | head n
 */
export function runLookupSearch(spl: string, lookup: (name: string) => Row[] | undefined): Row[] {
  const [first, ...stages] = splitPipes(spl.trim().replace(/^\|/, ''));
  const m = /^inputlookup\s+([A-Za-z0-9_.]+)(?:\s+where\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)")?$/.exec((first ?? '').trim());
  if (!m) throw new SplError(`Error in 'SearchParser': tierzero's emulator runs only '| inputlookup <name> [where f="v"]' as a generating command, got ${JSON.stringify((first ?? '').trim().slice(0, 60))}`);
  const rows = lookup(m[1] as string);
  if (rows === undefined) throw new SplError(`Error in 'inputlookup' command: The lookup table '${m[1]}' requires a .csv or KV store lookup definition.`);
  const out = m[2] === undefined ? rows : rows.filter((r) => values(r[m[2] as string]).some((v) => v.toLowerCase() === unescape(m[3] as string).toLowerCase()));
  return applyLookupStages(stages, out);
}

/** The pipeline after the generating command (or after what spl-eval.ts evaluated of an event search). */
export function applyLookupStages(stages: readonly string[], rows: Row[]): Row[] {
  let out = rows;
  for (const stage of stages) out = apply(stage.trim(), out);
  return out;
}

function apply(stage: string, rows: Row[]): Row[] {
  const [cmd = '', rest = ''] = stage.split(/\s+(.*)/s);
  switch (cmd) {
    case 'search': {
      const e: Expr = parseSearchExpr(rest);
      return rows.filter((r) => matches(e, r));
    }
    case 'sort': return sort(rest, rows);
    case 'streamstats': {
      const m = /^count\s+AS\s+([A-Za-z_][A-Za-z0-9_]*)$/i.exec(rest.trim());
      if (!m) throw new SplError(`Error in 'streamstats' command: the emulator supports 'count AS <field>' only`);
      return rows.map((r, i) => ({ ...r, [m[1] as string]: String(i + 1) }));
    }
    case 'eval': {
      const assignments = splitTopLevel(rest, ',').map((a) => {
        const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/s.exec(a);
        if (!m) throw new SplError(`Error in 'eval' command: The expression is malformed: ${a.trim()}`);
        return [m[1] as string, (m[2] as string).trim()] as const;
      });
      return rows.map((r) => {
        const next = { ...r };
        for (const [f, e] of assignments) {
          const v = evaluate(e, next);
          if (v === undefined) delete next[f];
          else next[f] = v;
        }
        return next;
      });
    }
    case 'table': case 'fields': {
      const names = rest.split(/[\s,]+/).filter(Boolean);
      return rows.map((r) => Object.fromEntries(names.filter((n) => r[n] !== undefined).map((n) => [n, r[n] as FieldValue])));
    }
    case 'rename': {
      const pairs = splitTopLevel(rest, ',').map((p) => /^\s*"?([^"\s]+)"?\s+AS\s+"?([^"\s]+)"?\s*$/i.exec(p)).map((m) => {
        if (!m) throw new SplError("Error in 'rename' command: Usage: rename [old_name AS new_name]+");
        return [m[1] as string, m[2] as string] as const;
      });
      return rows.map((r) => {
        const next = { ...r };
        for (const [a, b] of pairs) if (next[a] !== undefined) { next[b] = next[a] as FieldValue; delete next[a]; }
        return next;
      });
    }
    case 'mvexpand': return rows.flatMap((r) => values(r[rest.trim()]).map((v) => ({ ...r, [rest.trim()]: v })));
    case 'head': {
      if (!/^\d+$/.test(rest.trim())) throw new SplError("Error in 'head' command: The argument must be a positive number.");
      return rows.slice(0, Number(rest.trim()));
    }
    default: throw new SplError(`Error in 'SearchParser': Unknown search command '${cmd}'.`);
  }
}

function sort(spec: string, rows: Row[]): Row[] {
  const m = /^(\d+\s+)?(.+)$/s.exec(spec.trim());
  const limit = m?.[1] === undefined ? 10_000 : Number(m[1]) || Infinity;
  const keys = splitTopLevel(m?.[2] ?? '', ',').flatMap((k) => k.trim().split(/\s+(?=[+-])/)).map((k) => {
    const km = /^([+-])?\s*(?:(num|str)\(([^)]+)\)|([A-Za-z_][A-Za-z0-9_.]*))$/.exec(k.trim());
    if (!km) throw new SplError(`Error in 'sort' command: cannot sort by ${JSON.stringify(k.trim())}`);
    return { desc: km[1] === '-', as: km[2] as 'num' | 'str' | undefined, field: (km[3] ?? km[4]) as string };
  });
  const sorted = [...rows].sort((a, b) => {
    for (const k of keys) {
      const c = compare(first(a[k.field]), first(b[k.field]), k.as);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
  return sorted.slice(0, limit);
}

/** Splunk's sort: numbers before strings, numbers numerically, strings by code point (uppercase first). */
function compare(x: string | undefined, y: string | undefined, as: 'num' | 'str' | undefined): number {
  if (x === y) return 0;
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  const nx = as === 'str' ? NaN : Number(x);
  const ny = as === 'str' ? NaN : Number(y);
  if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
  if (!Number.isNaN(nx)) return -1;
  if (!Number.isNaN(ny)) return 1;
  return x < y ? -1 : 1;
}

function evaluate(e: string, row: Row): FieldValue | undefined {
  const t = e.trim();
  let m = /^"((?:[^"\\]|\\.)*)"$/.exec(t);
  if (m) return unescape(m[1] as string);
  if (/^-?\d+(\.\d+)?$/.test(t)) return t;
  m = /^([a-z]+)\((.*)\)$/s.exec(t);
  if (m) {
    const args = splitTopLevel(m[2] as string, ',');
    switch (m[1]) {
      case 'round': {
        const v = first((evaluate(args[0] ?? '', row)));
        const n = Number(args[1] ?? '0');
        return v === undefined || Number.isNaN(Number(v)) ? undefined : String(Number(`${Math.round(Number(`${Number(v)}e${n}`))}e-${n}`));
      }
      case 'coalesce':
        for (const a of args) {
          const v = evaluate(a, row);
          if (v !== undefined && v !== '') return v;
        }
        return undefined;
      case 'if': {
        const c = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(args[0] ?? '');
        if (!c) throw new SplError(`Error in 'eval' command: the emulator's if() takes field=value`);
        const want = first((evaluate(c[2] as string, row)));
        return values(row[c[1] as string]).some((v) => v === want || (Number(v) === Number(want) && want !== undefined && want !== '')) ? evaluate(args[1] ?? '""', row) : evaluate(args[2] ?? '""', row);
      }
      default: throw new SplError(`Error in 'eval' command: The '${m[1]}' function is unsupported or undefined.`);
    }
  }
  if (/^[A-Za-z_][A-Za-z0-9_.{}]*$/.test(t)) return row[t];
  throw new SplError(`Error in 'eval' command: The expression is malformed: ${t}`);
}

const values = (v: FieldValue | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const first = (v: FieldValue | undefined): string | undefined => values(v)[0];
const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

/** Splits on `sep` outside quotes, parentheses and subsearch brackets. */
export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted) { cur += c + (s[i + 1] ?? ''); i++; continue; }
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '(' || c === '[')) depth++;
    else if (!quoted && (c === ')' || c === ']')) depth--;
    if (c === sep && !quoted && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

function splitPipes(s: string): string[] {
  return splitTopLevel(s, '|');
}
