import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findPlatform, platformNames, platformSections, platformsIn, PLATFORMS } from '../../adapters/index';
import { resolveConfig } from '../../core/config/config';
import { DECLARATIONS } from '../../core/detectors/registry';

const ROOT = join(__dirname, '..', '..');

/** Every .ts file under a directory of the repository. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, dir, f));
}

describe('platform registry (adapters/index.ts)', () => {
  it('names each platform by its config key, once', () => {
    assert.equal(new Set(platformNames()).size, PLATFORMS.length);
    for (const p of PLATFORMS) assert.match(p.name, /^[a-z][a-z0-9]*$/);
  });

  it('loads an adapter that opens, probes and redacts', () => {
    for (const entry of PLATFORMS) {
      const p = entry.load();
      assert.equal(typeof p.open, 'function', entry.name);
      assert.equal(typeof p.probe, 'function', entry.name);
      assert.equal(typeof p.redact, 'function', entry.name);
    }
  });

  it('finds the platforms whose section a config has', () => {
    assert.deepEqual(platformsIn({ splunk: {}, honeytokens: [] }).map((p) => p.name), ['splunk']);
    assert.deepEqual(platformsIn({}), []);
    assert.equal(findPlatform('nonesuch'), undefined);
  });

  it('gives core the section schemas: core rejects a platform section it was not told about', () => {
    assert.throws(() => resolveConfig({ splunk: {} }, DECLARATIONS), /splunk is not a known key/);
    assert.doesNotThrow(() => resolveConfig({ splunk: {} }, DECLARATIONS, platformSections()));
  });

  it('leaves core/ and cli/ free of any platform name', () => {
    const names = platformNames();
    const offenders = [...sources('core'), ...sources('cli')].filter((f) => names.some((n) => readFileSync(f, 'utf8').toLowerCase().includes(n)));
    assert.deepEqual(offenders.map((f) => f.slice(ROOT.length + 1)), []);
  });
});
