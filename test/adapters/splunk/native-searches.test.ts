import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEVERITY_RISK } from '../../../core/alerts/alert';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { sourceMacroDefinition } from '../../../adapters/splunk/app/macros';
import type { NativeBody } from '../../../adapters/splunk/app/native-body';
import type { NativeQuery } from '../../../core/rules/tree';
import { nativeSearchName, nativeStanza } from '../../../adapters/splunk/app/native-searches';
import { builtApp } from './built-app';
import { readConf, type Conf } from './conf';
import { tempDir } from './harness';

/** The (first) native search of a detector. */
function searchOf(id: string): string {
  const d = DECLARATIONS.find((x) => x.id === id);
  assert.ok(d && d.native.kind !== 'none', id);
  return nativeSearchName(d, firstQuery(id));
}

function firstQuery(id: string): NativeQuery {
  const d = DECLARATIONS.find((x) => x.id === id);
  assert.ok(d && d.native.kind !== 'none', id);
  return d.native.queries[0] as NativeQuery;
}

interface RiskEntry { risk_object_field?: string; risk_object_type?: string; risk_score?: number; threat_object_field?: string; threat_object_type?: string }

describe('native searches in the Splunk app', function () {
  this.timeout(60_000);
  let ss: Conf;
  let macros: Conf;
  let native: [string, Map<string, string>][];

  before(async () => {
    const { app } = await builtApp();
    ss = readConf(join(app, 'default', 'savedsearches.conf'));
    macros = readConf(join(app, 'default', 'macros.conf'));
    native = [...ss].filter(([name]) => name.endsWith(' - Native'));
    assert.ok(native.length >= 5, `${native.length} native searches`);
  });

  const declaration = (name: string): (typeof DECLARATIONS)[number] => {
    const d = DECLARATIONS.find((x) => name.startsWith(`tierzero - ${x.id} - `));
    assert.ok(d, name);
    return d;
  };
  const risk = (name: string): RiskEntry[] => JSON.parse(ss.get(name)?.get('action.risk.param._risk') ?? '[]') as RiskEntry[];
  const riskObjects = (name: string): string[] => risk(name).filter((r) => r.risk_object_field).map((r) => `${r.risk_object_field}:${r.risk_object_type}`);

  it('raises an ES notable with the detector\'s own severity from every native search', () => {
    for (const [name, kv] of native) {
      assert.equal(kv.get('action.notable'), '1', name);
      assert.equal(kv.get('action.notable.param.severity'), declaration(name).severity, name);
    }
  });

  it('raises risk with the score of the detector\'s severity from every native search', () => {
    for (const [name, kv] of native) {
      assert.equal(kv.get('action.risk'), '1', name);
      const scores = risk(name).filter((r) => r.risk_object_field).map((r) => r.risk_score);
      assert.ok(scores.length > 0, name);
      assert.deepEqual(new Set(scores), new Set([SEVERITY_RISK[declaration(name).severity]]), name);
      assert.match(kv.get('search') ?? '', new RegExp(`risk_score=${SEVERITY_RISK[declaration(name).severity]}\\b`), name);
    }
  });

  it('puts a password spray\'s risk on its source address, not on the users it tried', () => {
    assert.deepEqual(riskObjects(searchOf('cloud_password_spray')), ['src:system']);
  });

  it('puts brute force\'s risk on the account and on the source of the failures', () => {
    assert.deepEqual(riskObjects(searchOf('brute_force')).sort(), ['src:system', 'user:user']);
  });

  it('puts an actor detector\'s risk on the user alone', () => {
    assert.deepEqual(riskObjects(searchOf('dpapi_backup_key')), ['user:user']);
    assert.deepEqual(riskObjects(searchOf('honeytoken_activity')), ['user:user']);
  });

  it('types a source address as an ip_address threat object, from a field set only for addresses', () => {
    const name = searchOf('brute_force');
    assert.deepEqual(risk(name).filter((r) => r.threat_object_field), [{ threat_object_field: 'src_ip', threat_object_type: 'ip_address' }]);
    assert.match(ss.get(name)?.get('search') ?? '', /src_ip=if\(match\(src, .*\), src, null\(\)\)/);
  });

  it('ends every native search with its own filter macro, defined as search *', () => {
    for (const [name, kv] of native) {
      const filter = `tierzero_${declaration(name).id}_filter`;
      assert.ok((kv.get('search') ?? '').endsWith(`| \`${filter}\``), name);
      assert.equal(macros.get(filter)?.get('definition'), 'search *', filter);
    }
  });

  it('reads Windows channels through source macros covering XmlWinEventLog and classic WinEventLog', () => {
    for (const [name, kv] of native) assert.doesNotMatch(kv.get('search') ?? '', /source="?(Xml)?WinEventLog:/, name);
    assert.match(ss.get(searchOf('brute_force'))?.get('search') ?? '', /`tierzero_wineventlog_security` EventCode IN/);
    assert.equal(macros.get('tierzero_wineventlog_security')?.get('definition'), '(source="XmlWinEventLog:Security" OR source="WinEventLog:Security")');
    assert.equal(macros.get('tierzero_wineventlog_system')?.get('definition'), '(source="XmlWinEventLog:System" OR source="WinEventLog:System")');
  });

  it('names the entity and the detector in each notable\'s title', () => {
    assert.equal(ss.get(searchOf('cloud_password_spray'))?.get('action.notable.param.rule_title'), `${declaration(searchOf('cloud_password_spray')).title}: $src$`);
    assert.equal(ss.get(searchOf('mfa_fatigue'))?.get('action.notable.param.rule_title'), `${declaration(searchOf('mfa_fatigue')).title}: $user$`);
  });
});

describe('the native search wrapper', () => {
  const d = DECLARATIONS.find((x) => x.id === 'brute_force');
  const body: NativeBody = {
    spl: '`tierzero_windows_index` EventCode=4625 | stats count min(_time) AS firstTime max(_time) AS lastTime BY user src',
    entities: ['user', 'src'],
    riskOn: ['src'],
    windowMinutes: 20,
    data: 'windows',
  };

  it('wraps any body that meets the contract: body first, labels, then the filter macro', async () => {
    assert.ok(d);
    const path = join(await tempDir(), 'savedsearches.conf');
    await writeFile(path, nativeStanza(d, firstQuery('brute_force'), body));
    const kv = readConf(path).get(searchOf('brute_force'));
    const search = kv?.get('search') ?? '';
    assert.ok(search.startsWith(`${body.spl} | eval detector="brute_force", `), search);
    assert.ok(search.endsWith('| `tierzero_brute_force_filter`'), search);
    assert.equal(kv?.get('dispatch.earliest_time'), '-40m@m');
    assert.deepEqual(JSON.parse(kv?.get('action.risk.param._risk') ?? '[]').map((r: RiskEntry) => r.risk_object_field ?? r.threat_object_field), ['src', 'src_ip']);
  });

  it('refuses a body that names no entity to put risk on', () => {
    assert.ok(d);
    assert.throws(() => nativeStanza(d, firstQuery('brute_force'), { ...body, riskOn: [] }), /brute_force names no entity to put risk on/);
  });
});

describe('source macros', () => {
  it('cover both formats of the Splunk Add-on for Windows', () => {
    assert.equal(sourceMacroDefinition('Security'), '(source="XmlWinEventLog:Security" OR source="WinEventLog:Security")');
  });

  it('refuse a channel they do not know, naming it', () => {
    assert.throws(() => sourceMacroDefinition('Application'), /no source macro for Windows channel "Application"/);
  });
});
