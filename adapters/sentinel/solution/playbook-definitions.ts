import { ACTIONS, type ActionName } from '../../../playbooks/plan';
import { after, SENTINEL_CONNECTION, WDL_SCHEMA, type Actions, type HttpAction, type RunAfter, type WorkflowDefinition } from './wdl';

/**
 * The response playbooks as Logic App workflow definitions: suspend, enable, revoke sessions
 * and reset password, each run from an incident (every Account entity of it) or from one
 * Account entity. Per account:
 * 1. read the user from Microsoft Graph as the workflow's managed identity;
 * 2. a **synced** user (`onPremisesSyncEnabled`) goes to the tierzero responder
 *    (`POST /v1/actions`, playbooks/server.ts), which changes the on-prem AD object first, so
 *    Entra Connect cannot copy the old state back at its next cycle (DESIGN §8); Microsoft's
 *    own Block-AADUser playbook only PATCHes Entra, which the next sync undoes;
 * 3. a **cloud-only** user is changed through Graph directly (research/platforms.md §3.4);
 * 4. the outcome, success or failure, is commented on the incident.
 */
export type TriggerKind = 'incident' | 'entity';

export interface PlaybookSpec {
  readonly action: ActionName;
  readonly trigger: TriggerKind;
}

export const PLAYBOOKS: readonly PlaybookSpec[] = ACTIONS.flatMap((action) => (['incident', 'entity'] as const).map((trigger) => ({ action, trigger })));

const TITLES: Readonly<Record<ActionName, string>> = {
  suspend: 'Suspend', enable: 'Enable', 'revoke-sessions': 'RevokeSessions', 'reset-password': 'ResetPassword',
};

/** `Tierzero-Suspend-Incident`: the Logic App's default name and its folder under Playbooks/. */
export function playbookName(p: PlaybookSpec): string {
  return `Tierzero-${TITLES[p.action]}-${p.trigger === 'incident' ? 'Incident' : 'Entity'}`;
}

/** The one Graph call sequence per action for a cloud-only user, and what the comment says it did. */
interface GraphStep {
  readonly name: string;
  readonly method: 'PATCH' | 'POST';
  readonly path: '' | '/revokeSignInSessions';
  readonly body?: unknown;
  readonly secret?: boolean;
}

const GRAPH_STEPS: Readonly<Record<ActionName, { readonly steps: readonly GraphStep[]; readonly done: string }>> = {
  // As the responder plans a cloud-only suspend (playbooks/plan.ts): disable, then end the sessions issued before.
  suspend: {
    steps: [
      { name: 'HTTP_-_Graph_disable', method: 'PATCH', path: '', body: { accountEnabled: false } },
      { name: 'HTTP_-_Graph_revoke_sessions', method: 'POST', path: '/revokeSignInSessions' },
    ],
    done: 'disabled in Entra ID and its sign-in sessions revoked',
  },
  enable: { steps: [{ name: 'HTTP_-_Graph_enable', method: 'PATCH', path: '', body: { accountEnabled: true } }], done: 'enabled in Entra ID' },
  'revoke-sessions': { steps: [{ name: 'HTTP_-_Graph_revoke_sessions', method: 'POST', path: '/revokeSignInSessions' }], done: 'sign-in sessions revoked in Entra ID' },
  // App-only password reset is the passwordProfile PATCH (User-PasswordProfile.ReadWrite.All); the
  // authentication-methods resetPassword API is delegated only. The new password is random
  // (fixed `Tz#` prefix for Entra's complexity rule, then a GUID's 122 random bits), hidden from the
  // run history and shown to nobody: the user gets in again through self-service reset or the helpdesk.
  'reset-password': {
    steps: [{
      name: 'HTTP_-_Graph_reset_password', method: 'PATCH', path: '', secret: true,
      body: { passwordProfile: { password: "@{concat('Tz#', replace(guid(), '-', ''))}", forceChangePasswordNextSignIn: true } },
    }],
    done: 'password replaced in Entra ID by a random one nobody was shown (the user must use self-service reset or the helpdesk; sign-in requires a change)',
  },
};

const GET_USER = 'HTTP_-_Get_user';
const USER_KEY = 'Compose_-_User_key';
const SYNCED = 'Condition_-_Synced_user';
const RESPONDER = 'HTTP_-_tierzero_responder';
const COMMENT = 'Add_comment_to_incident';
const LOOKUP_FAILED = 'Set_variable_-_User_lookup_failed';
const OUTCOME = 'Outcome';
const GRAPH_BASE = "@{parameters('GraphUrl')}";
const USER_ID = "@{body('HTTP_-_Get_user')?['id']}";
const USER_UPN = "@{body('HTTP_-_Get_user')?['userPrincipalName']}";

