import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBuild, parseAppVersion } from '../../../adapters/splunk/app/app-manifest';
import { builtApp } from './built-app';
import { readConf } from './conf';

describe('app.conf [install] build', () => {
  it('grows from 0.10.0 to 1.0.0, which concatenated digits do not (0100 > 100)', () => {
    assert.ok(installBuild('0.10.0') < installBuild('1.0.0'), `${installBuild('0.10.0')} < ${installBuild('1.0.0')}`);
  });

  it('orders versions as their semantic version order', () => {
    const versions = ['0.1.0', '0.1.9', '0.2.0', '0.9.10', '0.10.0', '0.10.1', '1.0.0', '1.2.3', '2.0.0', '10.0.0'];
    const builds = versions.map(installBuild);
    assert.deepEqual(builds, [...builds].sort((a, b) => a - b));
    assert.equal(new Set(builds).size, versions.length);
  });

  it('refuses a minor or revision too large to keep the order, naming the version', () => {
    assert.throws(() => installBuild('1.1000.0'), /app version 1\.1000\.0: minor and revision must be below 1000/);
    assert.throws(() => parseAppVersion('1.0'), /app version 1\.0 is not Major\.Minor\.Revision/);
  });
});

describe('app.manifest in the built app', function () {
  this.timeout(60_000);
  let manifest: {
    schemaVersion: string;
    info: { title: string; id: { name: string; version: string }; author: { name: string }[]; description: string; license: { name: string; uri: string } };
    platformRequirements: { splunk: Record<string, string> };
    supportedDeployments: string[];
  };
  let app: string;

  before(async () => {
    ({ app } = await builtApp());
    manifest = JSON.parse(readFileSync(join(app, 'app.manifest'), 'utf8')) as typeof manifest;
  });

  it('is schema 2.0.0 of the packaging toolkit', () => {
    assert.equal(manifest.schemaVersion, '2.0.0');
  });

  it('names the app, version, title, author and description as app.conf does', () => {
    const conf = readConf(join(app, 'default', 'app.conf'));
    assert.equal(manifest.info.id.name, conf.get('package')?.get('id'));
    assert.equal(manifest.info.id.name, conf.get('id')?.get('name'));
    assert.equal(manifest.info.id.version, conf.get('launcher')?.get('version'));
    assert.equal(manifest.info.title, conf.get('ui')?.get('label'));
    assert.deepEqual(manifest.info.author.map((a) => a.name), [conf.get('launcher')?.get('author')]);
    assert.equal(manifest.info.description, conf.get('launcher')?.get('description'));
  });

  it('carries the build app.conf derives from the version', () => {
    const conf = readConf(join(app, 'default', 'app.conf'));
    assert.equal(conf.get('install')?.get('build'), String(installBuild(manifest.info.id.version)));
  });

  it('declares the licence of package.json and the Splunk Enterprise it needs', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { license: string; version: string };
    assert.equal(manifest.info.license.name, pkg.license);
    assert.equal(manifest.info.id.version, pkg.version);
    assert.match(manifest.platformRequirements.splunk['Enterprise'] ?? '', /^>=\d+\.\d+$/);
    assert.ok(manifest.supportedDeployments.includes('_search_head_clustering'));
  });
});
