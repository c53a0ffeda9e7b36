import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselinePhase, generatePhase, tierzeroPhase, type PhaseResult } from '../../bench/phases';

describe('bench phases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierzero-bench-'));
  const file = join(dir, 'workload.jsonl');
  let generated: PhaseResult;

  before(async () => {
    generated = await generatePhase({ seed: 'phases-test', start: '2024-03-12T00:00:00.000Z', durationHours: 24, events: 5000, accounts: 60, generator: 'test' }, file);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the workload as JSONL and reports its size and deployment config', () => {
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, generated.events);
    assert.equal(Buffer.byteLength(text), generated.details['bytes']);
    assert.deepEqual((generated.details['config'] as { directorySyncAccounts: string[] }).directorySyncAccounts, ['MSOL_5f2a9c1e0b7d']);
  });

  it('has the baseline and the pipeline read the same number of events', async () => {
    const baseline = await baselinePhase(file);
    const tierzero = await tierzeroPhase(file, generated.details['config']);
    assert.equal(baseline.events, generated.events);
    assert.equal(tierzero.events, generated.events);
    assert.equal(tierzero.details['quarantined'], 0);
    assert.ok(Number(tierzero.details['alerts']) > 0, 'the injected attacks raise alerts');
  });

  it('commits the state to a file, as a scheduled pass does, and reports that file\'s size', async () => {
    const tierzero = await tierzeroPhase(file, generated.details['config']);
    const state = tierzero.details['state'] as { stateBytes: number; activeAccounts: number };
    assert.ok(state.stateBytes > 1000 && state.activeAccounts > 0, JSON.stringify(state));
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.state-')), [], 'the state file is removed once measured');
  });

  it('reports time and state size per detector when asked', async () => {
    const tierzero = await tierzeroPhase(file, generated.details['config'], true);
    const rows = tierzero.details['perDetector'] as { detector: string; handleSeconds: number; stateJsonMb: number }[];
    assert.equal(rows.length, tierzero.details['detectors']);
    assert.ok(rows.some((r) => r.detector === 'dcsync') && rows.every((r) => r.handleSeconds >= 0 && r.stateJsonMb >= 0));
    assert.ok('directory' in (tierzero.details['sharedStateJsonMb'] as object));
  });
});