export function workflowDefinition(p: PlaybookSpec): WorkflowDefinition {
  const name = playbookName(p);
  const init: Actions = {
    'Initialize_variable_-_Outcome': { type: 'InitializeVariable', runAfter: {}, inputs: { variables: [{ name: OUTCOME, type: 'string', value: '' }] } },
  };
  if (p.trigger === 'incident') {
    const incidentArmId = "@triggerBody()?['object']?['id']";
    return definition({
      ...init,
      'Entities_-_Get_Accounts': {
        type: 'ApiConnection', runAfter: after('Initialize_variable_-_Outcome'),
        inputs: { host: { connection: { name: SENTINEL_CONNECTION } }, method: 'post', path: '/entities/account', body: "@triggerBody()?['object']?['properties']?['relatedEntities']" },
      },
      For_each_account: {
        type: 'Foreach', runAfter: after('Entities_-_Get_Accounts'),
        foreach: "@body('Entities_-_Get_Accounts')?['Accounts']",
        // One account at a time: the Outcome variable is shared, and the responder serialises anyway.
        runtimeConfiguration: { concurrency: { repetitions: 1 } },
        actions: { ...accountSteps(p, name, "items('For_each_account')", "incident @{triggerBody()?['object']?['properties']?['incidentNumber']}", {}), ...comment(incidentArmId, name, commentAfter()) },
      },
    }, 'Microsoft_Sentinel_incident', '/incident-creation');
  }
  const incidentArmId = "@triggerBody()?['IncidentArmID']";
  return definition({
    ...init,
    ...accountSteps(p, name, "triggerBody()?['Entity']?['properties']", 'run on an account entity', after('Initialize_variable_-_Outcome')),
    // An entity playbook run from the entity page has no incident to comment on.
    'Condition_-_Run_from_an_incident': {
      type: 'If', runAfter: commentAfter(),
      expression: { not: { equals: [incidentArmId, '@null'] } },
      actions: comment(incidentArmId, name, {}),
    },
  }, 'Microsoft_Sentinel_entity', "/entity/@{encodeURIComponent('Account')}");
}

function definition(actions: Actions, trigger: string, path: string): WorkflowDefinition {
  return {
    $schema: WDL_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      $connections: { type: 'Object', defaultValue: {} },
      GraphUrl: { type: 'String', defaultValue: 'https://graph.microsoft.com', metadata: { description: 'Microsoft Graph endpoint (national clouds differ); also the managed identity token audience' } },
      ResponderUrl: { type: 'String', metadata: { description: 'Base URL of tierzero serve-responder, reachable from Logic Apps (https)' } },
      ResponderToken: { type: 'SecureString', metadata: { description: 'The responder bearer token (response.responder.tokenEnv of its config)' } },
    },
    triggers: {
      [trigger]: { type: 'ApiConnectionWebhook', inputs: { body: { callback_url: '@{listCallbackUrl()}' }, host: { connection: { name: SENTINEL_CONNECTION } }, path } },
    },
    actions,
    outputs: {},
  };
}

/**
 * What happens to one account entity (`account` is an expression for its properties). Entity
 * properties name the user by `AadUserId`, else `Name` + `UPNSuffix` (the entity trigger
 * writes `upnSuffix`): the incident rule maps both (analytic-rules.ts).
 */
