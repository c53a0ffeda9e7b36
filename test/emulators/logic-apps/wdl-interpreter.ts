import type { Action, Actions, Condition, RunStatus, WorkflowDefinition } from '../../../adapters/sentinel/solution/wdl';
import { evaluateText, evaluateValue, type ExpressionScope } from './wdl-expressions';

/**
 * Runs a Logic App workflow definition's actions the way the Logic Apps runtime does (Microsoft
 * Learn "Schema reference guide for trigger and action types": runAfter and statuses; "Handle
 * errors and exceptions": an action whose predecessor ended in a status its runAfter does not
 * list is Skipped; a non-2xx HTTP response fails the action), for the action types the
 * playbooks use: Http (real requests, managed-identity tokens from `msiToken`), ApiConnection
 * (handed to `connector`, the Sentinel connector's stand-in), Compose, InitializeVariable,
 * SetVariable, If and Foreach (sequential, as the playbooks configure it). The trigger is not
 * run: the test supplies what Sentinel would post to it (`triggerBody`).
 */
export interface RunOptions {
  readonly triggerBody: unknown;
  /** Workflow parameter values (the ARM `parameters` of the workflow resource). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** A token for the workflow's managed identity, for `audience` (what Logic Apps' identity endpoint hands out). */
  readonly msiToken: (audience: string) => Promise<string>;
  readonly connector: (method: string, path: string, body: unknown) => Promise<{ statusCode: number; body: unknown }>;
}

export interface ActionRun {
  readonly name: string;
  readonly status: RunStatus;
  readonly inputs?: unknown;
  readonly outputs?: unknown;
}

export interface WorkflowRun {
  /** Every action run, in order (actions inside a Foreach once per item). */
  readonly actions: ActionRun[];
  readonly variables: Map<string, unknown>;
}

interface Frame {
  readonly results: Map<string, ActionRun>;
  readonly parent?: Frame;
  readonly items?: { readonly foreach: string; readonly item: unknown };
}

export async function runWorkflow(def: WorkflowDefinition, o: RunOptions): Promise<WorkflowRun> {
  const run: WorkflowRun = { actions: [], variables: new Map() };
  const params: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(def.parameters)) params[k] = k in o.parameters ? o.parameters[k] : p.defaultValue;
  await runScope(def.actions, { results: new Map() }, run, o, params);
  return run;
}

function scopeOf(frame: Frame, run: WorkflowRun, o: RunOptions, params: Record<string, unknown>): ExpressionScope {
  const find = (name: string): ActionRun => {
    for (let f: Frame | undefined = frame; f; f = f.parent) {
      const r = f.results.get(name);
      if (r) return r;
    }
    throw new Error(`the action '${name}' referenced has not been executed`);
  };
  return {
    triggerBody: () => o.triggerBody,
    outputs: (name) => find(name).outputs ?? null,
    body: (name) => {
      const out = find(name).outputs as { body?: unknown } | undefined;
      return out && typeof out === 'object' && 'body' in out ? out.body : (out ?? null);
    },
    items: (foreach) => {
      for (let f: Frame | undefined = frame; f; f = f.parent) if (f.items?.foreach === foreach) return f.items.item;
      throw new Error(`items('${foreach}') outside that Foreach`);
    },
    variable: (name) => {
      if (!run.variables.has(name)) throw new Error(`variable ${name} is not initialized`);
      return run.variables.get(name);
    },
    parameter: (name) => {
      if (!(name in params)) throw new Error(`parameter ${name} is not declared`);
      return params[name];
    },
  };
}

/** Runs a scope's actions in runAfter order; its status is Failed when one of them failed. */
async function runScope(actions: Actions, frame: Frame, run: WorkflowRun, o: RunOptions, params: Record<string, unknown>): Promise<RunStatus> {
  const pending = new Map(Object.entries(actions));
  let failed = false;
  while (pending.size) {
    const ready = [...pending].find(([, a]) => Object.keys(a.runAfter).every((p) => frame.results.has(p)));
    if (!ready) throw new Error(`runAfter cycle or dangling predecessor among ${[...pending.keys()].join(', ')}`);
    const [name, action] = ready;
    pending.delete(name);
    const go = Object.entries(action.runAfter).every(([p, statuses]) => statuses.includes((frame.results.get(p) as ActionRun).status));
    const result = go ? await runAction(name, action, frame, run, o, params) : { name, status: 'Skipped' as const };
    frame.results.set(name, result);
    run.actions.push(result);
    if (result.status === 'Failed') failed = true;
  }
  return failed ? 'Failed' : 'Succeeded';
}

async function runAction(name: string, a: Action, frame: Frame, run: WorkflowRun, o: RunOptions, params: Record<string, unknown>): Promise<ActionRun> {
  const scope = scopeOf(frame, run, o, params);
  switch (a.type) {
    case 'Compose':
      return { name, status: 'Succeeded', outputs: evaluateValue(a.inputs, scope) };
    case 'InitializeVariable':
      for (const v of a.inputs.variables) run.variables.set(v.name, evaluateValue(v.value, scope));
      return { name, status: 'Succeeded' };
    case 'SetVariable':
      if (!run.variables.has(a.inputs.name)) throw new Error(`SetVariable ${a.inputs.name} before InitializeVariable`);
      run.variables.set(a.inputs.name, evaluateValue(a.inputs.value, scope));
      return { name, status: 'Succeeded' };
    case 'If': {
      const branch = condition(a.expression, scope) ? a.actions : (a.else?.actions ?? {});
      return { name, status: await runScope(branch, { results: new Map(), parent: frame }, run, o, params) };
    }
    case 'Foreach': {
      const list = evaluateText(a.foreach, scope);
      if (!Array.isArray(list)) return { name, status: 'Failed', outputs: { error: `foreach over ${JSON.stringify(list)}` } };
      let status: RunStatus = 'Succeeded';
      for (const item of list) {
        const s = await runScope(a.actions, { results: new Map(), parent: frame, items: { foreach: name, item } }, run, o, params);
        if (s === 'Failed') status = 'Failed';
      }
      return { name, status };
    }
    case 'ApiConnection': {
      const inputs = evaluateValue(a.inputs, scope) as { method: string; path: string; body?: unknown };
      const r = await o.connector(inputs.method, inputs.path, inputs.body);
      return { name, status: r.statusCode < 300 ? 'Succeeded' : 'Failed', inputs, outputs: r };
    }
    case 'Http': {
      const inputs = evaluateValue(a.inputs, scope) as { method: string; uri: string; headers?: Record<string, string>; body?: unknown; authentication?: { type: string; audience: string } };
      const headers: Record<string, string> = { ...(inputs.headers ?? {}) };
      if (inputs.authentication) headers['Authorization'] = `Bearer ${await o.msiToken(inputs.authentication.audience)}`;
      const res = await fetch(inputs.uri, { method: inputs.method, headers, ...(inputs.body !== undefined && { body: JSON.stringify(inputs.body) }) });
      const raw = await res.text();
      let body: unknown = raw;
      try { body = raw ? JSON.parse(raw) : null; } catch { /* a text body stays text */ }
      return { name, status: res.ok ? 'Succeeded' : 'Failed', inputs, outputs: { statusCode: res.status, body } };
    }
  }
}

function condition(c: Condition, scope: ExpressionScope): boolean {
  if ('and' in c) return c.and.every((x) => condition(x, scope));
  if ('or' in c) return c.or.some((x) => condition(x, scope));
  if ('not' in c) return !condition(c.not, scope);
  const [x, y] = c.equals.map((v) => (typeof v === 'string' ? evaluateText(v, scope) : v));
  return JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
}
