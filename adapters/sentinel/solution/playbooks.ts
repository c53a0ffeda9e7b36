import { resourceId, roleAssignment, WORKSPACE_ID, type ArmResource } from './arm';
import { PLAYBOOKS, playbookName, workflowDefinition, type PlaybookSpec } from './playbook-definitions';

/**
 * The playbooks as ARM resources, laid out as Microsoft's Sentinel playbooks are
 * (Azure/Azure-Sentinel `Solutions/Microsoft Entra ID/Playbooks/Revoke-AADSignInSessions/
 * {incident,entity}-trigger/azuredeploy.json`): a `Microsoft.Web/connections` for the
 * `azuresentinel` managed API authenticated by managed identity (`parameterValueType:
 * Alternative`), and a `Microsoft.Logic/workflows` (api 2019-05-01) with a system-assigned
 * identity. In the solution's mainTemplate each playbook also gets Microsoft Sentinel Responder
 * on the workspace (to read incidents and comment); the Graph app roles are granted after
 * deployment (adapters/sentinel/README.md, "Deploy"), since ARM cannot assign them.
 */
const CONNECTION = "concat('azuresentinel-', parameters('workspace'))";
const CONNECTION_ID = resourceId('Microsoft.Web/connections', CONNECTION);
const MANAGED_API = "[concat(subscription().id, '/providers/Microsoft.Web/locations/', parameters('location'), '/managedApis/azuresentinel')]";

function connection(name: string): ArmResource {
  return {
    type: 'Microsoft.Web/connections', apiVersion: '2016-06-01', name: `[${name}]`, location: "[parameters('location')]", kind: 'V1',
    properties: { displayName: `[${name}]`, customParameterValues: {}, parameterValueType: 'Alternative', api: { id: MANAGED_API } },
  };
}

function workflow(p: PlaybookSpec, name: string, connectionName: string, connectionId: string): ArmResource {
  return {
    type: 'Microsoft.Logic/workflows', apiVersion: '2019-05-01', name, location: "[parameters('location')]",
    tags: { 'hidden-SentinelTemplateName': playbookName(p), 'hidden-SentinelTemplateVersion': '1.0', LogicAppsCategory: 'security' },
    identity: { type: 'SystemAssigned' },
    dependsOn: [connectionId],
    properties: {
      state: 'Enabled',
      definition: workflowDefinition(p),
      parameters: {
        $connections: { value: { azuresentinel: { connectionId, connectionName: `[${connectionName}]`, id: MANAGED_API, connectionProperties: { authentication: { type: 'ManagedServiceIdentity' } } } } },
        GraphUrl: { value: "[parameters('graphUrl')]" },
        ResponderUrl: { value: "[parameters('responderUrl')]" },
        ResponderToken: { value: "[parameters('responderToken')]" },
      },
    },
  };
}

/** Every playbook, its Sentinel Responder role, and the one connection they share: for mainTemplate.json. */
export function playbookResources(): ArmResource[] {
  const out: ArmResource[] = [connection(CONNECTION)];
  for (const p of PLAYBOOKS) {
    const name = playbookName(p);
    out.push(workflow(p, name, CONNECTION, CONNECTION_ID));
    out.push(roleAssignment({
      role: 'sentinelResponder', principalOf: resourceId('Microsoft.Logic/workflows', `'${name}'`), scope: WORKSPACE_ID,
      dependsOn: [resourceId('Microsoft.Logic/workflows', `'${name}'`)], description: `${name}: read incidents and comment on them`,
    }));
  }
  return out;
}

export const PLAYBOOK_PARAMETERS = {
  graphUrl: { type: 'string', defaultValue: 'https://graph.microsoft.com', metadata: { description: 'Microsoft Graph endpoint (https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn in national clouds)' } },
  responderUrl: { type: 'string', metadata: { description: 'https URL of tierzero serve-responder, reachable from Logic Apps: synced users are changed there, in AD first' } },
  responderToken: { type: 'securestring', metadata: { description: 'The bearer token tierzero serve-responder expects (its response.responder.tokenEnv)' } },
} as const;

/** One playbook's own azuredeploy.json, deployable alone (Playbooks/<name>/azuredeploy.json). */
export function playbookTemplate(p: PlaybookSpec): Record<string, unknown> {
  const name = playbookName(p);
  const connectionName = "concat('azuresentinel-', parameters('PlaybookName'))";
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      title: `tierzero: ${p.action} the account (${p.trigger} trigger)`,
      description: `Runs ${p.action} for each Account entity${p.trigger === 'incident' ? ' of the incident' : ''}: through Microsoft Graph for a cloud-only user, through the tierzero responder for a user synced from AD (so the on-prem object changes first and directory sync cannot undo it), and comments the result on the incident.`,
      postDeployment: [
        'Grant the playbook\'s managed identity Microsoft Sentinel Responder on the workspace.',
        'Grant it the Microsoft Graph application permissions User.Read.All and, per action, User.EnableDisableAccount.All, User.RevokeSessions.All or User-PasswordProfile.ReadWrite.All (README.md of the solution, "Deploy" step 3).',
      ],
      entities: ['Account'],
      tags: ['Remediation', 'Identity'],
      support: { tier: 'community' },
      author: { name: 'tierzero' },
    },
    parameters: {
      PlaybookName: { type: 'string', defaultValue: name },
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      ...PLAYBOOK_PARAMETERS,
    },
    resources: [connection(connectionName), workflow(p, "[parameters('PlaybookName')]", connectionName, resourceId('Microsoft.Web/connections', connectionName))],
  };
}