function accountSteps(p: PlaybookSpec, name: string, account: string, incident: string, first: RunAfter): Actions {
  const graph = GRAPH_STEPS[p.action];
  const msi = { type: 'ManagedServiceIdentity' as const, audience: "@{parameters('GraphUrl')}" };
  const graphActions: Record<string, HttpAction | Actions[string]> = {};
  let previous: string | undefined;
  for (const s of graph.steps) {
    graphActions[s.name] = {
      type: 'Http', runAfter: previous ? after(previous) : {},
      inputs: {
        method: s.method, uri: `${GRAPH_BASE}/v1.0/users/${USER_ID}${s.path}`, authentication: msi,
        ...(s.body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: s.body }),
      },
      ...(s.secret && { runtimeConfiguration: { secureData: { properties: ['inputs'] } } }),
    };
    graphActions[`Set_variable_-_${s.name.slice('HTTP_-_'.length)}_failed`] = {
      type: 'SetVariable', runAfter: { [s.name]: ['Failed', 'TimedOut'] },
      inputs: { name: OUTCOME, value: `${USER_UPN}: Microsoft Graph refused the ${p.action} (HTTP @{outputs('${s.name}')?['statusCode']}): @{body('${s.name}')?['error']?['message']}` },
    };
    previous = s.name;
  }
  graphActions['Set_variable_-_Graph_done'] = {
    type: 'SetVariable', runAfter: after(previous as string),
    inputs: { name: OUTCOME, value: `${USER_UPN} (cloud-only user): ${graph.done}, through Microsoft Graph.` },
  };
  const key = (prop: string): string => `${account}?['${prop}']`;
  return {
    [USER_KEY]: {
      type: 'Compose', runAfter: first,
      inputs: `@{if(empty(${key('AadUserId')}), concat(${key('Name')}, '@', coalesce(${key('UPNSuffix')}, ${key('upnSuffix')})), ${key('AadUserId')})}`,
    },
    [GET_USER]: {
      type: 'Http', runAfter: after(USER_KEY),
      inputs: {
        method: 'GET', authentication: msi,
        uri: `${GRAPH_BASE}/v1.0/users/@{encodeURIComponent(outputs('${USER_KEY}'))}?$select=id,userPrincipalName,accountEnabled,onPremisesSyncEnabled,onPremisesSecurityIdentifier`,
        retryPolicy: { type: 'exponential', count: 3, interval: 'PT10S' },
      },
    },
    [LOOKUP_FAILED]: {
      type: 'SetVariable', runAfter: { [GET_USER]: ['Failed', 'TimedOut'] },
      inputs: { name: OUTCOME, value: `@{outputs('${USER_KEY}')}: not changed, Microsoft Graph could not read the user (HTTP @{outputs('${GET_USER}')?['statusCode']}): @{body('${GET_USER}')?['error']?['message']}` },
    },
    [SYNCED]: {
      type: 'If', runAfter: after(GET_USER),
      expression: { and: [{ equals: [`@body('${GET_USER}')?['onPremisesSyncEnabled']`, true] }] },
      actions: {
        [RESPONDER]: {
          type: 'Http', runAfter: {},
          inputs: {
            method: 'POST', uri: "@{parameters('ResponderUrl')}/v1/actions",
            headers: { 'Content-Type': 'application/json', Authorization: "Bearer @{parameters('ResponderToken')}" },
            body: {
              action: p.action,
              user: { objectId: USER_ID, upn: USER_UPN },
              reason: `Microsoft Sentinel: ${incident}`,
              requestedBy: `sentinel-playbook:${name}`,
            },
          },
          // The bearer token is in the inputs: keep it out of the run history.
          runtimeConfiguration: { secureData: { properties: ['inputs'] } },
        },
        'Set_variable_-_Responder_done': {
          type: 'SetVariable', runAfter: after(RESPONDER),
          inputs: { name: OUTCOME, value: `${USER_UPN} (synced from AD): tierzero responder @{body('${RESPONDER}')?['outcome']}: @{body('${RESPONDER}')?['message']}` },
        },
        'Set_variable_-_Responder_failed': {
          type: 'SetVariable', runAfter: { [RESPONDER]: ['Failed', 'TimedOut'] },
          inputs: { name: OUTCOME, value: `${USER_UPN} (synced from AD): tierzero responder answered HTTP @{outputs('${RESPONDER}')?['statusCode']}: @{body('${RESPONDER}')?['message']}` },
        },
      },
      else: { actions: graphActions as Actions },
    },
  };
}

/** The comment runs whichever way the account went: done, refused, or not found. */
function commentAfter(): RunAfter {
  return { [SYNCED]: ['Succeeded', 'Failed', 'Skipped', 'TimedOut'], [LOOKUP_FAILED]: ['Succeeded', 'Skipped'] };
}

function comment(incidentArmId: string, name: string, runAfter: RunAfter): Actions {
  return {
    [COMMENT]: {
      type: 'ApiConnection', runAfter,
      inputs: {
        host: { connection: { name: SENTINEL_CONNECTION } }, method: 'post', path: '/Incidents/Comment',
        body: { incidentArmId, message: `<p>tierzero ${name}: @{variables('${OUTCOME}')}</p>` },
      },
    },
  };
}
