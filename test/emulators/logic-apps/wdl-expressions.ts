import { randomUUID } from 'node:crypto';

/**
 * Workflow Definition Language expressions (Microsoft Learn "Reference guide to workflow
 * expression functions in Azure Logic Apps"), the subset the tierzero playbooks write:
 * - a string that starts with `@` (not `@{`) is one expression and keeps its type; `@@` is a
 *   literal `@`; elsewhere `@{…}` interpolates the expression's text;
 * - `x?['a']` and `x['a']` index (the `?` makes a missing member null instead of an error);
 * - functions: triggerBody, body, outputs, items, variables, parameters, concat, replace, if,
 *   empty, equals, not, and, or, coalesce, encodeURIComponent, guid, string.
 * Anything else is an error, so a playbook cannot use a function this interpreter never checked.
 */
export interface ExpressionScope {
  triggerBody(): unknown;
  /** The outputs of an action that ran (its `body` and `statusCode` for HTTP). */
  outputs(action: string): unknown;
  body(action: string): unknown;
  items(foreach: string): unknown;
  variable(name: string): unknown;
  parameter(name: string): unknown;
}

/** Names an expression refers to, for the structural checks: `body('X')` → X. */
export interface References {
  readonly actions: Set<string>;
  readonly items: Set<string>;
  readonly variables: Set<string>;
  readonly parameters: Set<string>;
  readonly functions: Set<string>;
}

export function evaluateValue(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return evaluateText(value, scope);
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, scope));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v, scope)]));
  return value;
}

