import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { run as serve } from '../../../cli/serve-responder';
import type { RunningServer } from '../../../playbooks/server';
import { PLAYBOOKS, playbookName, workflowDefinition, type PlaybookSpec } from '../../../adapters/sentinel/solution/playbook-definitions';
import type { Action, Actions, WorkflowDefinition } from '../../../adapters/sentinel/solution/wdl';
import { GraphEmulator, type EmulatedUser } from '../../emulators/graph/graph-emulator';
import { referencesIn } from '../../emulators/logic-apps/wdl-expressions';
import { runWorkflow, type WorkflowRun } from '../../emulators/logic-apps/wdl-interpreter';
import { WDL_CONDITION_SCHEMA, WDL_SUBSET_SCHEMA } from './wdl-schema';

/**
 * The playbooks (issue 11 §4, §7 "Playbooks"): each workflow definition checked against the
 * Workflow Definition Language schema (wdl-schema.ts) and for what a schema cannot see, then
 * replayed step by step (test/emulators/logic-apps) with its HTTP actions pointed at the Graph
 * emulator and at a real `tierzero serve-responder` on loopback: a cloud-only user is changed in
 * Graph by the playbook's own managed identity; a synced user goes to the responder; either way
 * the result is commented on the incident.
 */
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(WDL_CONDITION_SCHEMA);
const validate = ajv.compile(WDL_SUBSET_SCHEMA);

/** Each action with the scope it sits in and the actions enclosing it (outermost first). */
interface Placed { readonly name: string; readonly action: Action; readonly scope: Actions; readonly enclosing: readonly { readonly name: string; readonly action: Action; readonly scope: Actions }[] }

function placed(actions: Actions, enclosing: Placed['enclosing'] = []): Placed[] {
  return Object.entries(actions).flatMap(([name, action]) => {
    const here: Placed = { name, action, scope: actions, enclosing };
    const inner = enclosing.concat([{ name, action, scope: actions }]);
    if (action.type === 'If') return [here, ...placed(action.actions, inner), ...placed(action.else?.actions ?? {}, inner)];
    if (action.type === 'Foreach') return [here, ...placed(action.actions, inner)];
    return [here];
  });
}

/** The actions of `scope` that must have finished before `name` starts (transitive runAfter). */
function predecessors(scope: Actions, name: string, seen = new Set<string>()): Set<string> {
  for (const p of Object.keys(scope[name]?.runAfter ?? {})) if (!seen.has(p)) { seen.add(p); predecessors(scope, p, seen); }
  return seen;
}

/** Problems a schema cannot see: runAfter, references, variables, parameters, authentication. */
function structuralProblems(def: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const all = placed(def.actions);
  const variables = new Set(Object.values(def.actions).flatMap((a) => (a.type === 'InitializeVariable' ? a.inputs.variables.map((v) => v.name) : [])));
  for (const p of all) {
    for (const pre of Object.keys(p.action.runAfter)) if (!(pre in p.scope)) problems.push(`${p.name} runs after ${pre}, which is not in its scope`);
    if (predecessors(p.scope, p.name).has(p.name)) problems.push(`${p.name} is in a runAfter cycle`);
    // What ran before this action: its predecessors in its own scope and those of every enclosing action.
    const visible = new Set(predecessors(p.scope, p.name));
    for (const e of p.enclosing) { visible.add(e.name); for (const x of predecessors(e.scope, e.name)) visible.add(x); }
    const { action: _nested, ...own } = { action: undefined, ...p.action, ...(p.action.type === 'If' || p.action.type === 'Foreach' ? { actions: undefined, else: undefined } : {}) };
    const refs = referencesIn(own);
    for (const a of refs.actions) if (!visible.has(a)) problems.push(`${p.name} reads ${a}, which has not run before it`);
    for (const f of refs.items) if (!p.enclosing.some((e) => e.name === f && e.action.type === 'Foreach')) problems.push(`${p.name} reads items('${f}') outside that Foreach`);
    for (const v of refs.variables) if (!variables.has(v)) problems.push(`${p.name} reads variable ${v}, never initialized`);
    for (const k of refs.parameters) if (!(k in def.parameters)) problems.push(`${p.name} reads parameter ${k}, not declared`);
    if (p.action.type === 'InitializeVariable' && p.enclosing.length) problems.push(`${p.name}: variables are initialized at the top level only`);
    if (p.action.type === 'Http') {
      const i = p.action.inputs;
      const msi = i.authentication?.type === 'ManagedServiceIdentity' && i.authentication.audience === "@{parameters('GraphUrl')}";
      const bearer = /^Bearer @\{parameters\('(\w+)'\)\}$/.exec(i.headers?.['Authorization'] ?? '');
      if (i.uri.startsWith("@{parameters('GraphUrl')}")) {
        if (!msi) problems.push(`${p.name} calls Graph without the managed identity`);
      } else if (!bearer || def.parameters[bearer[1] as string]?.type !== 'SecureString' || !p.action.runtimeConfiguration?.secureData?.properties.includes('inputs')) {
        problems.push(`${p.name} calls ${i.uri} with neither the managed identity nor a secure bearer token kept out of the run history`);
      }
    }
  }
  return problems;
}

