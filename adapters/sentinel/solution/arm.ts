/**
 * ARM template building blocks shared by the solution's modules: resource ids and the built-in
 * role definitions the solution assigns (role ids from Microsoft Learn "Azure built-in roles";
 * they are the same in every tenant).
 */

export interface ArmResource {
  readonly type: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly [key: string]: unknown;
}

export const ROLES = {
  /** Send to a DCR through the Logs Ingestion API (Microsoft Learn "Logs Ingestion API in Azure Monitor"). */
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  /** Query the workspace (the engine's pull). */
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893',
  /** Read and write the engine's state blobs with ETag conditions. */
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  /** Read incidents and add comments: what the playbooks' Sentinel connector calls need. */
  sentinelResponder: '3e150937-b8fe-4cfb-8069-0eaf05ecd056',
} as const;

export const WORKSPACE_ID = "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace'))]";

/** `[resourceId('type', name…)]` with each name an ARM expression (no brackets) or a literal. */
export function resourceId(type: string, ...names: string[]): string {
  return `[resourceId('${type}', ${names.join(', ')})]`;
}

/** The inside of an ARM expression: `[x]` → `x`; a literal string → `'x'`. */
export function inner(expr: string): string {
  return expr.startsWith('[') && expr.endsWith(']') ? expr.slice(1, -1) : `'${expr.replace(/'/g, "''")}'`;
}

/**
 * A role assignment of `role` to the system-assigned identity of `principalOf` (a resource id
 * expression), scoped to `scope` (the type and name of an extension scope). The name is a
 * GUID derived from all three, so a redeploy updates rather than duplicates it.
 */
export function roleAssignment(o: {
  readonly role: keyof typeof ROLES;
  readonly principalOf: string;
  readonly scope: string;
  readonly dependsOn: readonly string[];
  readonly description: string;
}): ArmResource {
  return {
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: '2022-04-01',
    name: `[guid(${inner(o.scope)}, ${inner(o.principalOf)}, '${ROLES[o.role]}')]`,
    scope: o.scope,
    dependsOn: [...o.dependsOn],
    properties: {
      roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${ROLES[o.role]}')]`,
      principalId: `[reference(${inner(o.principalOf)}, '${principalApi(o.principalOf)}', 'full').identity.principalId]`,
      principalType: 'ServicePrincipal',
      description: o.description,
    },
  };
}

function principalApi(principalOf: string): string {
  if (principalOf.includes('Microsoft.Logic/workflows')) return '2019-05-01';
  if (principalOf.includes('Microsoft.Web/sites')) return '2023-01-01';
  throw new Error(`no identity api version for ${principalOf}`);
}
