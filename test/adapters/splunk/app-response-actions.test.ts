import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtApp } from './built-app';
import { readConf, type Conf } from './conf';

interface Cam {
  category?: string[]; task?: string[]; subject?: string[];
  technology?: { vendor?: string; product?: string; version?: string[] }[];
  supports_adhoc?: boolean; drilldown_uri?: string;
}

/** The response actions as ES adaptive response uses them (common action model, param._cam). */
describe('the Splunk app\'s response actions in Enterprise Security', function () {
  this.timeout(60_000);
  let app: string;
  let actions: [string, Map<string, string>][];

  before(async () => {
    ({ app } = await builtApp());
    const conf: Conf = readConf(join(app, 'default', 'alert_actions.conf'));
    actions = [...conf].filter(([, kv]) => kv.get('is_custom') === '1');
    assert.equal(actions.length, 3);
  });

  const cam = (kv: Map<string, string>): Cam => JSON.parse(kv.get('param._cam') ?? '{}') as Cam;

  it('shows each action\'s own 48×48 PNG icon, found where Splunk resolves icon_path (appserver/static/)', () => {
    const icons = new Set<string>();
    for (const [name, kv] of actions) {
      const path = join(app, 'appserver', 'static', kv.get('icon_path') ?? '');
      assert.ok(existsSync(path), `${name}: ${path}`);
      const png = readFileSync(path);
      assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG', name);
      assert.equal(png.readUInt32BE(16), 48, name);
      icons.add(png.toString('base64'));
    }
    assert.equal(icons.size, 3, 'three different icons');
  });

  it('runs each action ad hoc from Incident Review on the notable\'s user', () => {
    for (const [name, kv] of actions) {
      assert.equal(cam(kv).supports_adhoc, true, name);
      assert.deepEqual(cam(kv).subject, ['user'], name);
      assert.equal(kv.get('param.user'), '$result.user$', name);
    }
  });

  it('classifies each action by category, task and the technology it acts on', () => {
    const tasks = Object.fromEntries(actions.map(([name, kv]) => [name, cam(kv).task]));
    assert.deepEqual(tasks, { tierzero_suspend: ['disable'], tierzero_revoke_sessions: ['revoke'], tierzero_reset_password: ['reset'] });
    for (const [name, kv] of actions) {
      assert.ok((cam(kv).category ?? []).length > 0, name);
      assert.deepEqual(cam(kv).technology?.map((t) => t.product), ['Active Directory', 'Entra ID'], name);
    }
  });

  it('drills down from an action\'s result to its own log lines in the time of the run', () => {
    for (const [name, kv] of actions) {
      const uri = cam(kv).drilldown_uri ?? '';
      const q = new URLSearchParams(uri.replace(/^search\?/, '')).get('q') ?? '';
      assert.equal(q, `search index=_internal sourcetype=splunkd component=sendmodalert action="${name}"`);
      assert.match(uri, /&earliest=\$earliest\$&latest=\$latest\$$/);
    }
  });

  it('lets ES and every other app use the actions, macros, eventtypes and tags', () => {
    const meta = readConf(join(app, 'metadata', 'default.meta'));
    for (const kind of ['alert_actions', 'macros', 'eventtypes', 'tags', 'props', 'lookups']) assert.equal(meta.get(kind)?.get('export'), 'system', kind);
  });

  it('keeps the engine\'s state to admins, Splunk Cloud\'s sc_admin included', () => {
    const meta = readConf(join(app, 'metadata', 'default.meta'));
    assert.equal(meta.get('collections/tierzero_state')?.get('access'), 'read : [ admin, sc_admin ], write : [ admin, sc_admin ]');
  });
});