describe('sentinel solution: playbooks against the workflow definition language', () => {
  it('has the four actions in both trigger variants', () => {
    assert.deepEqual(PLAYBOOKS.map(playbookName), [
      'Tierzero-Suspend-Incident', 'Tierzero-Suspend-Entity', 'Tierzero-Enable-Incident', 'Tierzero-Enable-Entity',
      'Tierzero-RevokeSessions-Incident', 'Tierzero-RevokeSessions-Entity', 'Tierzero-ResetPassword-Incident', 'Tierzero-ResetPassword-Entity',
    ]);
  });

  for (const p of PLAYBOOKS) {
    it(`${playbookName(p)} is valid against the schema and has no structural problem`, () => {
      const def = workflowDefinition(p);
      assert.ok(validate(def), ajv.errorsText(validate.errors));
      assert.deepEqual(structuralProblems(def), []);
      const trigger = Object.values(def.triggers)[0];
      assert.equal(trigger?.inputs.path, p.trigger === 'incident' ? '/incident-creation' : "/entity/@{encodeURIComponent('Account')}");
    });
  }

  it('the checks bite: a dangling runAfter, a read of an action not yet run, and a Graph call without the identity', () => {
    const def = workflowDefinition({ action: 'suspend', trigger: 'entity' });
    const broken = JSON.parse(JSON.stringify(def)) as { actions: Record<string, { runAfter: Record<string, string[]>; inputs: unknown; actions?: Record<string, { inputs: Record<string, unknown> }>; else?: { actions: Record<string, { inputs: Record<string, unknown> }> } }> };
    (broken.actions['Compose_-_User_key'] as { runAfter: Record<string, string[]> }).runAfter = { Nope: ['Succeeded'] };
    (broken.actions['Compose_-_User_key'] as { inputs: unknown }).inputs = "@body('HTTP_-_Get_user')";
    delete (broken.actions['Condition_-_Synced_user']?.else?.actions['HTTP_-_Graph_disable']?.inputs as Record<string, unknown>)['authentication'];
    const problems = structuralProblems(broken as unknown as WorkflowDefinition).join('\n');
    assert.match(problems, /Compose_-_User_key runs after Nope/);
    assert.match(problems, /Compose_-_User_key reads HTTP_-_Get_user, which has not run before it/);
    assert.match(problems, /HTTP_-_Graph_disable calls Graph without the managed identity/);
    const badType = JSON.parse(JSON.stringify(def)) as { actions: Record<string, { type: string }> };
    (badType.actions['Compose_-_User_key'] as { type: string }).type = 'Http';
    assert.equal(validate(badType), false);
  });
});

