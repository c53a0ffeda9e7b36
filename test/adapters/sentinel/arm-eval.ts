import { createHash } from 'node:crypto';

/**
 * An evaluator for the ARM template expressions the solution writes (Microsoft Learn "Template
 * functions": concat, format, replace, string, createObject, parameters, variables, resourceId,
 * subscriptionResourceId, guid, uniqueString, resourceGroup, subscription, environment,
 * reference, listKeys), so a test can deploy the template on paper: every parameter and
 * variable it names must be declared, every `dependsOn` must be the id of a resource in it, and
 * every `reference()` must name a resource in it or the workspace it extends. What only Azure
 * knows (`reference(...).customerId`, keys) evaluates to a marker naming the path.
 */
export const SUBSCRIPTION = '00000000-0000-0000-0000-00000000beef';
export const RESOURCE_GROUP = 'rg-sentinel';

export interface EvalContext {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Resource ids `reference()` and `listKeys()` were asked for. */
  readonly referenced: string[];
  readonly usedParameters: Set<string>;
}

/** A value only the deployment knows: `reference(<id>).identity.principalId`. */
export class Deferred {
  constructor(readonly path: string) {}
  toString(): string {
    return `<${this.path}>`;
  }
}

/** Evaluates every `[...]` string inside `value` (ARM evaluates strings that start with `[`, `[[` escapes one). */
export function evaluateDeep(value: unknown, ctx: EvalContext): unknown {
  if (typeof value === 'string') return evaluateString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => evaluateDeep(v, ctx));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateDeep(v, ctx)]));
  return value;
}

export function evaluateString(s: string, ctx: EvalContext): unknown {
  if (s.startsWith('[[')) return s.slice(1);
  if (!(s.startsWith('[') && s.endsWith(']'))) return s;
  const p = new Parser(s.slice(1, -1), ctx);
  const v = p.expression();
  p.end();
  return v;
}

export function resourceIdOf(type: string, names: readonly string[]): string {
  const [ns, ...types] = type.split('/');
  if (types.length !== names.length) throw new Error(`resourceId(${type}) takes ${types.length} names, got ${names.length}`);
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/${ns}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
}

class Parser {
  private i = 0;
  constructor(private readonly src: string, private readonly ctx: EvalContext) {}

  end(): void {
    this.ws();
    if (this.i !== this.src.length) throw new Error(`trailing text in ARM expression at ${this.i}: ${this.src.slice(this.i, this.i + 40)}`);
  }

  expression(): unknown {
    this.ws();
    const c = this.src[this.i];
    let v: unknown;
    if (c === "'") v = this.string();
    else if (c !== undefined && /[0-9-]/.test(c)) v = this.number();
    else v = this.call();
    for (;;) {
      this.ws();
      if (this.src[this.i] === '.') {
        this.i++;
        v = member(v, this.ident());
      } else if (this.src[this.i] === '[') {
        this.i++;
        const k = this.expression();
        this.expect(']');
        v = member(v, String(k));
      } else return v;
    }
  }

  private call(): unknown {
    const name = this.ident();
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
    return apply(name, args, this.ctx);
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.src[this.i++];
      if (c === undefined) throw new Error('unterminated string in ARM expression');
      if (c === "'") {
        if (this.src[this.i] === "'") { out += "'"; this.i++; continue; }
        return out;
      }
      out += c;
    }
  }

  private number(): number {
    const m = /^-?\d+/.exec(this.src.slice(this.i));
    if (!m) throw new Error(`bad number at ${this.i}`);
    this.i += m[0].length;
    return Number(m[0]);
  }

  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.i));
    if (!m) throw new Error(`expected a name at ${this.i}: ${this.src.slice(this.i, this.i + 30)}`);
    this.i += m[0].length;
    return m[0];
  }

  private expect(c: string): void {
    this.ws();
    if (this.src[this.i] !== c) throw new Error(`expected ${c} at ${this.i} in ${this.src}`);
    this.i++;
  }

  private ws(): void {
    while (this.src[this.i] === ' ') this.i++;
  }
}

function member(v: unknown, key: string): unknown {
  if (v instanceof Deferred) return new Deferred(`${v.path}.${key}`);
  if (v !== null && typeof v === 'object' && key in (v as object)) return (v as Record<string, unknown>)[key];
  throw new Error(`no property ${key} on ${JSON.stringify(v)}`);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Deferred) return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`expected a string, got ${JSON.stringify(v)}`);
}

function hash(...parts: unknown[]): string {
  return createHash('sha256').update(parts.map(str).join('|')).digest('hex');
}

function apply(name: string, args: unknown[], ctx: EvalContext): unknown {
  switch (name.toLowerCase()) {
    case 'parameters': {
      const k = str(args[0]);
      if (!(k in ctx.parameters)) throw new Error(`parameters('${k}') is not declared`);
      ctx.usedParameters.add(k);
      return ctx.parameters[k];
    }
    case 'variables': {
      const k = str(args[0]);
      if (!(k in ctx.variables)) throw new Error(`variables('${k}') is not declared`);
      return evaluateDeep(ctx.variables[k], ctx);
    }
    case 'concat': return args.map(str).join('');
    case 'format': return str(args[0]).replace(/\{(\d+)\}/g, (_m, n: string) => str(args[Number(n) + 1]));
    case 'replace': return str(args[0]).split(str(args[1])).join(str(args[2]));
    case 'string': return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0], (_k, v: unknown) => (v instanceof Deferred ? v.toString() : v));
    case 'createobject': {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < args.length; i += 2) o[str(args[i])] = args[i + 1];
      return o;
    }
    case 'resourceid': return resourceIdOf(str(args[0]), args.slice(1).map(str));
    case 'subscriptionresourceid': return `/subscriptions/${SUBSCRIPTION}/providers/${str(args[0])}/${args.slice(1).map(str).join('/')}`;
    case 'guid': {
      const h = hash(...args);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    case 'uniquestring': return hash(...args).slice(0, 13);
    case 'resourcegroup': return { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}`, name: RESOURCE_GROUP, location: 'westeurope' };
    case 'subscription': return { id: `/subscriptions/${SUBSCRIPTION}`, subscriptionId: SUBSCRIPTION };
    case 'environment': return { suffixes: { storage: 'core.windows.net' } };
    case 'reference':
      ctx.referenced.push(str(args[0]));
      return new Deferred(`reference(${str(args[0])})`);
    case 'listkeys':
      ctx.referenced.push(str(args[0]));
      return new Deferred(`listKeys(${str(args[0])})`);
    default:
      throw new Error(`the test's ARM evaluator does not know ${name}()`);
  }
}
