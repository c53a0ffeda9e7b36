import { strict as assert } from 'node:assert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { alertRow } from '../../../adapters/sentinel/alert-row';
import { scoreRow } from '../../../adapters/sentinel/score-row';
import type { Alert } from '../../../core/alerts/alert';
import { analyticRules, SENTINEL_TACTICS } from '../../../adapters/sentinel/solution/analytic-rules';
import { ROLES } from '../../../adapters/sentinel/solution/arm';
import { createUiDefinition, mainTemplate } from '../../../adapters/sentinel/solution/main-template';
import { PLAYBOOKS, playbookName } from '../../../adapters/sentinel/solution/playbook-definitions';
import { playbookTemplate } from '../../../adapters/sentinel/solution/playbooks';
import { declaredColumns, type TierzeroTable } from '../../../adapters/sentinel/tables';
import { Deferred, evaluateDeep, evaluateString, resourceIdOf, type EvalContext } from './arm-eval';

/**
 * The ARM template's structure, deployed on paper (arm-eval.ts): the resource types and the API
 * versions the solution was written against, `dependsOn` naming resources of the template,
 * every parameter used declared and every required one asked for by createUiDefinition, the
 * custom tables' columns equal to tables.ts and to the DCR's stream declarations, and the
 * least-privilege role assignments the issue lists.
 */
const API_VERSIONS: Readonly<Record<string, string>> = {
  'Microsoft.OperationalInsights/workspaces/tables': '2022-10-01',
  'Microsoft.Insights/dataCollectionEndpoints': '2022-06-01',
  'Microsoft.Insights/dataCollectionRules': '2022-06-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.SecurityInsights/alertRules': '2023-02-01',
  'Microsoft.Logic/workflows': '2019-05-01',
  'Microsoft.Web/connections': '2016-06-01',
  'Microsoft.Insights/workbooks': '2022-04-01',
  'Microsoft.Storage/storageAccounts': '2023-01-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2023-01-01',
  'Microsoft.Web/serverfarms': '2023-01-01',
  'Microsoft.Web/sites': '2023-01-01',
};

type Resource = Record<string, unknown> & { type: string; apiVersion: string; name: string };
type Template = { parameters: Record<string, { type: string; defaultValue?: unknown }>; variables?: Record<string, unknown>; resources: Resource[] };

const SAMPLE: Record<string, unknown> = {
  workspace: 'sentinel-ws', functionPackageUrl: 'https://example.invalid/p.zip', responderUrl: 'https://responder.example.invalid', responderToken: 'token',
  PlaybookName: 'pb',
};

/** The template with sample parameters: evaluated resources and their ids. */
function deploy(t: Template): { ctx: EvalContext; resources: (Resource & { id: string })[] } {
  const params: Record<string, unknown> = {};
  const ctx: EvalContext = { parameters: params, variables: t.variables ?? {}, referenced: [], usedParameters: new Set() };
  for (const [k, p] of Object.entries(t.parameters)) params[k] = k in SAMPLE ? SAMPLE[k] : evaluateDeep(p.defaultValue, ctx);
  ctx.usedParameters.clear();
  const resources = t.resources.map((r) => {
    const e = evaluateDeep(r, ctx) as Resource;
    const id = e['scope'] !== undefined
      ? `${String(e['scope'])}/providers/${e.type}/${e.name}`
      : resourceIdOf(e.type, e.name.split('/'));
    return { ...e, id };
  });
  return { ctx, resources };
}

