import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildSample, SAMPLE_FILES, SAMPLE_OPTIONS } from '../../bench/sample';
import { resolveConfig } from '../../core/config/config';
import { DECLARATIONS } from '../../core/detectors/registry';

const root = join(__dirname, '../..');
const read = (relative: string): Buffer => readFileSync(join(root, relative));
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('shipped quickstart sample', () => {
  const regenerated = buildSample();

  it('holds exactly the events make-sample regenerates (run `npm run sample` after changing the generator)', () => {
    assert.equal(sha256(gunzipSync(read(SAMPLE_FILES.events))), sha256(regenerated.jsonl));
  });

  it('ships the labels and the config make-sample regenerates', () => {
    assert.deepEqual(JSON.parse(read(SAMPLE_FILES.labels).toString('utf8')), JSON.parse(JSON.stringify(regenerated.labels)));
    assert.deepEqual(JSON.parse(read(SAMPLE_FILES.config).toString('utf8')), regenerated.config);
  });

  it('is a small day: 20 to 40 thousand events, about a megabyte compressed', () => {
    assert.ok(regenerated.labels.events >= 20_000 && regenerated.labels.events <= 40_000, `${regenerated.labels.events} events`);
    assert.ok(read(SAMPLE_FILES.events).length < 1_500_000);
  });

  it('labels an attack for each of the first four detectors, and more', () => {
    const detectors = new Set(regenerated.labels.attacks.map((a) => a.detector));
    for (const d of ['dcsync', 'kerberoasting', 'asrep_roasting', 'brute_force', 'password_spray', 'account_enumeration', 'sensitive_group_change', 'honeytoken_activity']) {
      assert.ok(detectors.has(d as never), d);
    }
    assert.equal(regenerated.labels.attacks.length, SAMPLE_OPTIONS.attacks?.length);
  });

  it('ships a config the engine accepts, naming the sync account, the DCs and the decoy', () => {
    const config = resolveConfig(regenerated.config, DECLARATIONS);
    assert.deepEqual(config.directorySyncAccounts, ['MSOL_5f2a9c1e0b7d']);
    assert.equal(config.domainControllers.length, 2);
    assert.equal(config.honeytokens.length, 2);
  });
});
