import type { ResolvedConfig } from '../../../core/config/config';
import type { DetectorDeclaration } from '../../../core/detectors/detector';
import { stableGuid, analyticRules, type AlertRule } from './analytic-rules';
import { WORKSPACE_ID, type ArmResource } from './arm';
import { customTableResources, tableId } from './custom-tables';
import { functionAppResources } from './function-app';
import { PLAYBOOK_PARAMETERS, playbookResources } from './playbooks';
import { RESOURCE_GROUP_TOKEN, workbookContent } from './workbook';

/**
 * `Package/mainTemplate.json`: every resource of the solution in one deployment to the
 * workspace's resource group, as a Content Hub solution's template deploys its content (the V3
 * packaging tool, Azure/Azure-Sentinel Tools/Create-Azure-Sentinel-Solution/V3, writes the same
 * file name and parameters `workspace` and `location`); the Content Hub's contentTemplates and
 * metadata wrappers are for Microsoft's catalogue and are not needed to deploy it privately.
 */
export const DEPLOYMENT_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

export const TEMPLATE_PARAMETERS = {
  workspace: { type: 'string', metadata: { description: 'The Microsoft Sentinel workspace, in this resource group' } },
  location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Region of the new resources (the workspace\'s, for the DCR)' } },
  retentionInDays: { type: 'int', defaultValue: 90, minValue: 4, maxValue: 730, metadata: { description: 'Retention of TierzeroAlerts_CL and TierzeroScores_CL' } },
  functionPackageUrl: { type: 'string', metadata: { description: 'URL (with a read SAS) of Functions/tierzero-functions.zip, for WEBSITE_RUN_FROM_PACKAGE' } },
  engineSchedule: { type: 'string', defaultValue: '0 */5 * * * *', metadata: { description: 'NCRONTAB schedule of tierzero run (seconds first)' } },
  tierzeroConfig: { type: 'string', defaultValue: '{}', metadata: { description: 'The rest of tierzero.json as JSON (detectors, honeytokens, corporateNetworks); the sentinel section is filled in from the deployed resources' } },
  deployNativeRules: { type: 'bool', defaultValue: false, metadata: { description: 'Also deploy the native analytic rules (disabled) for sites without the engine: needs SecurityEvent or WindowsEvent, and SigninLogs, in the workspace' } },
  ...PLAYBOOK_PARAMETERS,
} as const;

export function mainTemplate(declarations: readonly DetectorDeclaration[], config: ResolvedConfig): Record<string, unknown> {
  const rules = analyticRules(declarations, config);
  return {
    $schema: DEPLOYMENT_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: { author: 'tierzero', comments: 'tierzero identity threat detection for Microsoft Sentinel: tables, ingestion, analytic rules, playbooks, workbook and the scheduled engine.' },
    parameters: TEMPLATE_PARAMETERS,
    variables: {
      storageName: "[concat('tz', uniqueString(resourceGroup().id, parameters('workspace')))]",
      functionAppName: "[concat('tierzero-', uniqueString(resourceGroup().id, parameters('workspace')))]",
      functionPlanName: "[concat('tierzero-plan-', uniqueString(resourceGroup().id, parameters('workspace')))]",
      workbookContent: JSON.stringify(workbookContent()),
    },
    resources: [
      ...customTableResources(),
      ...functionAppResources(),
      ...rules.map((r, i) => alertRuleResource(r, i > 0)),
      ...playbookResources(),
      workbookResource(),
    ],
  };
}

/** A scheduled rule as an extension resource of the workspace; native ones only when asked for. */
function alertRuleResource(r: AlertRule, native: boolean): ArmResource {
  return {
    type: 'Microsoft.SecurityInsights/alertRules',
    apiVersion: '2023-02-01',
    name: r.id,
    scope: WORKSPACE_ID,
    kind: 'Scheduled',
    ...(native && { condition: "[parameters('deployNativeRules')]" }),
    // Sentinel checks a rule's query when it is saved: the table it reads must exist first.
    dependsOn: native ? [] : [tableId('TierzeroAlerts_CL')],
    properties: r.properties,
  };
}

