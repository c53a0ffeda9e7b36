/* eslint-disable @typescript-eslint/no-require-imports -- js-yaml (mocha's own dependency) reads the rule files back */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { buildSentinelPackage } from '../../../adapters/sentinel/package';
import { analyticRules } from '../../../adapters/sentinel/solution/analytic-rules';
import { PLAYBOOKS, playbookName } from '../../../adapters/sentinel/solution/playbook-definitions';
import { shortDuration } from '../../../adapters/sentinel/solution/rule-yaml';

/**
 * `tierzero package sentinel` through the packager function (adapters/platform.ts `Packager`):
 * the Content Hub layout, byte-for-byte reproducible, the analytic rule YAML reading back as
 * the rules, the two ZIPs readable, and the Functions package's function really running the
 * bundled engine.
 */
const MTIME = 1767225600;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The entries of a ZIP, read from its central directory (APPNOTE §4.3.12) and inflated. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = inflateRawSync(buf.subarray(dataAt, dataAt + size));
    assert.equal(data.length, buf.readUInt32LE(at + 24), `${name}: size`);
    out.set(name, data);
    at += 46 + nameLen + extra + comment;
  }
  return out;
}

describe('sentinel solution: tierzero package sentinel', function () {
  this.timeout(120_000);
  let root: string;
  let files: Map<string, Buffer>;
  let result: { path: string; bytes: number; files: number };

  before(async () => {
    const out = mkdtempSync(join(tmpdir(), 'tz-sentinel-pkg-'));
    result = await buildSentinelPackage({ outDir: out, version: '1.2.3', mtime: MTIME, declarations: DECLARATIONS });
    root = result.path;
    files = new Map(walk(root).map((p) => [relative(root, p).split('\\').join('/'), readFileSync(p)]));
  });

  it('lays the solution out as Content Hub solutions are', () => {
    assert.equal(root.endsWith('tierzero-sentinel-1.2.3'), true);
    for (const f of ['Package/mainTemplate.json', 'Package/createUiDefinition.json', 'Package/1.2.3.zip', 'Data/Solution_Tierzero.json', 'SolutionMetadata.json', 'Workbooks/Tierzero.json', 'Functions/tierzero-functions.zip', 'Analytic Rules/tierzero-incidents.yaml', 'README.md']) {
      assert.ok(files.has(f), `missing ${f}`);
    }
    for (const p of PLAYBOOKS) assert.ok(files.has(`Playbooks/${playbookName(p)}/azuredeploy.json`), playbookName(p));
    assert.equal(result.files, files.size);
    assert.equal(result.bytes, [...files.values()].reduce((n, b) => n + b.length, 0));
  });

  it('lists in Data/Solution_Tierzero.json exactly the content it ships', () => {
    const data = JSON.parse(files.get('Data/Solution_Tierzero.json')?.toString('utf8') ?? '{}') as Record<string, unknown>;
    const listed = [...(data['Analytic Rules'] as string[]), ...(data['Playbooks'] as string[]), ...(data['Workbooks'] as string[])].sort();
    const shipped = [...files.keys()].filter((f) => /^(Analytic Rules|Playbooks|Workbooks)\//.test(f)).sort();
    assert.deepEqual(listed, shipped);
    assert.equal(data['Version'], '1.2.3');
  });

  it('builds the same bytes from the same inputs', async () => {
    const again = await buildSentinelPackage({ outDir: mkdtempSync(join(tmpdir(), 'tz-sentinel-pkg-')), version: '1.2.3', mtime: MTIME, declarations: DECLARATIONS });
    const digest = (dir: string): string[] => walk(dir).map((p) => `${relative(dir, p)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`).sort();
    assert.deepEqual(digest(again.path), digest(root));
  });

  it('writes each analytic rule as YAML that reads back as the rule', () => {
    const yaml = require('js-yaml') as { load: (s: string) => unknown };
    const rules = analyticRules(DECLARATIONS, resolveConfig({}, DECLARATIONS));
    assert.equal([...files.keys()].filter((f) => f.startsWith('Analytic Rules/')).length, rules.length);
    for (const r of rules) {
      const doc = yaml.load(files.get(`Analytic Rules/${r.file}.yaml`)?.toString('utf8') ?? '') as Record<string, unknown>;
      assert.equal(doc['id'], r.id);
      assert.equal(doc['name'], r.properties.displayName);
      assert.equal(doc['query'], r.properties.query, `${r.file}: the query survives YAML verbatim`);
      assert.deepEqual(doc['entityMappings'], JSON.parse(JSON.stringify(r.properties.entityMappings)));
      assert.equal(doc['queryPeriod'], shortDuration(r.properties.queryPeriod));
      assert.deepEqual(doc['relevantTechniques'], r.properties.techniques);
      assert.equal(doc['kind'], 'Scheduled');
      assert.equal(doc['version'], '1.2.3');
    }
  });

  it('zips mainTemplate.json and createUiDefinition.json as Package/<version>.zip', () => {
    const entries = unzip(files.get('Package/1.2.3.zip') as Buffer);
    assert.deepEqual([...entries.keys()].sort(), ['createUiDefinition.json', 'mainTemplate.json']);
    assert.ok(entries.get('mainTemplate.json')?.equals(files.get('Package/mainTemplate.json') as Buffer));
  });

  it('ships a Functions package whose timer function runs the bundled engine', async () => {
    const entries = unzip(files.get('Functions/tierzero-functions.zip') as Buffer);
    assert.deepEqual([...entries.keys()].sort(), ['THIRD-PARTY-NOTICES.txt', 'TierzeroRun/function.json', 'TierzeroRun/index.js', 'bin/tierzero.cjs', 'host.json']);
    const fn = JSON.parse(entries.get('TierzeroRun/function.json')?.toString('utf8') ?? '{}') as { bindings: { type: string; direction: string; schedule: string }[] };
    assert.deepEqual(fn.bindings.map((b) => [b.type, b.direction, b.schedule]), [['timerTrigger', 'in', '%TIERZERO_SCHEDULE%']]);
    assert.equal((JSON.parse(entries.get('host.json')?.toString('utf8') ?? '{}') as { version: string }).version, '2.0');
    // Unpacked as run-from-package mounts it, then invoked as the Functions host would.
    const dir = mkdtempSync(join(tmpdir(), 'tz-sentinel-fn-'));
    for (const [name, data] of entries) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    const logs: string[] = [];
    const log = Object.assign((s: string) => logs.push(s), { warn: (s: string) => logs.push(s) });
    const saved = { config: process.env['TIERZERO_CONFIG'], sentinel: process.env['TIERZERO_SENTINEL'] };
    // A config whose section the engine refuses: the pass must fail loudly, naming the key.
    process.env['TIERZERO_CONFIG'] = JSON.stringify({ detectors: { no_such_detector: {} } });
    process.env['TIERZERO_SENTINEL'] = JSON.stringify({ workspaceId: 'not-a-guid' });
    try {
      const fnModule = require(join(dir, 'TierzeroRun', 'index.js')) as (ctx: unknown, timer: unknown) => Promise<void>;
      await assert.rejects(fnModule({ log }, { isPastDue: false }), /tierzero run exited with code 2/);
    } finally {
      if (saved.config === undefined) delete process.env['TIERZERO_CONFIG']; else process.env['TIERZERO_CONFIG'] = saved.config;
      if (saved.sentinel === undefined) delete process.env['TIERZERO_SENTINEL']; else process.env['TIERZERO_SENTINEL'] = saved.sentinel;
    }
    assert.match(logs.join('\n'), /config/i, 'the engine said what is wrong with the config');
    assert.match(entries.get('THIRD-PARTY-NOTICES.txt')?.toString('utf8') ?? '', /esbuild|ajv/);
  });

  it('refuses a version Content Hub would not take', async () => {
    await assert.rejects(buildSentinelPackage({ outDir: mkdtempSync(join(tmpdir(), 'tz-sentinel-pkg-')), version: '1.2', mtime: MTIME, declarations: DECLARATIONS }), /major\.minor\.patch/);
  });
});