describe('sentinel solution: ARM template structure', () => {
  const config = resolveConfig({}, DECLARATIONS);
  const template = mainTemplate(DECLARATIONS, config) as unknown as Template;
  const { ctx, resources } = deploy(template);
  const ids = new Set(resources.map((r) => r.id));
  const workspaceId = resourceIdOf('Microsoft.OperationalInsights/workspaces', ['sentinel-ws']);

  it('uses only the resource types and API versions it was written against', () => {
    for (const r of template.resources) assert.equal(r.apiVersion, API_VERSIONS[r.type], `${r.type} ${r.name}`);
  });

  it('depends only on resources of the template, and references only those or the workspace', () => {
    for (const r of resources) for (const d of (r['dependsOn'] as string[] | undefined) ?? []) assert.ok(ids.has(d), `${r.type} ${r.name} depends on ${d}, which the template does not create`);
    for (const ref of ctx.referenced) assert.ok(ids.has(ref) || ref === workspaceId, `reference to ${ref}`);
    const scopes = resources.flatMap((r) => (r['scope'] === undefined ? [] : [String(r['scope'])]));
    for (const s of scopes) assert.ok(ids.has(s) || s === workspaceId, `scope ${s}`);
  });

  it('gives every resource a distinct id', () => {
    assert.equal(ids.size, resources.length);
  });

  it('declares every parameter it uses, uses every one it declares, and the form asks for each one without a default', () => {
    const declared = Object.keys(template.parameters);
    assert.deepEqual([...ctx.usedParameters].sort(), [...declared].sort());
    const outputs = (createUiDefinition() as { parameters: { outputs: Record<string, string> } }).parameters.outputs;
    for (const k of Object.keys(outputs)) assert.ok(declared.includes(k), `createUiDefinition output ${k} is no template parameter`);
    for (const [k, p] of Object.entries(template.parameters)) if (p.defaultValue === undefined) assert.ok(k in outputs, `required parameter ${k} is not asked for`);
    assert.equal(template.parameters['responderToken']?.type, 'securestring');
  });

  it('creates both custom tables with exactly the columns of tables.ts', () => {
    for (const table of ['TierzeroAlerts_CL', 'TierzeroScores_CL'] as TierzeroTable[]) {
      const r = resources.find((x) => x.type === 'Microsoft.OperationalInsights/workspaces/tables' && x.name === `sentinel-ws/${table}`);
      assert.ok(r, `no table ${table}`);
      const cols = (r['properties'] as { schema: { name: string; columns: { name: string; type: string }[] } }).schema;
      assert.equal(cols.name, table);
      assert.deepEqual(cols.columns.map((c) => c.name), declaredColumns(table).map((c) => c.name));
      assert.ok(cols.columns.some((c) => c.name === 'TimeGenerated' && c.type === 'dateTime'), 'a custom table needs TimeGenerated');
    }
  });

  it('declares the DCR streams with the tables\' columns and sends each unchanged to its table', () => {
    const dcr = resources.find((r) => r.type === 'Microsoft.Insights/dataCollectionRules');
    assert.ok(dcr);
    const p = dcr['properties'] as { dataCollectionEndpointId: string; streamDeclarations: Record<string, { columns: { name: string; type: string }[] }>; destinations: { logAnalytics: { workspaceResourceId: string; name: string }[] }; dataFlows: { streams: string[]; destinations: string[]; transformKql: string; outputStream: string }[] };
    assert.ok(ids.has(p.dataCollectionEndpointId));
    for (const table of ['TierzeroAlerts_CL', 'TierzeroScores_CL'] as TierzeroTable[]) {
      const stream = p.streamDeclarations[`Custom-${table}`];
      assert.ok(stream, `no stream for ${table}`);
      assert.deepEqual(stream.columns.map((c) => c.name), declaredColumns(table).map((c) => c.name));
      for (const c of stream.columns) assert.ok(['string', 'int', 'long', 'real', 'boolean', 'dynamic', 'datetime'].includes(c.type), `${table}.${c.name}: ${c.type}`);
      const flow = p.dataFlows.find((f) => f.outputStream === `Custom-${table}`);
      assert.deepEqual(flow?.streams, [`Custom-${table}`]);
      assert.equal(flow?.transformKql, 'source');
      assert.deepEqual(flow?.destinations, [p.destinations.logAnalytics[0]?.name]);
    }
    assert.equal(p.destinations.logAnalytics[0]?.workspaceResourceId, workspaceId);
  });

  it('declares, column for column, what the sink writes: the alert and score rows of alert-row.ts and score-row.ts', () => {
    const alert: Alert = {
      id: 'tz-1', detector: 'dcsync', title: 't', severity: 'high', riskScore: 70, mitre: { tactics: ['credential-access'], techniques: ['T1003.006'] },
      firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:00Z', entities: { accounts: [{ name: 'alice', domain: 'CORP', role: 'actor' }], hosts: [] },
      evidence: { count: 1, events: [] }, description: 'd', recommendations: [],
    };
    assert.deepEqual(Object.keys(alertRow(alert, '2026-01-01T00:00:01Z', undefined)), declaredColumns('TierzeroAlerts_CL').map((c) => c.name));
    assert.deepEqual(Object.keys(scoreRow({ kind: 'retired', key: 'sid:S-1-5-21-1-2-3-1000', at: '2026-01-01T00:00:00Z', reason: 'expired' })), declaredColumns('TierzeroScores_CL').map((c) => c.name));
  });

  it('names only Sentinel AttackTactic values, in the rules and in the rows', () => {
    for (const r of analyticRules(DECLARATIONS, config)) for (const t of r.properties.tactics) assert.ok(SENTINEL_TACTICS.has(t), `${r.file}: ${t}`);
    for (const d of DECLARATIONS) {
      const row = alertRow({ id: 'x', detector: d.id, title: d.title, severity: d.severity, riskScore: 1, mitre: d.mitre, firstSeen: '', lastSeen: '', entities: { accounts: [], hosts: [] }, evidence: { count: 0, events: [] }, description: '', recommendations: [] }, '', undefined);
      for (const t of row.Tactics) assert.ok(SENTINEL_TACTICS.has(t), `${d.id}: ${t}`);
    }
  });

  it('grants the least privileges: the engine reads the workspace, publishes to the DCR and writes its container; each playbook is Sentinel Responder', () => {
    const assignments = resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments').map((r) => {
      const p = r['properties'] as { roleDefinitionId: string; principalId: Deferred };
      return { role: p.roleDefinitionId.split('/').pop(), scope: String(r['scope']), principal: p.principalId.path };
    });
    const site = resources.find((r) => r.type === 'Microsoft.Web/sites');
    assert.ok(site);
    const engine = (role: string, scope: string): boolean => assignments.some((a) => a.role === role && a.scope === scope && a.principal === `reference(${site.id}).identity.principalId`);
    assert.ok(engine(ROLES.logAnalyticsReader, workspaceId));
    assert.ok(engine(ROLES.monitoringMetricsPublisher, resources.find((r) => r.type === 'Microsoft.Insights/dataCollectionRules')?.id as string));
    assert.ok(engine(ROLES.storageBlobDataContributor, resources.find((r) => r.type.endsWith('/containers'))?.id as string));
    for (const p of PLAYBOOKS) {
      const wf = resources.find((r) => r.type === 'Microsoft.Logic/workflows' && r.name === playbookName(p));
      assert.ok(wf, playbookName(p));
      assert.deepEqual(wf['identity'], { type: 'SystemAssigned' });
      assert.ok(assignments.some((a) => a.role === ROLES.sentinelResponder && a.scope === workspaceId && a.principal === `reference(${wf.id}).identity.principalId`), `${playbookName(p)} has no Sentinel Responder`);
    }
    assert.equal(assignments.length, 3 + PLAYBOOKS.length, 'no other role is granted');
  });

  it('deploys the incident rule enabled and each native rule only when asked, disabled', () => {
    const rules = resources.filter((r) => r.type === 'Microsoft.SecurityInsights/alertRules');
    const enabled = rules.filter((r) => (r['properties'] as { enabled: boolean }).enabled);
    assert.equal(enabled.length, 1);
    assert.equal(enabled[0]?.['condition'], undefined);
    assert.match((enabled[0]?.['properties'] as { query: string }).query, /^TierzeroAlerts_CL\n/);
    for (const r of rules.filter((x) => x !== enabled[0])) assert.equal(r['condition'], false, 'deployNativeRules defaults to false');
    for (const r of rules) {
      assert.equal(r['kind'], 'Scheduled');
      assert.equal(r['scope'], workspaceId);
      assert.match(r.name, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('gives the Function the sentinel section the engine reads, from the deployed resources', () => {
    const site = resources.find((r) => r.type === 'Microsoft.Web/sites');
    const settings = ((site?.['properties'] as { siteConfig: { appSettings: { name: string; value: unknown }[] } }).siteConfig.appSettings);
    const section = JSON.parse(String(settings.find((s) => s.name === 'TIERZERO_SENTINEL')?.value)) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(section).sort(), ['credential', 'ingestion', 'state', 'workspaceId']);
    assert.deepEqual(section['credential'], { kind: 'managedIdentity' });
    assert.match(String(section['ingestion']?.['dcrImmutableId']), /^<reference\(.*dataCollectionRules.*\)\.immutableId>$/);
    assert.equal(settings.find((s) => s.name === 'WEBSITE_RUN_FROM_PACKAGE')?.value, SAMPLE['functionPackageUrl']);
    assert.equal(settings.find((s) => s.name === 'TIERZERO_SCHEDULE')?.value, '0 */5 * * * *');
  });

  it('replaces the workbook\'s resource-group token with the deployment\'s', () => {
    const wb = resources.find((r) => r.type === 'Microsoft.Insights/workbooks');
    const data = String((wb?.['properties'] as { serializedData: string }).serializedData);
    assert.ok(!data.includes('{tierzero:resourceGroupId}'));
    assert.ok(JSON.parse(data));
    assert.ok(data.includes(`/resourceGroups/rg-sentinel/providers/Microsoft.Logic/workflows/${playbookName({ action: 'suspend', trigger: 'entity' })}`));
  });

  for (const p of PLAYBOOKS) {
    it(`${playbookName(p)}: its own azuredeploy.json deploys alone`, () => {
      const t = playbookTemplate(p) as unknown as Template;
      const d = deploy(t);
      const own = new Set(d.resources.map((r) => r.id));
      for (const r of d.resources) for (const dep of (r['dependsOn'] as string[] | undefined) ?? []) assert.ok(own.has(dep), dep);
      assert.deepEqual([...d.ctx.usedParameters].sort(), Object.keys(t.parameters).sort());
      assert.deepEqual(d.resources.map((r) => r.type).sort(), ['Microsoft.Logic/workflows', 'Microsoft.Web/connections']);
    });
  }

  it('the evaluator bites: an undeclared parameter and a dangling dependsOn are caught', () => {
    const c: EvalContext = { parameters: {}, variables: {}, referenced: [], usedParameters: new Set() };
    assert.throws(() => evaluateString("[parameters('nope')]", c), /not declared/);
    const broken: Template = { parameters: { workspace: { type: 'string' } }, resources: [{ type: 'Microsoft.Web/sites', apiVersion: 'x', name: 'a', dependsOn: ["[resourceId('Microsoft.Web/serverfarms', 'missing')]"] }] };
    const d = deploy(broken);
    const own = new Set(d.resources.map((r) => r.id));
    assert.ok(!own.has((d.resources[0]?.['dependsOn'] as string[])[0] as string));
  });
});