function workbookResource(): ArmResource {
  return {
    type: 'Microsoft.Insights/workbooks',
    apiVersion: '2022-04-01',
    name: `[guid(resourceGroup().id, parameters('workspace'), '${stableGuid('workbook')}')]`,
    location: "[parameters('location')]",
    kind: 'shared',
    dependsOn: [tableId('TierzeroAlerts_CL'), tableId('TierzeroScores_CL')],
    properties: {
      displayName: 'tierzero: identity priority and alerts',
      serializedData: `[replace(variables('workbookContent'), '${RESOURCE_GROUP_TOKEN}', resourceGroup().id)]`,
      version: '1.0',
      sourceId: WORKSPACE_ID,
      category: 'sentinel',
    },
  };
}

/** `Package/createUiDefinition.json`: the portal's deployment form, one output per template parameter it asks for. */
export function createUiDefinition(): Record<string, unknown> {
  return {
    $schema: 'https://schema.management.azure.com/schemas/0.1.2-preview/CreateUIDefinition.MultiVm.json#',
    handler: 'Microsoft.Azure.CreateUIDef',
    version: '0.1.2-preview',
    parameters: {
      config: { isWizard: false, basics: { description: 'tierzero: identity threat detection for Microsoft Sentinel, with the scheduled engine, analytic rules, response playbooks and a workbook.', location: { label: 'Location', visible: true } } },
      basics: [
        { name: 'workspace', type: 'Microsoft.Common.TextBox', label: 'Workspace', toolTip: 'The Microsoft Sentinel workspace in the selected resource group', constraints: { required: true, regex: '^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$', validationMessage: '4 to 63 letters, digits and hyphens' } },
      ],
      steps: [
        {
          name: 'engine', label: 'Engine', elements: [
            { name: 'functionPackageUrl', type: 'Microsoft.Common.TextBox', label: 'Functions package URL', toolTip: 'Functions/tierzero-functions.zip uploaded to a blob, with a read SAS', constraints: { required: true, regex: '^https://', validationMessage: 'an https URL' } },
            { name: 'engineSchedule', type: 'Microsoft.Common.TextBox', label: 'Schedule (NCRONTAB)', defaultValue: '0 */5 * * * *', constraints: { required: true } },
            { name: 'tierzeroConfig', type: 'Microsoft.Common.TextBox', label: 'tierzero config (JSON, without the sentinel section)', defaultValue: '{}', multiLine: true, constraints: { required: true } },
            { name: 'deployNativeRules', type: 'Microsoft.Common.CheckBox', label: 'Also deploy the native analytic rules (disabled), for sites without the engine' },
          ],
        },
        {
          name: 'response', label: 'Response playbooks', elements: [
            { name: 'responderUrl', type: 'Microsoft.Common.TextBox', label: 'tierzero responder URL', toolTip: 'serve-responder, reachable from Logic Apps: synced users are changed in AD first', constraints: { required: true, regex: '^https://', validationMessage: 'an https URL' } },
            { name: 'responderToken', type: 'Microsoft.Common.PasswordBox', label: { password: 'Responder token', confirmPassword: 'Confirm the token' }, constraints: { required: true }, options: { hideConfirmation: false } },
          ],
        },
      ],
      outputs: {
        workspace: '[basics(\'workspace\')]',
        location: '[location()]',
        functionPackageUrl: '[steps(\'engine\').functionPackageUrl]',
        engineSchedule: '[steps(\'engine\').engineSchedule]',
        tierzeroConfig: '[steps(\'engine\').tierzeroConfig]',
        deployNativeRules: '[steps(\'engine\').deployNativeRules]',
        responderUrl: '[steps(\'response\').responderUrl]',
        responderToken: '[steps(\'response\').responderToken]',
      },
    },
  };
}