describe('sentinel solution: playbooks replayed against the Graph emulator and a real responder', function () {
  this.timeout(30_000);
  const MI = { clientId: 'playbook-mi', clientSecret: 'playbook-mi-secret-0123456789', roles: ['User.Read.All', 'User.EnableDisableAccount.All', 'User.RevokeSessions.All', 'User-PasswordProfile.ReadWrite.All'] };
  const RESPONDER_TOKEN = 'sentinel-playbook-responder-token-0123456789';
  let emu: GraphEmulator;
  let responder: RunningServer;
  let stop: () => void;
  let exited: Promise<number>;
  let auditFile: string;
  const comments: { incidentArmId: unknown; message: string }[] = [];
  let n = 0;

  before(async () => {
    emu = new GraphEmulator();
    emu.addApp(MI);
    emu.addApp({ clientId: 'tierzero-app', clientSecret: 'responder-graph-secret-abcdef0123', roles: ['User.Read.All', 'User.EnableDisableAccount.All', 'User.RevokeSessions.All', 'User-PasswordProfile.ReadWrite.All', 'GroupMember.Read.All'] });
    await emu.start();
    const dir = mkdtempSync(join(tmpdir(), 'tz-sentinel-playbooks-'));
    const config = join(dir, 'tierzero.json');
    writeFileSync(config, JSON.stringify({
      response: {
        entra: { tenantId: emu.tenantId, clientId: 'tierzero-app', clientSecretEnv: 'TZ_GRAPH_SECRET', authorityUrl: emu.url, graphUrl: emu.url },
        circuitBreaker: { maxActionsPerHour: 100 },
        responder: { port: 0, tokenEnv: 'TZ_RESPONDER_TOKEN' },
      },
    }));
    auditFile = join(dir, '.tierzero', 'response-audit.jsonl');
    const env = { TZ_GRAPH_SECRET: 'responder-graph-secret-abcdef0123', TZ_RESPONDER_TOKEN: RESPONDER_TOKEN };
    let listening!: (s: RunningServer) => void;
    const up = new Promise<RunningServer>((r) => (listening = r));
    exited = serve(['--config', config], { err: () => undefined, env, stopped: new Promise<void>((r) => (stop = r)), onListening: listening });
    responder = await up;
  });
  after(async () => {
    stop?.();
    assert.equal(await exited, 0);
    await emu?.stop();
  });

  /** The managed identity's token, as Logic Apps' identity endpoint would issue it for the Graph audience. */
  async function msiToken(audience: string): Promise<string> {
    assert.equal(audience, emu.url, 'the audience is the GraphUrl parameter');
    const res = await fetch(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: MI.clientId, client_secret: MI.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** The Microsoft Sentinel connector's two calls the playbooks make. */
  async function connector(method: string, path: string, body: unknown): Promise<{ statusCode: number; body: unknown }> {
    if (method === 'post' && path === '/entities/account') {
      const entities = (body as { kind: string; properties: Record<string, unknown> }[] | null) ?? [];
      return { statusCode: 200, body: { Accounts: entities.filter((e) => e.kind === 'Account').map((e) => e.properties) } };
    }
    if (method === 'post' && path === '/Incidents/Comment') {
      const b = body as { incidentArmId: unknown; message: string };
      comments.push(b);
      return { statusCode: 200, body: { properties: { message: b.message } } };
    }
    return { statusCode: 404, body: { error: `no connector route ${method} ${path}` } };
  }

  /** What the workflow resource's `$connections` parameter holds (playbooks.ts). */
  const CONNECTIONS = { $connections: { azuresentinel: { connectionId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/azuresentinel-ws' } } };
  const INCIDENT = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/Incidents/inc-1';

  function triggerFor(p: PlaybookSpec, users: readonly EmulatedUser[]): unknown {
    const entity = (u: EmulatedUser): { kind: string; properties: Record<string, unknown> } => {
      const [name, suffix] = u.userPrincipalName.split('@');
      return { kind: 'Account', properties: { Name: name, UPNSuffix: suffix, AadUserId: u.id, FriendlyName: name } };
    };
    if (p.trigger === 'incident') {
      return { object: { id: INCIDENT, properties: { incidentNumber: 42, title: 'tierzero alert', relatedEntities: [...users.map(entity), { kind: 'Ip', properties: { Address: '10.0.0.9' } }] } } };
    }
    const [name, suffix] = (users[0] as EmulatedUser).userPrincipalName.split('@');
    // The entity trigger names the UPN suffix `upnSuffix`; give the name form only, so the lookup goes by UPN.
    return { Entity: { kind: 'Account', properties: { Name: name, upnSuffix: suffix } }, IncidentArmID: INCIDENT };
  }

  async function replay(p: PlaybookSpec, users: readonly EmulatedUser[], params: Record<string, unknown> = {}): Promise<WorkflowRun> {
    comments.length = 0;
    return runWorkflow(workflowDefinition(p), {
      triggerBody: triggerFor(p, users),
      parameters: { ...CONNECTIONS, GraphUrl: emu.url, ResponderUrl: responder.url, ResponderToken: RESPONDER_TOKEN, ...params },
      msiToken, connector,
    });
  }

  const cloudUser = (state: Partial<EmulatedUser> = {}): EmulatedUser => emu.addUser({ userPrincipalName: `cloud${++n}@corp.example`, ...state });
  const syncedUser = (state: Partial<EmulatedUser> = {}): EmulatedUser => emu.addUser({
    userPrincipalName: `synced${++n}@corp.example`, onPremisesSyncEnabled: true, onPremisesSecurityIdentifier: `S-1-5-21-1111-2222-3333-${1000 + n}`,
    onPremisesSamAccountName: `synced${n}`, onPremisesDistinguishedName: `CN=synced${n},OU=Staff,DC=corp,DC=example`, ...state,
  });
  const callsFor = (u: EmulatedUser, clientId: string): string[] => emu.graphCalls().filter((r) => r.clientId === clientId && r.method !== 'GET' && r.path.includes(u.id)).map((r) => `${r.method} ${r.path.replace(u.id, '{id}')}`);
  const audit = (): { action?: string; actor?: string }[] => {
    try { return readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action?: string; actor?: string }); } catch { return []; }
  };

  const CLOUD_EFFECT: Record<PlaybookSpec['action'], { before?: Partial<EmulatedUser>; calls: string[]; check: (u: EmulatedUser) => void; says: RegExp }> = {
    suspend: { calls: ['PATCH /v1.0/users/{id}', 'POST /v1.0/users/{id}/revokeSignInSessions'], check: (u) => { assert.equal(u.accountEnabled, false); assert.notEqual(u.signInSessionsValidFromDateTime, '2026-01-01T00:00:00Z'); }, says: /disabled in Entra ID and its sign-in sessions revoked/ },
    enable: { before: { accountEnabled: false }, calls: ['PATCH /v1.0/users/{id}'], check: (u) => assert.equal(u.accountEnabled, true), says: /enabled in Entra ID/ },
    'revoke-sessions': { calls: ['POST /v1.0/users/{id}/revokeSignInSessions'], check: (u) => { assert.equal(u.accountEnabled, true); assert.notEqual(u.signInSessionsValidFromDateTime, '2026-01-01T00:00:00Z'); }, says: /sign-in sessions revoked in Entra ID/ },
    'reset-password': { calls: ['PATCH /v1.0/users/{id}'], check: (u) => { assert.equal(u.passwordProfile?.forceChangePasswordNextSignIn, true); assert.match(u.passwordProfile?.password ?? '', /^Tz#[0-9a-f]{32}$/); }, says: /password replaced in Entra ID by a random one nobody was shown/ },
  };

  for (const p of PLAYBOOKS) {
    const name = playbookName(p);
    it(`${name}: a cloud-only user is changed in Graph by the playbook's identity, and the incident says so`, async () => {
      const effect = CLOUD_EFFECT[p.action];
      const u = cloudUser(effect.before);
      const before = audit().length;
      const run = await replay(p, [u]);
      effect.check(u);
      assert.deepEqual(callsFor(u, MI.clientId), effect.calls);
      assert.equal(audit().length, before, 'the responder was not called');
      assert.equal(comments.length, 1);
      assert.equal(comments[0]?.incidentArmId, INCIDENT);
      assert.match(comments[0]?.message ?? '', new RegExp(`^<p>tierzero ${name}: ${u.userPrincipalName} \\(cloud-only user\\): `));
      assert.match(comments[0]?.message ?? '', effect.says);
      if (u.passwordProfile) assert.ok(!JSON.stringify(comments).includes(u.passwordProfile.password), 'the password is never commented');
      assert.ok(run.actions.every((a) => a.status !== 'Failed'), JSON.stringify(run.actions.filter((a) => a.status === 'Failed')));
    });

    it(`${name}: a synced user goes to the tierzero responder, not to Graph directly, and the incident gets its answer`, async () => {
      const u = syncedUser(p.action === 'enable' ? { accountEnabled: false } : {});
      const before = audit().length;
      await replay(p, [u]);
      assert.deepEqual(callsFor(u, MI.clientId), [], 'the playbook identity changed nothing itself');
      const calls = audit().slice(before);
      assert.ok(calls.some((l) => l.action === p.action && String(l.actor).startsWith(`responder:sentinel-playbook:${name}@127.0.0.1`)), JSON.stringify(calls));
      assert.equal(comments.length, 1);
      assert.match(comments[0]?.message ?? '', new RegExp(`^<p>tierzero ${name}: ${u.userPrincipalName} \\(synced from AD\\): tierzero responder `));
      // The responder changed Entra itself, with its own app (no AD here: the Samba suite covers the AD step).
      if (p.action !== 'reset-password') assert.ok(callsFor(u, 'tierzero-app').length > 0, 'the responder changed the user');
    });
  }

  it('handles every account of an incident, one comment each', async () => {
    const a = cloudUser();
    const b = syncedUser();
    await replay({ action: 'revoke-sessions', trigger: 'incident' }, [a, b]);
    assert.equal(comments.length, 2);
    assert.match(comments[0]?.message ?? '', /cloud-only user/);
    assert.match(comments[1]?.message ?? '', /synced from AD/);
  });

  it('comments a Graph refusal rather than failing silently: the identity lacks the role', async () => {
    const u = cloudUser();
    emu.addApp({ ...MI, roles: ['User.Read.All'] });
    try {
      await replay({ action: 'suspend', trigger: 'entity' }, [u]);
    } finally {
      emu.addApp(MI);
    }
    assert.equal(u.accountEnabled, true);
    assert.equal(comments.length, 1);
    assert.match(comments[0]?.message ?? '', /Microsoft Graph refused the suspend \(HTTP 403\): Insufficient privileges/);
  });

  it('comments a user Graph cannot find, and changes nothing', async () => {
    const ghost = { ...cloudUser(), id: '00000000-0000-0000-0000-000000000404', userPrincipalName: 'ghost@corp.example' } as EmulatedUser;
    const before = emu.graphCalls().filter((r) => r.method !== 'GET').length;
    await replay({ action: 'suspend', trigger: 'incident' }, [ghost]);
    assert.equal(emu.graphCalls().filter((r) => r.method !== 'GET').length, before);
    assert.match(comments[0]?.message ?? '', /not changed, Microsoft Graph could not read the user \(HTTP 404\)/);
  });

  it('comments the responder\'s refusal when the token is wrong', async () => {
    const u = syncedUser();
    await replay({ action: 'suspend', trigger: 'entity' }, [u], { ResponderToken: 'wrong-token' });
    assert.equal(u.accountEnabled, true);
    assert.match(comments[0]?.message ?? '', /tierzero responder answered HTTP 401: invalid token/);
  });

  it('posts no comment from an entity run outside an incident', async () => {
    const u = cloudUser();
    comments.length = 0;
    await runWorkflow(workflowDefinition({ action: 'revoke-sessions', trigger: 'entity' }), {
      triggerBody: { Entity: { kind: 'Account', properties: { AadUserId: u.id } }, IncidentArmID: null },
      parameters: { ...CONNECTIONS, GraphUrl: emu.url, ResponderUrl: responder.url, ResponderToken: RESPONDER_TOKEN }, msiToken, connector,
    });
    assert.notEqual(u.signInSessionsValidFromDateTime, '2026-01-01T00:00:00Z');
    assert.equal(comments.length, 0);
  });
});
