import { declaredColumns, type TierzeroTable } from '../tables';
import { resourceId, WORKSPACE_ID, type ArmResource } from './arm';

/**
 * The write path as ARM resources: the two custom tables, the data collection endpoint and the
 * DCR the engine sends through (Logs Ingestion API). Shapes from the ARM references
 * Microsoft.OperationalInsights/workspaces/tables (2022-10-01: properties.schema.columns,
 * plan, retentionInDays) and Microsoft.Insights/dataCollectionRules (2022-06-01:
 * streamDeclarations, destinations.logAnalytics, dataFlows with transformKql and outputStream),
 * and Microsoft Learn "Tutorial: Send data to Azure Monitor Logs with Logs ingestion API (ARM
 * templates)". The columns come from tables.ts, the one home of the row shapes.
 */
export const CUSTOM_TABLES: readonly TierzeroTable[] = ['TierzeroAlerts_CL', 'TierzeroScores_CL'];

export const DCE_NAME = "[concat(parameters('workspace'), '-tierzero-dce')]";
export const DCR_NAME = "[concat(parameters('workspace'), '-tierzero-dcr')]";
export const DCE_ID = resourceId('Microsoft.Insights/dataCollectionEndpoints', "concat(parameters('workspace'), '-tierzero-dce')");
export const DCR_ID = resourceId('Microsoft.Insights/dataCollectionRules', "concat(parameters('workspace'), '-tierzero-dcr')");
const DESTINATION = 'tierzeroWorkspace';

export function tableId(table: TierzeroTable): string {
  return resourceId('Microsoft.OperationalInsights/workspaces/tables', "parameters('workspace')", `'${table}'`);
}

/** `Custom-TierzeroAlerts_CL`: the stream the sink posts to, named as the DCR declares it. */
export function streamName(table: TierzeroTable): string {
  return `Custom-${table}`;
}

/** Log Analytics column types as the tables API spells them (`int`, `long`, `real`, `boolean`, `dateTime`, …). */
function tableColumnType(kusto: string): string {
  return ({ bool: 'boolean', datetime: 'dateTime' } as Record<string, string>)[kusto] ?? kusto;
}

export function customTableResources(): ArmResource[] {
  const tables: ArmResource[] = CUSTOM_TABLES.map((table) => ({
    type: 'Microsoft.OperationalInsights/workspaces/tables',
    apiVersion: '2022-10-01',
    name: `[concat(parameters('workspace'), '/${table}')]`,
    properties: {
      plan: 'Analytics',
      retentionInDays: "[parameters('retentionInDays')]",
      schema: { name: table, columns: declaredColumns(table).map((c) => ({ name: c.name, type: tableColumnType(c.type) })) },
    },
  }));
  const dce: ArmResource = {
    type: 'Microsoft.Insights/dataCollectionEndpoints',
    apiVersion: '2022-06-01',
    name: DCE_NAME,
    location: "[parameters('location')]",
    properties: { networkAcls: { publicNetworkAccess: 'Enabled' } },
  };
  const dcr: ArmResource = {
    type: 'Microsoft.Insights/dataCollectionRules',
    apiVersion: '2022-06-01',
    name: DCR_NAME,
    location: "[parameters('location')]",
    dependsOn: [DCE_ID, ...CUSTOM_TABLES.map(tableId)],
    properties: {
      dataCollectionEndpointId: DCE_ID,
      // The stream declares the table's columns as the DCR input schema types (`boolean`, `datetime`).
      streamDeclarations: Object.fromEntries(CUSTOM_TABLES.map((t) => [streamName(t), {
        columns: declaredColumns(t).map((c) => ({ name: c.name, type: streamColumnType(c.type) })),
      }])),
      destinations: { logAnalytics: [{ workspaceResourceId: WORKSPACE_ID, name: DESTINATION }] },
      // `source`: rows land as sent; the sink already writes TimeGenerated and every column.
      dataFlows: CUSTOM_TABLES.map((t) => ({ streams: [streamName(t)], destinations: [DESTINATION], transformKql: 'source', outputStream: streamName(t) })),
    },
  };
  return [...tables, dce, dcr];
}

/** DCR stream declarations know string, int, long, real, boolean, dynamic, datetime (no guid/timespan). */
function streamColumnType(kusto: string): string {
  return ({ bool: 'boolean', guid: 'string', timespan: 'string' } as Record<string, string>)[kusto] ?? kusto;
}
