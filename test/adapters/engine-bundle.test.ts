import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleEngine } from '../../adapters/engine-bundle';

const run = promisify(execFile);

/** The npm package names among esbuild's inputs (`node_modules/@scope/name/...` → `@scope/name`). */
function packagesOf(inputs: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const i of inputs) {
    const parts = i.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const first = parts[at + 1] ?? '';
    names.add(first.startsWith('@') ? `${first}/${parts[at + 2] ?? ''}` : first);
  }
  return names;
}

describe('the engine bundle carries its host platform only', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tz-bundle-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the Splunk app's engine has the Splunk adapter and neither the Elasticsearch client nor the Azure SDKs", async () => {
    const b = await bundleEngine('splunk');
    assert.ok(b.inputs.includes('adapters/splunk/run-adapter.ts'));
    assert.deepEqual(b.inputs.filter((i) => /^adapters\/(elastic|sentinel)\//.test(i)), []);
    const pk = packagesOf(b.inputs);
    assert.ok(pk.has('splunk-sdk'));
    assert.deepEqual([...pk].filter((p) => p.startsWith('@elastic/') || p.startsWith('@azure')), []);
  });

  it("the Sentinel Function's engine has the Azure SDKs and not the Elasticsearch client or splunk-sdk", async () => {
    const b = await bundleEngine('sentinel');
    const pk = packagesOf(b.inputs);
    for (const p of ['@azure/monitor-query-logs', '@azure/monitor-ingestion', '@azure/storage-blob', '@azure/identity']) assert.ok(pk.has(p), p);
    assert.ok(!pk.has('@elastic/elasticsearch'));
    assert.ok(!pk.has('splunk-sdk'));
  });

  it('a config naming a platform the bundle lacks is a config error (exit 2) naming the section', async () => {
    const b = await bundleEngine('splunk');
    const cli = join(dir, 'tierzero.cjs');
    await writeFile(cli, b.code);
    const config = join(dir, 'tierzero.json');
    await writeFile(config, JSON.stringify({ elastic: { url: 'http://127.0.0.1:9' } }));
    const r = await run(process.execPath, [cli, 'run', '--config', config]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: elastic is a platform this engine was not packaged with \(it carries splunk only\)/);
  });
});
