import { ACTIONS, type ActionName } from '../../playbooks/plan';

/**
 * The Webhook connector (`.webhook`) that lets Kibana call `tierzero serve-responder`, so
 * suspend, revoke-sessions, reset-password and enable run from a detection rule's action or
 * from a case. Shape of `POST /api/actions/connector` (Kibana "Create a connector" API) with
 * the webhook config of stack_connectors (server/connector_types/webhook/schema.ts,
 * common/auth/schema.ts): `url`, `method`, `headers`, `hasAuth`, `authType`.
 *
 * The responder (playbooks/server.ts) takes `POST /v1/actions` with a JSON body (playbooks/
 * request-schema.ts) and `Authorization: Bearer <token>`. Kibana 8's webhook authenticates only
 * with basic auth, a client certificate or OAuth2, so the bearer token travels as a configured
 * header: Kibana keeps connector `config` unencrypted (only `secrets` is), which is why the
 * file holds placeholders and the install step (README.md) fills them in from the
 * environment — the package never contains a token.
 */
export const URL_PLACEHOLDER = '${TIERZERO_RESPONDER_URL}';
export const TOKEN_PLACEHOLDER = '${TIERZERO_RESPONDER_TOKEN}';

export function responderConnector(): Record<string, unknown> {
  return {
    name: 'tierzero responder',
    connector_type_id: '.webhook',
    config: {
      url: `${URL_PLACEHOLDER}/v1/actions`,
      method: 'post',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN_PLACEHOLDER}` },
      hasAuth: false,
      authType: null,
    },
    secrets: {},
  };
}

/**
 * The webhook action's `params.body` for each responder action, for a rule action with
 * per-alert frequency (summary: false): Kibana renders it with mustache and JSON-escapes
 * every variable in a webhook body (x-pack/platform/plugins/shared/actions renderMustacheString
 * with `json` escaping), so a user name cannot break the JSON. `user` is the most precise
 * identifier the alert has — its SID, else its UPN, else the account name — chosen with
 * mustache sections, because the responder refuses an empty identifier field.
 */
export function actionBodies(): Record<ActionName, string> {
  const id = 'context.alerts.0.tierzero.identity';
  const first = (fields: readonly string[], last: string): string => {
    const [head, ...rest] = fields;
    if (head === undefined) return `{{${last}}}`;
    return `{{#${id}.${head}}}{{${id}.${head}}}{{/${id}.${head}}}{{^${id}.${head}}}${first(rest, last)}{{/${id}.${head}}}`;
  };
  const user = first(['sid', 'upn'], 'context.alerts.0.user.name');
  const out = {} as Record<ActionName, string>;
  for (const action of ACTIONS) {
    out[action] = [
      '{',
      `  "action": "${action}",`,
      `  "user": "${user}",`,
      '  "alertId": "{{context.alerts.0.tierzero.alert_id}}",',
      '  "reason": "{{context.rule.name}}: {{context.alerts.0.message}}",',
      '  "requestedBy": "kibana rule {{context.rule.name}}"',
      '}',
    ].join('\n');
  }
  return out;
}
