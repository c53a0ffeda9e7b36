import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { nativeSearchName } from '../../../adapters/splunk/app/native-searches';
import { ENTRA_INDEX_MACRO, WINDOWS_INDEX_MACRO } from '../../../adapters/splunk/spl';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { tierzero } from '../../support/cli';
import { builtApp } from './built-app';
import { readConf } from './conf';
import { MACROS } from './harness';

/**
 * `tierzero package splunk`, unpacked: what the app does and holds beyond what Splunk AppInspect
 * checks (appinspect.test.ts runs it; packaging, permissions, local/, dot-files, version and
 * label formats, alert action executables and payload format, .conf parsing are its checks).
 */
describe('tierzero package splunk', function () {
  this.timeout(60_000);
  let root: string;
  let app: string;

  before(async () => {
    ({ root, app } = await builtApp());
  });

  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  const all = (): string[] => files(app).map((f) => relative(app, f));

  it('offers the three response actions, each with its form in the alert editor', () => {
    const actions = readConf(join(app, 'default', 'alert_actions.conf'));
    const custom = [...actions].filter(([, kv]) => kv.get('is_custom') === '1').map(([name]) => name);
    assert.deepEqual(custom.sort(), ['tierzero_reset_password', 'tierzero_revoke_sessions', 'tierzero_suspend']);
    for (const name of custom) assert.ok(existsSync(join(app, 'default', 'data', 'ui', 'alerts', `${name}.html`)), `${name}.html`);
  });

  it('declares every custom alert action parameter in README/alert_actions.conf.spec', () => {
    const spec = readConf(join(app, 'README', 'alert_actions.conf.spec'));
    for (const [name, kv] of readConf(join(app, 'default', 'alert_actions.conf'))) {
      for (const key of [...kv.keys()].filter((k) => k.startsWith('param.'))) assert.ok(spec.get(name)?.has(key), `${name} ${key}`);
    }
  });

  it('runs the engine from a scripted input on an interval, with the session key on stdin', () => {
    const inputs = readConf(join(app, 'default', 'inputs.conf'));
    const [stanza, kv] = [...inputs].find(([n]) => n.startsWith('script://')) ?? [];
    assert.ok(stanza && kv);
    const script = join(app, stanza.replace('script://$SPLUNK_HOME/etc/apps/tierzero/', ''));
    accessSync(script, constants.X_OK);
    assert.ok(Number(kv.get('interval')) > 0);
    assert.equal(kv.get('passAuth'), 'splunk-system-user');
    assert.equal(kv.get('python.version'), 'python3');
    accessSync(join(app, 'bin', 'tierzero.cjs'), constants.X_OK);
  });

  it('keeps secrets out of every .conf and the shipped engine config', () => {
    for (const f of all().filter((x) => /\.(conf|meta|json)$/.test(x))) {
      const text = readFileSync(join(app, f), 'utf8');
      assert.doesNotMatch(text, /^\s*[\w.]*(password|passwd|secret|token)\s*=\s*\S/im, f);
    }
    const shipped = JSON.parse(readFileSync(join(app, 'default', 'tierzero.json'), 'utf8')) as { splunk: unknown };
    const settings = resolveSplunkSettings(shipped.splunk, join(app, 'default'));
    assert.deepEqual(settings.auth, { kind: 'sessionKeyFromStdin' });
    assert.deepEqual(settings.hec.token, { storagePassword: 'hec_token' });
    assert.equal(settings.tls.verify, true);
  });

  it('defines the macros the engine\'s searches use, as the tests assume', () => {
    const macros = readConf(join(app, 'default', 'macros.conf'));
    for (const name of [WINDOWS_INDEX_MACRO, ENTRA_INDEX_MACRO, 'tierzero_alert_index']) {
      assert.equal(macros.get(name)?.get('definition'), MACROS[name as keyof typeof MACROS], name);
    }
  });

  it('keeps informational alerts out of ES notables through a macro a site can override, leaving them in the alert index', () => {
    const rule = readConf(join(app, 'default', 'savedsearches.conf')).get('tierzero - Alert - Rule');
    assert.match(rule?.get('search') ?? '', /\| dedup alert_id \| `tierzero_notable_filter` \|/);
    assert.equal(readConf(join(app, 'default', 'macros.conf')).get('tierzero_notable_filter')?.get('definition'), 'search NOT severity="informational"');
  });

  it('declares the KV store collection the state store writes', () => {
    assert.ok(readConf(join(app, 'default', 'collections.conf')).has(resolveSplunkSettings({ url: 'https://h:8089', sessionKeyFromStdin: true, hec: { url: 'https://h:8088', tokenStoragePassword: 't' } }, '/').state.collection));
  });

  it('ships a correlation search raising notables and risk on the right object, deduplicated by alert id', () => {
    const ss = readConf(join(app, 'default', 'savedsearches.conf'));
    const rule = ss.get('tierzero - Alert - Rule');
    assert.ok(rule);
    assert.match(rule.get('search') ?? '', /sourcetype="tierzero:alert" \| dedup alert_id/);
    assert.equal(rule.get('action.notable'), '1');
    assert.equal(rule.get('action.risk'), '1');
    const risk = JSON.parse(rule.get('action.risk.param._risk') ?? '[]') as { risk_object_field?: string; risk_object_type?: string; threat_object_field?: string; threat_object_type?: string }[];
    assert.deepEqual(risk.filter((r) => r.risk_object_field).map((r) => [r.risk_object_field, r.risk_object_type]), [['risk_user', 'user'], ['risk_system', 'system'], ['risk_other', 'other']]);
    assert.deepEqual(risk.filter((r) => r.threat_object_field).map((r) => [r.threat_object_field, r.threat_object_type]), [['threat_ip', 'ip_address'], ['threat_system', 'system'], ['threat_user', 'user'], ['threat_process', 'process']]);
    // Each alert's own severity and risk reach the notable and the risk events.
    for (const f of ['severity', 'risk_score', 'risk_user', 'risk_system', 'risk_other', 'threat_ip', 'threat_system', 'threat_user', 'threat_process']) {
      assert.match(rule.get('search') ?? '', new RegExp(`\\| table .*\\b${f}\\b`), f);
    }
    assert.equal(rule.get('alert.suppress.fields'), 'alert_id');
  });

  it('ships a disabled native search for every query of every detector with a native form, and none for the rest', () => {
    const ss = readConf(join(app, 'default', 'savedsearches.conf'));
    for (const d of DECLARATIONS) {
      const names = [...ss.keys()].filter((k) => k.startsWith(`tierzero - ${d.id} - `) && k.endsWith(' - Native'));
      if (d.native.kind === 'none') {
        assert.deepEqual(names, [], d.id);
        continue;
      }
      assert.equal(names.length, d.native.queries.length, d.id);
      for (const q of d.native.queries) {
        const native = ss.get(nativeSearchName(d, q));
        assert.ok(native, `${d.id}/${q.name}`);
        assert.match(native.get('search') ?? '', /^search \(`tierzero_(windows|entra)_index` /);
        assert.equal(native.get('disabled'), '1');
      }
    }
  });

  it('counts over the detector\'s own window and threshold in a native search', () => {
    const d = DECLARATIONS.find((x) => x.id === 'brute_force');
    const q = d?.native.kind === 'detector' ? d.native.queries[0] : undefined;
    assert.ok(d && q);
    const native = readConf(join(app, 'default', 'savedsearches.conf')).get(nativeSearchName(d, q));
    const minutes = d.thresholds['windowMinutes']?.default ?? 0;
    assert.match(native?.get('search') ?? '', new RegExp(`streamstats time_window=${minutes * 60}s count AS tz_measure BY user src \\| where tz_measure >= ${d.thresholds['failuresPerAccount']?.default} `));
  });

  it('lists decoys in a macro the site edits, defaulting to the packaged config\'s honeytokens', () => {
    const macros = readConf(join(app, 'default', 'macros.conf'));
    assert.equal(macros.get('tierzero_honeytokens_exact(1)')?.get('definition'), 'false()');
    assert.equal(macros.get('tierzero_honeytokens_exact(1)')?.get('args'), 'field');
  });

  it('tags its alerts for the CIM Alerts data model', () => {
    assert.equal(readConf(join(app, 'default', 'eventtypes.conf')).get('tierzero_alert')?.get('search'), 'sourcetype="tierzero:alert"');
    assert.equal(readConf(join(app, 'default', 'tags.conf')).get('eventtype=tierzero_alert')?.get('alert'), 'enabled');
    assert.equal(readConf(join(app, 'default', 'props.conf')).get('tierzero:alert')?.get('KV_MODE'), 'json');
  });

  it('has a dashboard with tierzero\'s priority table, alerts over time and a drilldown to the user page', () => {
    const xml = readFileSync(join(app, 'default', 'data', 'ui', 'views', 'tierzero_overview.xml'), 'utf8');
    assert.match(xml, /Investigation priority by user/);
    assert.match(xml, /\| inputlookup tierzero_scores /);
    assert.doesNotMatch(xml, /sum\(riskScore\)/);
    assert.match(xml, /timechart count BY detector/);
    assert.match(xml, /<link target="_blank">tierzero_user\?form\.user=\$row\.identity_key\|u\$<\/link>/);
  });

  it('has a user page that runs each response action from one click, in Simple XML 1.1 without scripts', () => {
    const xml = readFileSync(join(app, 'default', 'data', 'ui', 'views', 'tierzero_user.xml'), 'utf8');
    assert.match(xml, /^<form version="1\.1"/);
    assert.doesNotMatch(xml, /<script|script=|onclick/i);
    for (const action of ['tierzero_suspend', 'tierzero_revoke_sessions', 'tierzero_reset_password']) {
      assert.match(xml, new RegExp(`href="search\\?q=%7C%20makeresults%20[^"]*%7C%20sendalert%20${action}"`), action);
      assert.ok(readConf(join(app, 'default', 'alert_actions.conf')).has(action), action);
    }
    assert.match(readFileSync(join(app, 'default', 'data', 'ui', 'nav', 'default.xml'), 'utf8'), /<view name="tierzero_user" \/>/);
  });

  it('declares the score collections and the lookups the dashboards read', () => {
    const collections = readConf(join(app, 'default', 'collections.conf'));
    const transforms = readConf(join(app, 'default', 'transforms.conf'));
    for (const name of ['tierzero_scores', 'tierzero_score_contributions']) {
      assert.ok(collections.has(name), name);
      assert.equal(transforms.get(name)?.get('external_type'), 'kvstore');
      assert.equal(transforms.get(name)?.get('collection'), name);
    }
  });

  it('has a README that says how to install, configure and what permissions are needed', () => {
    const readme = readFileSync(join(app, 'README.md'), 'utf8');
    for (const section of ['## Install', '## Configure', '## Permissions', 'HEC token', 'storage/passwords', 'tierzero_windows_index', 'service account']) {
      assert.ok(readme.includes(section), section);
    }
  });

  it('ships app icons as real PNG files', () => {
    for (const [f, size] of [['appIcon.png', 36], ['appIcon_2x.png', 72]] as const) {
      const png = readFileSync(join(app, 'static', f));
      assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
      assert.equal(png.readUInt32BE(16), size);
    }
  });

  it('bundles an engine that runs on its own, without the repository or node_modules', () => {
    const r = spawnSync(process.execPath, [join(app, 'bin', 'tierzero.cjs'), '--version'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version);
    assert.ok(statSync(join(app, 'bin', 'tierzero.cjs')).size > 100_000);
  });

  it('names the registered platforms when asked to package one that is not', async () => {
    const r = await tierzero(['package', 'nonesuch']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown platform nonesuch: registered platforms are splunk, elastic\b/);
  });
});
