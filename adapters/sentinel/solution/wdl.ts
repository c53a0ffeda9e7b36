/**
 * The subset of the Logic Apps Workflow Definition Language the playbooks use, as types, so a
 * playbook that names an action kind without its required parts does not compile. Shapes from
 * Microsoft's "Schema reference guide for trigger and action types in Azure Logic Apps" and
 * "Workflow Definition Language schema reference" (learn.microsoft.com/azure/logic-apps/
 * logic-apps-workflow-actions-triggers, logic-apps-workflow-definition-language), and the
 * Sentinel connector calls as Microsoft's own playbooks make them (Azure/Azure-Sentinel
 * `Solutions/Microsoft Entra ID/Playbooks/Revoke-AADSignInSessions/*`/azuredeploy.json).
 */

export const WDL_SCHEMA = 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#';

export type RunStatus = 'Succeeded' | 'Failed' | 'Skipped' | 'TimedOut';

/** `runAfter`: the predecessors and the statuses each must end in for this action to run. */
export type RunAfter = Readonly<Record<string, readonly RunStatus[]>>;

/** Hides an action's inputs (the password, the responder token) from the run history. */
export interface RuntimeConfiguration {
  readonly secureData?: { readonly properties: readonly ('inputs' | 'outputs')[] };
  readonly concurrency?: { readonly repetitions: number };
}

interface Common {
  readonly runAfter: RunAfter;
  readonly runtimeConfiguration?: RuntimeConfiguration;
}

/** An HTTP call authenticated as the workflow's system-assigned managed identity. */
export interface MsiAuthentication {
  readonly type: 'ManagedServiceIdentity';
  readonly audience: string;
}

export interface HttpAction extends Common {
  readonly type: 'Http';
  readonly inputs: {
    readonly method: 'GET' | 'POST' | 'PATCH';
    readonly uri: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: unknown;
    /** Graph calls: the managed identity. The responder call carries its own bearer token instead. */
    readonly authentication?: MsiAuthentication;
    readonly retryPolicy?: { readonly type: 'exponential'; readonly count: number; readonly interval: string };
  };
}

/** A call through the Microsoft Sentinel managed connector (`azuresentinel`). */
export interface ApiConnectionAction extends Common {
  readonly type: 'ApiConnection';
  readonly inputs: {
    readonly host: { readonly connection: { readonly name: string } };
    readonly method: 'get' | 'post';
    readonly path: string;
    readonly body?: unknown;
  };
}

export interface ComposeAction extends Common {
  readonly type: 'Compose';
  readonly inputs: unknown;
}

export interface InitializeVariableAction extends Common {
  readonly type: 'InitializeVariable';
  readonly inputs: { readonly variables: readonly { readonly name: string; readonly type: 'string' | 'array' | 'boolean'; readonly value?: unknown }[] };
}

export interface SetVariableAction extends Common {
  readonly type: 'SetVariable';
  readonly inputs: { readonly name: string; readonly value: unknown };
}

/** The designer's condition form: `{ and: [ { equals: [a, b] } ] }`. */
export type Condition =
  | { readonly and: readonly Condition[] }
  | { readonly or: readonly Condition[] }
  | { readonly not: Condition }
  | { readonly equals: readonly [unknown, unknown] };

export interface IfAction extends Common {
  readonly type: 'If';
  readonly expression: Condition;
  readonly actions: Actions;
  readonly else?: { readonly actions: Actions };
}

export interface ForeachAction extends Common {
  readonly type: 'Foreach';
  readonly foreach: string;
  readonly actions: Actions;
}

export type Action = HttpAction | ApiConnectionAction | ComposeAction | InitializeVariableAction | SetVariableAction | IfAction | ForeachAction;
export type Actions = Readonly<Record<string, Action>>;

/** The Sentinel connector's webhook triggers: `/incident-creation`, or `/entity/Account`. */
export interface SentinelTrigger {
  readonly type: 'ApiConnectionWebhook';
  readonly inputs: {
    readonly body: { readonly callback_url: '@{listCallbackUrl()}' };
    readonly host: { readonly connection: { readonly name: string } };
    readonly path: string;
  };
}

export interface WorkflowParameter {
  readonly type: 'String' | 'SecureString' | 'Object';
  readonly defaultValue?: unknown;
  readonly metadata?: { readonly description: string };
}

export interface WorkflowDefinition {
  readonly $schema: typeof WDL_SCHEMA;
  readonly contentVersion: '1.0.0.0';
  readonly parameters: Readonly<Record<string, WorkflowParameter>>;
  readonly triggers: Readonly<Record<string, SentinelTrigger>>;
  readonly actions: Actions;
  readonly outputs: Record<string, never>;
}

/** The connection reference every Sentinel trigger and action goes through. */
export const SENTINEL_CONNECTION = "@parameters('$connections')['azuresentinel']['connectionId']";

/** Runs after each of `names` succeeded. */
export function after(...names: string[]): RunAfter {
  return Object.fromEntries(names.map((n) => [n, ['Succeeded'] as const]));
}
