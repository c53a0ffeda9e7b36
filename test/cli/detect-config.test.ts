import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

/** `detect` judges the whole config file as `respond` and `run` do (README, Configuration). */
const dir = mkdtempSync(join(tmpdir(), 'tz-detect-config-'));
const input = join(dir, 'events.jsonl');
writeFileSync(input, `${JSON.stringify(securityEvent(4771, 0, { TargetUserName: 'asmith', Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' }))}\n`);
const entra = { tenantId: '00000000-0000-0000-0000-000000000001', clientId: 'app', clientSecretEnv: 'TZ_SECRET' };

async function detectWith(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return tierzero(['detect', input, '--config', path, '--quiet']);
}

describe('tierzero detect --config validates the whole file', function () {
  this.timeout(30_000);

  it('refuses a config that is null', async () => {
    const r = await detectWith('null.json', 'null');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: \(root\) must be a JSON object/);
  });

  it('refuses an inline client secret in the response section', async () => {
    const r = await detectWith('inline.json', JSON.stringify({ response: { entra: { ...entra, clientSecret: 'hunter2-hunter2' } } }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: response\.entra\.clientSecret must not hold a secret inline/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  it('refuses passwordLength 8, as respond does', async () => {
    const r = await detectWith('short.json', JSON.stringify({ response: { entra, passwordLength: 8 } }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: response\.passwordLength must be >= 16/);
  });

  it('refuses an inline password in the splunk section, as run does', async () => {
    const r = await detectWith('splunk.json', JSON.stringify({ splunk: { url: 'https://127.0.0.1:8089', password: 'changeme-123', hec: { url: 'https://127.0.0.1:8088' } } }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: splunk\.password must not hold a secret in config/);
  });

  it('accepts a valid response section without reading its secrets', async () => {
    const r = await detectWith('ok.json', JSON.stringify({ testMode: true, response: { entra } }));
    assert.equal(r.code, 0, r.stderr);
  });

  it('accepts a config file that starts with a UTF-8 byte-order mark', async () => {
    const r = await detectWith('bom.json', '\ufeff{"testMode": true}');
    assert.equal(r.code, 0, r.stderr);
  });
});
