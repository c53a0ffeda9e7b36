import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoverageReport } from '../../core/engine/coverage';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'tz-doctor-'));

function jsonl(name: string, events: readonly object[]): string {
  const path = join(dir, name);
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}

const tickets = jsonl('tickets.jsonl', [0, 1, 2].map((i) => securityEvent(4769, i, {
  TargetUserName: 'jdoe@CORP.EXAMPLE', ServiceName: 'svc', TicketEncryptionType: '0x12', Status: '0x0', IpAddress: '::ffff:10.0.4.21', TicketOptions: '0x40810000',
})));
const onlyKerberoasting = join(dir, 'only-kerberoasting.json');
writeFileSync(onlyKerberoasting, JSON.stringify({ detectors: Object.fromEntries(['dcsync', 'asrep_roasting', 'brute_force'].map((id) => [id, { enabled: false }])) }));

describe('tierzero doctor', () => {
  it('prints a coverage table with event counts per detector and exits 1 when an enabled detector is blind', async () => {
    const r = await tierzero(['doctor', tickets]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /3 records in 1 file/);
    assert.match(r.stdout, /kerberoasting\s+ok\s+4769×3/);
    assert.match(r.stdout, /dcsync\s+blind/);
    assert.match(r.stdout, /blind detectors \(no input event present\) — enable:\n {2}dcsync\n {4}Security 4662: Audit Directory Service Access/);
  });

  it('writes the same report as JSON with --json', async () => {
    const r = await tierzero(['doctor', tickets, '--json']);
    const report = JSON.parse(r.stdout) as CoverageReport & { files: number };
    assert.equal(report.files, 1);
    assert.equal(report.detectors.find((d) => d.id === 'kerberoasting')?.inputs[0]?.counts[4769], 3);
    assert.ok(report.blind.includes('dcsync'));
  });

  it('reports the shared needs and what the missing ones break', async () => {
    const r = await tierzero(['doctor', tickets]);
    assert.match(r.stdout, /shared needs \(read whichever detectors are enabled\):/);
    assert.match(r.stdout, /directory model\s+partial\s+4769×3/);
    assert.match(r.stdout, /identity resolution\s+blind/);
    assert.match(r.stdout, / {2}directory model: learns domain controllers.*\n(?: {4}.*\n)* {4}Security 4728\/4729\/4732 \+3 more: Audit Security Group Management/);
    const json = JSON.parse((await tierzero(['doctor', tickets, '--json'])).stdout) as CoverageReport;
    assert.deepEqual(json.shared.map((n) => [n.name, n.status]), [['directory model', 'partial'], ['identity resolution', 'blind']]);
  });

  it('leaves detectors disabled in the config out of the verdict', async () => {
    const r = await tierzero(['doctor', tickets, '--config', onlyKerberoasting, '--json']);
    const report = JSON.parse(r.stdout) as CoverageReport;
    assert.ok(!report.blind.includes('dcsync'));
    assert.equal(report.detectors.find((d) => d.id === 'dcsync')?.enabled, false);
  });

  it('exits 2 without input files', async () => {
    const r = await tierzero(['doctor']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /give the event files to check/);
  });
});
