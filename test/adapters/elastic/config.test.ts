import { strict as assert } from 'node:assert';
import { resolveElasticSettings } from '../../../adapters/elastic/config';
import { ConfigError } from '../../../core/config/config';

const minimal = { url: 'https://es.example:9200', apiKeyEnv: 'TZ_ES_API_KEY' };

function configError(raw: unknown): ConfigError {
  try {
    resolveElasticSettings(raw, '/etc/tierzero');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

describe('elastic config section', () => {
  it('resolves the defaults of the issue: index patterns, namespace, data stream, state index, TLS on', () => {
    const s = resolveElasticSettings(minimal, '/etc/tierzero');
    // The three, and the System channel's and Sysmon's streams the plan pulls from too.
    assert.deepEqual(s.indices.windows, ['logs-system.security-*', 'logs-system.system-*', 'logs-windows.forwarded-*', 'logs-windows.sysmon_operational-*', 'winlogbeat-*']);
    assert.deepEqual(s.indices.entra, ['logs-azure.signinlogs-*', 'logs-azure.auditlogs-*']);
    assert.equal(s.namespace, 'default');
    assert.equal(s.alertDataStream, 'logs-tierzero.alert-default');
    assert.equal(s.riskIndex, 'tierzero-risk-score-latest-default');
    assert.deepEqual(s.state, { index: 'tierzero-state', deploymentId: 'default' });
    assert.equal(s.search.settleSeconds, 60);
    assert.equal(s.tls.verify, true);
    assert.equal(s.installTemplates, true);
    assert.deepEqual(s.auth, { kind: 'apiKey', apiKey: { env: 'TZ_ES_API_KEY' } });
  });

  it('names the alert data stream and the risk index after the namespace', () => {
    const s = resolveElasticSettings({ ...minimal, namespace: 'prod_eu' }, '/etc/tierzero');
    assert.equal(s.alertDataStream, 'logs-tierzero.alert-prod_eu');
    assert.equal(s.riskIndex, 'tierzero-risk-score-latest-prod_eu');
    assert.equal(s.state.deploymentId, 'prod_eu');
  });

  it('refuses a namespace with a dash, which a data stream name cannot hold there', () => {
    const e = configError({ ...minimal, namespace: 'prod-eu' });
    assert.equal(e.key, 'elastic.namespace');
    assert.match(e.message, /no -/);
  });

  it('takes basic auth as a username with the password from a file, resolved against the config directory', () => {
    const s = resolveElasticSettings({ url: 'https://es.example:9200', username: 'tierzero_run', passwordFile: 'secrets/es', caFile: '../ca.pem' }, '/etc/tierzero');
    assert.deepEqual(s.auth, { kind: 'basic', username: 'tierzero_run', password: { file: '/etc/tierzero/secrets/es' } });
    assert.equal(s.tls.caFile, '/etc/ca.pem');
  });

  it('refuses an API key written in the config, without echoing it', () => {
    const e = configError({ ...minimal, apiKey: 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==' });
    assert.equal(e.key, 'elastic.apiKey');
    assert.match(e.message, /apiKeyEnv or apiKeyFile/);
    assert.doesNotMatch(e.message, /VnVhQ2ZH/);
  });

  it('refuses credentials in the url, without echoing them', () => {
    assert.throws(() => resolveElasticSettings({ url: 'https://svc:hunter2-secret@es.example:9200' }, '/'), (e: unknown) => e instanceof ConfigError && /elastic\.url must not hold credentials/.test(e.message) && !e.message.includes('hunter2'));
  });

  it('refuses a password written in the config', () => {
    assert.equal(configError({ url: 'https://es:9200', username: 'u', password: 'hunter2-hunter2' }).key, 'elastic.password');
  });

  it('refuses two ways of authenticating at once', () => {
    assert.match(configError({ ...minimal, username: 'u', passwordEnv: 'P' }).message, /not both/);
  });

  it('asks for the username when only a password is named', () => {
    assert.equal(configError({ url: 'https://es:9200', passwordEnv: 'P' }).key, 'elastic.username');
  });

  it('refuses plain http to a remote host unless allowPlainHttp says so', () => {
    const e = configError({ ...minimal, url: 'http://es.example:9200' });
    assert.equal(e.key, 'elastic.url');
    assert.match(e.message, /allowPlainHttp/);
    assert.equal(resolveElasticSettings({ ...minimal, url: 'http://es.example:9200', allowPlainHttp: true }, '/').url.protocol, 'http:');
  });

  it('accepts plain http and no credentials for a loopback node only', () => {
    assert.deepEqual(resolveElasticSettings({ url: 'http://127.0.0.1:9200' }, '/').auth, { kind: 'none' });
    assert.match(configError({ url: 'https://es.example:9200' }).message, /needs credentials/);
  });

  it('names an unknown key', () => {
    assert.equal(configError({ ...minimal, indexes: ['x'] }).key, 'elastic.indexes');
    assert.equal(configError({ ...minimal, search: { pagesize: 10 } }).key, 'elastic.search.pagesize');
  });

  it('refuses an index pattern with characters an index name cannot hold', () => {
    assert.equal(configError({ ...minimal, indices: { windows: ['Logs System'] } }).key, 'elastic.indices.windows.0');
  });

  it('refuses a page size over the 10 000 hits a search returns', () => {
    assert.equal(configError({ ...minimal, search: { pageSize: 20_000 } }).key, 'elastic.search.pageSize');
  });

  it('requires the url', () => {
    assert.equal(configError({ apiKeyEnv: 'K' }).key, 'elastic.url');
  });
});
