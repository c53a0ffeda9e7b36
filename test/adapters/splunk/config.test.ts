import { strict as assert } from 'node:assert';
import { platformSections } from '../../../adapters/index';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { ConfigError, resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';

const minimal = {
  url: 'https://splunk.example:8089',
  username: 'svc_tierzero',
  passwordEnv: 'TZ_PASSWORD',
  hec: { url: 'https://splunk.example:8088', tokenEnv: 'TZ_HEC' },
};

function configError(raw: unknown): ConfigError {
  try {
    resolveSplunkSettings(raw, '/etc/tierzero');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

describe('splunk config section', () => {
  it('is accepted by the core schema as the section the platform registry injects', () => {
    assert.doesNotThrow(() => resolveConfig({ splunk: minimal }, DECLARATIONS, platformSections()));
  });

  it('resolves defaults: app namespace, settle lag, KV store collection, HEC index', () => {
    const s = resolveSplunkSettings(minimal, '/etc/tierzero');
    assert.equal(s.app, 'tierzero');
    assert.equal(s.owner, 'nobody');
    assert.equal(s.search.settleSeconds, 60);
    assert.equal(s.state.collection, 'tierzero_state');
    assert.equal(s.hec.index, 'tierzero');
    assert.equal(s.tls.verify, true);
    assert.deepEqual(s.auth, { kind: 'password', username: 'svc_tierzero', password: { env: 'TZ_PASSWORD' } });
  });

  it('resolves file paths against the directory of the config file', () => {
    const s = resolveSplunkSettings({ ...minimal, passwordEnv: undefined, passwordFile: 'secrets/splunk', caFile: '../ca.pem' }, '/etc/tierzero');
    assert.deepEqual(s.auth, { kind: 'password', username: 'svc_tierzero', password: { file: '/etc/tierzero/secrets/splunk' } });
    assert.equal(s.tls.caFile, '/etc/ca.pem');
    assert.equal(s.state.fallbackFile, '/etc/tierzero/.tierzero/splunk-state.json');
  });

  it('refuses a password written in the config, naming the keys to use instead', () => {
    const e = configError({ ...minimal, password: 'hunter2-hunter2' });
    assert.equal(e.key, 'splunk.password');
    assert.match(e.message, /passwordEnv or passwordFile/);
    assert.doesNotMatch(e.message, /hunter2/);
  });

  it('refuses a HEC token written in the config', () => {
    const e = configError({ ...minimal, hec: { url: 'https://h:8088', token: 'abc-123-secret' } });
    assert.equal(e.key, 'splunk.hec.token');
    assert.doesNotMatch(e.message, /abc-123-secret/);
  });

  it('holds the KV store commit lease for state.leaseSeconds, 300 s by default', () => {
    assert.equal(resolveSplunkSettings(minimal, '/etc/tierzero').state.leaseMs, 300_000);
    assert.equal(resolveSplunkSettings({ ...minimal, state: { leaseSeconds: 60 } }, '/etc/tierzero').state.leaseMs, 60_000);
    assert.equal(configError({ ...minimal, state: { leaseSeconds: 1 } }).key, 'splunk.state.leaseSeconds');
  });

  it('names an unknown key with its full path', () => {
    assert.equal(configError({ ...minimal, search: { settleSecs: 5 } }).key, 'splunk.search.settleSecs');
  });

  it('requires the HEC section', () => {
    const { hec: _hec, ...rest } = minimal;
    assert.equal(configError(rest).key, 'splunk.hec');
  });

  it('requires exactly one way to authenticate', () => {
    assert.match(configError({ ...minimal, tokenEnv: 'TZ_TOKEN' }).message, /exactly one way to authenticate/);
    assert.match(configError({ url: minimal.url, hec: minimal.hec }).message, /exactly one way to authenticate/);
  });

  it('accepts a session key from stdin, for the scripted input', () => {
    const s = resolveSplunkSettings({ url: minimal.url, sessionKeyFromStdin: true, hec: { url: minimal.hec.url, tokenStoragePassword: 'hec_token' } }, '/');
    assert.deepEqual(s.auth, { kind: 'sessionKeyFromStdin' });
    assert.deepEqual(s.hec.token, { storagePassword: 'hec_token' });
  });

  it('requires exactly one source for the HEC token', () => {
    assert.equal(configError({ ...minimal, hec: { url: minimal.hec.url } }).key, 'splunk.hec');
    assert.equal(configError({ ...minimal, hec: { ...minimal.hec, tokenFile: '/t' } }).key, 'splunk.hec');
  });

  it('refuses an index name that could break out of the search', () => {
    assert.equal(configError({ ...minimal, search: { windowsIndexes: ['wineventlog" OR index=*'] } }).key, 'splunk.search.windowsIndexes.0');
  });

  it('refuses a URL that is not scheme://host:port', () => {
    assert.equal(configError({ ...minimal, url: 'splunk.example:8089' }).key, 'splunk.url');
  });
});
