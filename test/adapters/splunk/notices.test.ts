import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledPackageDirs, readmeLicence } from '../../../adapters/splunk/app/notices';
import { builtApp } from './built-app';

describe('THIRD-PARTY-NOTICES of the bundled engine', function () {
  this.timeout(60_000);
  let notices: string;
  let bundled: string[];

  before(async () => {
    const { app } = await builtApp();
    notices = readFileSync(join(app, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    // esbuild marks each inlined module with a `// node_modules/<package>/<file>` comment.
    const code = readFileSync(join(app, 'bin', 'tierzero.cjs'), 'utf8');
    bundled = [...new Set([...code.matchAll(/^\/\/ (?:.*\/)?node_modules\/((?:@[^/\s]+\/)?[^/\s]+)\//gm)].map((m) => m[1] ?? ''))].sort();
    assert.ok(bundled.length > 10, `${bundled.length} packages found in the bundle`);
  });

  it('lists every package inlined into bin/tierzero.cjs', () => {
    const listed = new Set([...notices.matchAll(/^- (\S+) \S+ \(/gm)].map((m) => m[1]));
    assert.deepEqual(bundled.filter((p) => !listed.has(p)), []);
  });

  it('gives each package\'s licence text with its copyright line', () => {
    const sections = notices.split(/^={78}\n/m).slice(1);
    for (const p of bundled) {
      const at = sections.findIndex((s) => s.startsWith(`${p} `));
      assert.ok(at >= 0, p);
      assert.match(sections[at + 1] ?? '', /copyright|licen[cs]e/i, p);
    }
  });
});

describe('bundled package folders', () => {
  it('take the innermost node_modules package, scoped or not', () => {
    assert.deepEqual(bundledPackageDirs([
      'node_modules/a/dist/x.js', 'node_modules/a/node_modules/b/index.js', 'node_modules/@s/c/lib/y.js', 'cli/main.ts',
    ]), ['node_modules/@s/c', 'node_modules/a', 'node_modules/a/node_modules/b']);
  });
});

describe('a README licence section', () => {
  it('is read from an underlined License heading to the next heading', () => {
    const readme = 'x\n\nLicense\n-------\n\n(The MIT License)\n\nCopyright (c) 2013 N\n\nMore\n====\nno';
    assert.equal(readmeLicence(readme), 'License\n-------\n\n(The MIT License)\n\nCopyright (c) 2013 N');
  });

  it('is read from a ## License heading', () => {
    assert.equal(readmeLicence('# t\n## License\nMIT, (c) 2020 Z\n## Next\n'), '## License\nMIT, (c) 2020 Z');
  });
});
