import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { buildElasticPackage, type ElasticPackageOptions } from '../../../adapters/elastic/package';
import { TOKEN_PLACEHOLDER, URL_PLACEHOLDER } from '../../../adapters/elastic/connector';
import { DASHBOARD_IDS } from '../../../adapters/elastic/dashboard';
import { parseActionBody } from '../../../playbooks/request-schema';
import { ACTIONS } from '../../../playbooks/plan';
import { KibanaEmulator } from '../../emulators/kibana/import-api';

/**
 * `tierzero package elastic` (the packager; the CLI reaches it once the registry entry is
 * merged): the files install through Kibana's import calls — here the loopback emulator of
 * those calls (test/emulators/kibana/import-api.ts), which checks each rule against the
 * schema, so an import that answers success_count = number of rules means every rule passed.
 */
const MTIME = 1_700_000_000;

async function build(outDir: string, extra: Partial<ElasticPackageOptions> = {}): Promise<{ path: string; bytes: number; files: number }> {
  return buildElasticPackage({ outDir, version: '0.1.0', mtime: MTIME, declarations: DECLARATIONS, ...extra } as ElasticPackageOptions);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

async function upload(url: string, path: string, file: string | Buffer, name: string, headers: Record<string, string> = { 'kbn-xsrf': 'true' }): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('file', new Blob([file]), name);
  const res = await fetch(`${url}${path}`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The part of mustache Kibana's webhook body uses: variables (JSON-escaped), sections and inverted sections. */
function renderMustache(template: string, view: Record<string, unknown>): string {
  const lookup = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), view);
  const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
  let out = template;
  for (;;) {
    const m = /\{\{([#^])([^}]+)\}\}([\s\S]*?)\{\{\/\2\}\}/.exec(out);
    if (!m) break;
    const keep = (m[1] === '#') === truthy(lookup(m[2] as string));
    out = out.slice(0, m.index) + (keep ? (m[3] as string) : '') + out.slice(m.index + m[0].length);
  }
  return out.replace(/\{\{([^}#^/]+)\}\}/g, (_, p: string) => JSON.stringify(String(lookup(p.trim()) ?? '')).slice(1, -1));
}

describe('elastic package: files', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'tz-es-pkg-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the rules, the dashboards, the connector and a README, the same bytes and times each build', async () => {
    const a = await build(join(dir, 'a'));
    const b = await build(join(dir, 'b'));
    const files = walk(a.path).map((p) => relative(a.path, p));
    assert.deepEqual(files, ['README.md', 'connector/action-bodies.json', 'connector/tierzero-responder.json', 'dashboard.ndjson', 'rules.ndjson']);
    assert.equal(a.files, files.length);
    for (const f of files) {
      assert.deepEqual(readFileSync(join(a.path, f)), readFileSync(join(b.path, f)), f);
      assert.equal(statSync(join(a.path, f)).mtimeMs, MTIME * 1000, f);
    }
    assert.equal(a.bytes, files.reduce((n, f) => n + statSync(join(a.path, f)).size, 0));
    const rules = readFileSync(join(a.path, 'rules.ndjson'), 'utf8').trim().split('\n');
    assert.match(readFileSync(join(a.path, 'README.md'), 'utf8'), new RegExp(`"success_count": ${rules.length}`));
    // The package never holds the responder's URL or token, only placeholders the install fills.
    const connector = readFileSync(join(a.path, 'connector/tierzero-responder.json'), 'utf8');
    assert.ok(connector.includes(URL_PLACEHOLDER) && connector.includes(TOKEN_PLACEHOLDER));
  });

  it('compiles the native rules with the config it is given (thresholds, decoys, the risk index)', async () => {
    const p = await build(join(dir, 'c'), { config: { honeytokens: ['svc-decoy'], detectors: { brute_force: { thresholds: { failuresPerAccount: 9 } } }, elastic: { riskIndex: 'risk-score.risk-score-latest-default' } } });
    const rules = readFileSync(join(p.path, 'rules.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; query: string });
    assert.match(rules.find((r) => r.name.includes('brute-force'))?.query ?? '', /WHERE tz_count >= 9$/);
    assert.match(rules.find((r) => r.name.includes('Honeytoken'))?.query ?? '', /"svc-decoy"/);
    assert.match(readFileSync(join(p.path, 'dashboard.ndjson'), 'utf8'), /"title":"risk-score\.risk-score-latest-default"/);
  });
});

describe('elastic package: installed through Kibana\'s import APIs (emulator)', function () {
  this.timeout(30_000);
  let dir: string;
  let pkg: string;
  let kibana: KibanaEmulator;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tz-es-kbn-'));
    pkg = (await build(dir)).path;
    kibana = new KibanaEmulator({ apiKey: 'test-key' });
    url = await kibana.start();
  });
  after(async () => {
    await kibana.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const auth = { 'kbn-xsrf': 'true', authorization: 'ApiKey test-key' };

  it('imports every rule: success_count equals the number of rules', async () => {
    const ndjson = readFileSync(join(pkg, 'rules.ndjson'));
    const lines = ndjson.toString('utf8').trim().split('\n');
    const r = await upload(url, '/api/detection_engine/rules/_import?overwrite=true', ndjson, 'rules.ndjson', auth);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body['errors'], []);
    assert.equal(r.body['success'], true);
    assert.equal(r.body['success_count'], lines.length);
    assert.equal(r.body['rules_count'], lines.length);
    assert.equal(kibana.rules.size, lines.length);
    for (const k of ['exceptions_success', 'exceptions_success_count', 'exceptions_errors', 'action_connectors_success', 'action_connectors_success_count', 'action_connectors_errors', 'action_connectors_warnings']) assert.ok(k in r.body, k);
  });

  it('replaces the rules with overwrite=true, and refuses them as existing without it', async () => {
    const ndjson = readFileSync(join(pkg, 'rules.ndjson'));
    const n = ndjson.toString('utf8').trim().split('\n').length;
    const again = await upload(url, '/api/detection_engine/rules/_import?overwrite=true', ndjson, 'rules.ndjson', auth);
    assert.equal(again.body['success_count'], n);
    const refused = await upload(url, '/api/detection_engine/rules/_import', ndjson, 'rules.ndjson', auth);
    assert.equal(refused.body['success_count'], 0);
    const errors = refused.body['errors'] as { error: { status_code: number } }[];
    assert.equal(errors.length, n);
    assert.ok(errors.every((e) => e.error.status_code === 409));
  });

  it('reports a broken rule and a malformed line in errors, and imports the rest', async () => {
    const lines = readFileSync(join(pkg, 'rules.ndjson'), 'utf8').trim().split('\n');
    const broken = JSON.parse(lines[1] as string) as Record<string, unknown>;
    delete broken['severity'];
    broken['version'] = 2.5;
    const file = [lines[0], JSON.stringify(broken), '{"rule_id": "cut-off', ...lines.slice(2)].join('\n');
    const r = await upload(url, '/api/detection_engine/rules/_import?overwrite=true', file, 'rules.ndjson', auth);
    assert.equal(r.status, 200);
    assert.equal(r.body['success'], false);
    assert.equal(r.body['success_count'], lines.length - 1);
    assert.equal(r.body['rules_count'], lines.length + 1);
    const errors = r.body['errors'] as { rule_id: string; error: { status_code: number; message: string } }[];
    assert.equal(errors.length, 2);
    assert.equal(errors[0]?.rule_id, broken['rule_id']);
    assert.match(errors[0]?.error.message ?? '', /severity/);
    assert.match(errors[0]?.error.message ?? '', /version must be integer/);
    assert.equal(errors[1]?.rule_id, '(unknown id)');
    assert.equal(errors[1]?.error.status_code, 400);
  });

  it('refuses a request without kbn-xsrf, without the API key, or with a file that is not .ndjson', async () => {
    const ndjson = readFileSync(join(pkg, 'rules.ndjson'));
    const noXsrf = await upload(url, '/api/detection_engine/rules/_import', ndjson, 'rules.ndjson', { authorization: 'ApiKey test-key' });
    assert.equal(noXsrf.status, 400);
    assert.match(String(noXsrf.body['message']), /kbn-xsrf/);
    assert.equal((await upload(url, '/api/detection_engine/rules/_import', ndjson, 'rules.ndjson', { 'kbn-xsrf': 'true' })).status, 401);
    const json = await upload(url, '/api/detection_engine/rules/_import', ndjson, 'rules.json', auth);
    assert.equal(json.status, 400);
    assert.match(String(json.body['message']), /Invalid file extension \.json/);
  });

  it('imports the dashboards with every reference resolved, and reports a dangling one', async () => {
    const ndjson = readFileSync(join(pkg, 'dashboard.ndjson'), 'utf8');
    const objects = ndjson.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string; attributes: Record<string, unknown>; references: { id: string }[] });
    const r = await upload(url, '/api/saved_objects/_import?overwrite=true', ndjson, 'dashboard.ndjson', auth);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body['errors'], []);
    assert.equal(r.body['successCount'], objects.length);
    const dashboards = objects.filter((o) => o.type === 'dashboard');
    assert.deepEqual(dashboards.map((d) => d.id).sort(), [DASHBOARD_IDS.priorities, DASHBOARD_IDS.user].sort());
    for (const d of dashboards) {
      const panels = JSON.parse(String(d.attributes['panelsJSON'])) as { panelRefName: string }[];
      assert.equal(panels.length, d.references.length);
    }
    const user = dashboards.find((d) => d.id === DASHBOARD_IDS.user);
    const titles = user?.references.map((ref) => objects.find((o) => o.id === ref.id)?.attributes['title']);
    assert.deepEqual(titles, ['tierzero score', 'tierzero score breakdown', 'tierzero alert timeline']);
    const dangling = JSON.stringify({ ...dashboards[0], id: 'other', references: [{ type: 'search', id: 'nowhere', name: 'panel_0' }] });
    const bad = await upload(url, '/api/saved_objects/_import', dangling, 'dashboard.ndjson', auth);
    assert.equal(bad.body['success'], false);
    assert.equal((bad.body['errors'] as { error: { type: string } }[])[0]?.error.type, 'missing_references');
  });

  it('creates the responder connector once the install fills in the URL and token', async () => {
    const text = readFileSync(join(pkg, 'connector/tierzero-responder.json'), 'utf8').replaceAll(URL_PLACEHOLDER, 'https://responder.example.test:8443').replaceAll(TOKEN_PLACEHOLDER, 'tok');
    const res = await fetch(`${url}/api/actions/connector`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: text });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body['connector_type_id'], '.webhook');
    assert.deepEqual((body['config'] as { url: string }).url, 'https://responder.example.test:8443/v1/actions');
    assert.ok(!('secrets' in body));
    const bad = await fetch(`${url}/api/actions/connector`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ ...JSON.parse(text), config: { url: 'x', method: 'get' } }) });
    assert.equal(bad.status, 400);
  });

  it('gives each responder action a body the responder accepts, for alerts with and without a SID or UPN', () => {
    const bodies = JSON.parse(readFileSync(join(pkg, 'connector/action-bodies.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(bodies).sort(), [...ACTIONS].sort());
    const alerts = [
      { user: { name: 'alice' }, message: 'Brute force "x"\nagainst alice', tierzero: { alert_id: 'a1', identity: { sid: 'S-1-5-21-1-2-3-1104', upn: 'alice@corp.example' } } },
      { user: { name: 'bob' }, message: 'm', tierzero: { alert_id: 'a2', identity: { upn: 'bob@corp.example' } } },
      { user: { name: 'carol' }, message: 'm', tierzero: { alert_id: 'a3', identity: {} } },
    ];
    const expectUser = ['S-1-5-21-1-2-3-1104', 'bob@corp.example', 'carol'];
    for (const [action, template] of Object.entries(bodies)) {
      alerts.forEach((alert, i) => {
        const rendered = renderMustache(template, { context: { rule: { name: 'tierzero alerts' }, alerts: { 0: alert } } });
        const parsed = parseActionBody(JSON.parse(rendered));
        assert.ok(parsed.ok, `${action}: ${rendered}`);
        assert.equal(parsed.ok && parsed.body.action, action);
        assert.equal(parsed.ok && parsed.body.user, expectUser[i]);
        assert.equal(parsed.ok && parsed.body.alertId, alert.tierzero.alert_id);
      });
    }
  });
});