export function evaluateText(s: string, scope: ExpressionScope): unknown {
  if (s.startsWith('@@')) return s.slice(1);
  if (s.startsWith('@') && !s.startsWith('@{')) return parseWhole(s.slice(1), scope);
  return s.replace(/@\{((?:[^{}']|'(?:[^']|'')*')*)\}/g, (_m, expr: string) => text(parseWhole(expr, scope)));
}

/** Every reference in the strings of `value`, without evaluating anything. */
export function referencesIn(value: unknown, into: References = { actions: new Set(), items: new Set(), variables: new Set(), parameters: new Set(), functions: new Set() }): References {
  const collect = (expr: string): void => {
    const p = new Parser(expr, undefined, into);
    p.expression();
    p.end();
  };
  if (typeof value === 'string') {
    if (value.startsWith('@@')) return into;
    if (value.startsWith('@') && !value.startsWith('@{')) collect(value.slice(1));
    else for (const m of value.matchAll(/@\{((?:[^{}']|'(?:[^']|'')*')*)\}/g)) collect(m[1] as string);
  } else if (Array.isArray(value)) value.forEach((v) => referencesIn(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => referencesIn(v, into));
  return into;
}

function parseWhole(expr: string, scope: ExpressionScope): unknown {
  const p = new Parser(expr, scope);
  const v = p.expression();
  p.end();
  return v;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const FUNCTIONS = new Set(['triggerbody', 'body', 'outputs', 'items', 'variables', 'parameters', 'concat', 'replace', 'if', 'empty', 'equals', 'not', 'and', 'or', 'coalesce', 'encodeuricomponent', 'guid', 'string', 'listcallbackurl']);

class Parser {
  private i = 0;
  constructor(private readonly src: string, private readonly scope: ExpressionScope | undefined, private readonly refs?: References) {}

  end(): void {
    this.ws();
    if (this.i !== this.src.length) throw new Error(`trailing text in expression ${JSON.stringify(this.src)} at ${this.i}`);
  }

  expression(): unknown {
    this.ws();
    const c = this.src[this.i];
    let v: unknown;
    if (c === "'") v = this.string();
    else if (c !== undefined && /[0-9]/.test(c)) v = this.number();
    else {
      const name = this.ident();
      if (name === 'null') v = null;
      else if (name === 'true' || name === 'false') v = name === 'true';
      else v = this.call(name);
    }
    for (;;) {
      this.ws();
      let safe = false;
      if (this.src[this.i] === '?') { safe = true; this.i++; }
      if (this.src[this.i] === '[') {
        this.i++;
        const key = this.expression();
        this.expect(']');
        v = this.refs ? null : index(v, key, safe);
      } else if (this.src[this.i] === '.' && /[A-Za-z]/.test(this.src[this.i + 1] ?? '')) {
        this.i++;
        const key = this.ident();
        v = this.refs ? null : index(v, key, safe);
      } else {
        if (safe) throw new Error(`a lone ? in ${this.src}`);
        return v;
      }
    }
  }

  private call(name: string): unknown {
    this.expect('(');
    const args: unknown[] = [];
    this.ws();
    if (this.src[this.i] !== ')') {
      for (;;) {
        args.push(this.expression());
        this.ws();
        if (this.src[this.i] === ',') { this.i++; continue; }
        break;
      }
    }
    this.expect(')');
    const f = name.toLowerCase();
    if (!FUNCTIONS.has(f)) throw new Error(`unknown workflow function ${name}()`);
    if (this.refs) {
      this.refs.functions.add(f);
      const arg = String(args[0]);
      if (f === 'body' || f === 'outputs') this.refs.actions.add(arg);
      if (f === 'items') this.refs.items.add(arg);
      if (f === 'variables') this.refs.variables.add(arg);
      if (f === 'parameters') this.refs.parameters.add(arg);
      return args[0] ?? null;
    }
    return apply(f, args, this.scope as ExpressionScope);
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.src[this.i++];
      if (c === undefined) throw new Error(`unterminated string in ${this.src}`);
      if (c === "'") {
        if (this.src[this.i] === "'") { out += "'"; this.i++; continue; }
        return out;
      }
      out += c;
    }
  }

  private number(): number {
    const m = /^\d+(\.\d+)?/.exec(this.src.slice(this.i)) as RegExpExecArray;
    this.i += m[0].length;
    return Number(m[0]);
  }

  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.src.slice(this.i));
    if (!m) throw new Error(`expected a name in ${JSON.stringify(this.src)} at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  private expect(c: string): void {
    this.ws();
    if (this.src[this.i] !== c) throw new Error(`expected ${c} in ${JSON.stringify(this.src)} at ${this.i}`);
    this.i++;
  }

  private ws(): void {
    while (this.src[this.i] === ' ') this.i++;
  }
}

function index(v: unknown, key: unknown, safe: boolean): unknown {
  if (v === null || v === undefined) {
    if (safe) return null;
    throw new Error(`cannot index null with ${String(key)}`);
  }
  if (typeof v !== 'object') throw new Error(`cannot index ${typeof v} with ${String(key)}`);
  const k = String(key);
  // Workflow property names ignore case (`UPNSuffix`, `upnSuffix`): the runtime's JSON is case-insensitive.
  const hit = Object.keys(v as object).find((x) => x === k) ?? Object.keys(v as object).find((x) => x.toLowerCase() === k.toLowerCase());
  if (hit === undefined) {
    if (safe) return null;
    throw new Error(`property ${k} does not exist`);
  }
  return (v as Record<string, unknown>)[hit];
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

function apply(f: string, a: unknown[], scope: ExpressionScope): unknown {
  switch (f) {
    case 'triggerbody': return scope.triggerBody();
    case 'body': return scope.body(String(a[0]));
    case 'outputs': return scope.outputs(String(a[0]));
    case 'items': return scope.items(String(a[0]));
    case 'variables': return scope.variable(String(a[0]));
    case 'parameters': return scope.parameter(String(a[0]));
    case 'concat': return a.map(text).join('');
    case 'replace': return text(a[0]).split(text(a[1])).join(text(a[2]));
    case 'if': return a[0] === true ? a[1] : a[2];
    case 'empty': return isEmpty(a[0]);
    case 'equals': return JSON.stringify(a[0] ?? null) === JSON.stringify(a[1] ?? null);
    case 'not': return a[0] !== true;
    case 'and': return a.every((x) => x === true);
    case 'or': return a.some((x) => x === true);
    case 'coalesce': return a.find((x) => x !== null && x !== undefined) ?? null;
    case 'encodeuricomponent': return encodeURIComponent(text(a[0]));
    case 'guid': return randomUUID();
    case 'string': return text(a[0]);
    default: throw new Error(`${f}() cannot run in an action`);
  }
}
