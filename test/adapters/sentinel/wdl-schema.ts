/**
 * A JSON Schema for the subset of the Workflow Definition Language the playbooks use, written
 * from Microsoft Learn "Schema reference guide for the Workflow Definition Language in Azure
 * Logic Apps" (top-level `$schema`, `contentVersion`, `parameters`, `triggers` (at most 10),
 * `actions`, `outputs`; the limits page: at most 10 triggers, 500 actions, names of 80
 * characters without `.:#%&*<>?/\{}`) and
 * "Schema reference guide for trigger and action types" (each action's `type`, `inputs`,
 * `runAfter` with the statuses Succeeded, Failed, Skipped, TimedOut; `If` with `expression`,
 * `actions`, `else`; `Foreach` with `foreach`; HTTP `authentication` of type
 * ManagedServiceIdentity with an `audience`; `runtimeConfiguration.secureData`).
 * What a JSON Schema cannot say — runAfter naming sibling actions, expressions naming actions
 * that exist — playbook-checks.ts checks.
 */
const status = { enum: ['Succeeded', 'Failed', 'Skipped', 'TimedOut'] };
const expression = { type: 'string', pattern: '^@' };
const runAfter = { type: 'object', additionalProperties: { type: 'array', items: status, minItems: 1, uniqueItems: true } };
const runtimeConfiguration = {
  type: 'object', additionalProperties: false,
  properties: {
    secureData: { type: 'object', additionalProperties: false, required: ['properties'], properties: { properties: { type: 'array', items: { enum: ['inputs', 'outputs'] }, minItems: 1 } } },
    concurrency: { type: 'object', additionalProperties: false, required: ['repetitions'], properties: { repetitions: { type: 'integer', minimum: 1, maximum: 50 } } },
  },
};
const connection = { type: 'object', additionalProperties: false, required: ['connection'], properties: { connection: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: expression } } } };

const actionName = '^[^.:#%&*<>?/\\\\{}]{1,80}$';

const http = {
  type: 'object', additionalProperties: false, required: ['type', 'inputs', 'runAfter'],
  properties: {
    type: { const: 'Http' }, runAfter, runtimeConfiguration,
    inputs: {
      type: 'object', additionalProperties: false, required: ['method', 'uri'],
      properties: {
        method: { enum: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] },
        uri: { type: 'string', minLength: 1 },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
        authentication: { type: 'object', additionalProperties: false, required: ['type', 'audience'], properties: { type: { const: 'ManagedServiceIdentity' }, audience: { type: 'string', minLength: 1 } } },
        retryPolicy: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { enum: ['exponential', 'fixed', 'none'] }, count: { type: 'integer', minimum: 1, maximum: 90 }, interval: { type: 'string', pattern: '^PT\\d+[SM]$' } } },
      },
    },
  },
};

const apiConnection = {
  type: 'object', additionalProperties: false, required: ['type', 'inputs', 'runAfter'],
  properties: {
    type: { const: 'ApiConnection' }, runAfter, runtimeConfiguration,
    inputs: { type: 'object', additionalProperties: false, required: ['host', 'method', 'path'], properties: { host: connection, method: { enum: ['get', 'post', 'put', 'patch', 'delete'] }, path: { type: 'string', pattern: '^/' }, body: {} } },
  },
};

const simple = (type: string, inputs: object): object => ({
  type: 'object', additionalProperties: false, required: ['type', 'inputs', 'runAfter'],
  properties: { type: { const: type }, runAfter, runtimeConfiguration, inputs },
});

const condition = {
  $id: 'condition',
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['and'], properties: { and: { type: 'array', minItems: 1, items: { $ref: 'condition' } } } },
    { type: 'object', additionalProperties: false, required: ['or'], properties: { or: { type: 'array', minItems: 1, items: { $ref: 'condition' } } } },
    { type: 'object', additionalProperties: false, required: ['not'], properties: { not: { $ref: 'condition' } } },
    { type: 'object', additionalProperties: false, required: ['equals'], properties: { equals: { type: 'array', minItems: 2, maxItems: 2 } } },
  ],
};

export const WDL_SUBSET_SCHEMA = {
  $id: 'wdl',
  type: 'object', additionalProperties: false,
  required: ['$schema', 'contentVersion', 'triggers', 'actions'],
  definitions: {
    actions: { type: 'object', propertyNames: { pattern: actionName }, maxProperties: 500, additionalProperties: { $ref: 'wdl#/definitions/action' } },
    action: {
      oneOf: [
        http, apiConnection,
        simple('Compose', {}),
        simple('InitializeVariable', { type: 'object', additionalProperties: false, required: ['variables'], properties: { variables: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, required: ['name', 'type'], properties: { name: { type: 'string', minLength: 1 }, type: { enum: ['string', 'integer', 'float', 'boolean', 'array', 'object'] }, value: {} } } } } }),
        simple('SetVariable', { type: 'object', additionalProperties: false, required: ['name', 'value'], properties: { name: { type: 'string', minLength: 1 }, value: {} } }),
        {
          type: 'object', additionalProperties: false, required: ['type', 'expression', 'actions', 'runAfter'],
          properties: { type: { const: 'If' }, runAfter, expression: { $ref: 'condition' }, actions: { $ref: 'wdl#/definitions/actions' }, else: { type: 'object', additionalProperties: false, required: ['actions'], properties: { actions: { $ref: 'wdl#/definitions/actions' } } } },
        },
        {
          type: 'object', additionalProperties: false, required: ['type', 'foreach', 'actions', 'runAfter'],
          properties: { type: { const: 'Foreach' }, runAfter, runtimeConfiguration, foreach: expression, actions: { $ref: 'wdl#/definitions/actions' } },
        },
      ],
    },
  },
  properties: {
    $schema: { const: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#' },
    contentVersion: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+\\.\\d+$' },
    parameters: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { enum: ['String', 'SecureString', 'Int', 'Float', 'Bool', 'Array', 'Object', 'SecureObject'] }, defaultValue: {}, metadata: { type: 'object' } } },
    },
    triggers: {
      type: 'object', minProperties: 1, maxProperties: 10, propertyNames: { pattern: actionName },
      additionalProperties: {
        type: 'object', additionalProperties: false, required: ['type', 'inputs'],
        properties: { type: { const: 'ApiConnectionWebhook' }, inputs: { type: 'object', additionalProperties: false, required: ['host', 'path', 'body'], properties: { host: connection, path: { type: 'string', pattern: '^/' }, body: { type: 'object', required: ['callback_url'], properties: { callback_url: { const: '@{listCallbackUrl()}' } } } } } },
      },
    },
    actions: { $ref: 'wdl#/definitions/actions' },
    outputs: { type: 'object' },
  },
};

export const WDL_CONDITION_SCHEMA = condition;
