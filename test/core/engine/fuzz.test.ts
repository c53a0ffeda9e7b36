import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { FileSource } from '../../../adapters/file/file-source';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass, type PassStats } from '../../../core/engine/engine';
import type { Source } from '../../../core/engine/ports';
import { MODELLED_EVENT_IDS } from '../../../core/events/normalize';
import { MemorySource } from '../../support/memory-source';

/**
 * Property-based: whatever a log export holds, a pass finishes, accounts for every record
 * (event, unmodelled or quarantined) and is deterministic. Seeded, so a failure reproduces.
 */
const config = resolveConfig({}, DECLARATIONS);
const NOW = Date.UTC(2024, 2, 10);
const dir = mkdtempSync(join(tmpdir(), 'tz-fuzz-'));
let generated = 0;

const ids = [...MODELLED_EVENT_IDS.security, 4624, 4625, 4768, 4769, 4771, 4776, 5156];
const names = ['admin', 'jdoe', 'svc-sql', 'krbtgt', 'WS01$', 'CORP\\alice', 'bob@corp.example', '-', '', '\u001b[2J', '\u202eevil'];
const hosts = ['DC01.corp.example', 'DC02.corp.example', 'WS01'];

/** Strings an attacker or a broken exporter writes: control characters, huge, numeric, odd. */
const nasty = fc.oneof(
  fc.constantFrom('', '-', '0x0', '0x18', '0x17', '%%1833', '9e15', 'NaN', '\u0000', '\r\u001b[2K', '\u001b]0;title\u0007', '::ffff:10.0.0.5', '[::1]:445', '9999-12-31T00:00:00Z'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const deep = fc.integer({ min: 50, max: 1500 }).chain((n) => fc.constantFrom<unknown>(nest(n, []), nest(n, {})));
const wrongType = fc.oneof(fc.constantFrom<unknown>(null, true, 9e15, -1, 1e308, Number.MAX_SAFE_INTEGER, [], {}, [1, 2], { a: { b: 1 } }), deep, nasty);

const canonical = fc.record({
  TimeCreated: fc.integer({ min: 0, max: 7 * 86_400_000 }).map((ms) => new Date(Date.UTC(2024, 2, 1) + ms).toISOString()),
  Computer: fc.constantFrom(...hosts),
  Channel: fc.constantFrom('Security', 'Security', 'System', 'Microsoft-Windows-Sysmon/Operational'),
  EventID: fc.constantFrom(...ids),
  EventRecordID: fc.nat(),
  TargetUserName: fc.constantFrom(...names),
  SubjectUserName: fc.constantFrom(...names),
  IpAddress: fc.constantFrom('::ffff:10.0.6.6', '10.0.4.21', '-', '203.0.113.9'),
  Status: fc.constantFrom('0x0', '0x18', '0x17', '0xC000006A'),
  TicketEncryptionType: fc.constantFrom('0x17', '0x12'),
  ServiceName: fc.constantFrom('svc-a', 'svc-b', 'krbtgt', 'cifs/DC01'),
  LogonType: fc.constantFrom('3', '10', '2'),
  PreAuthType: fc.constantFrom('2', '0'),
});

/** A canonical event with one or two fields replaced by a wrong-typed value, or dropped. */
const mutated = fc.tuple(canonical, fc.array(fc.tuple(fc.constantFrom('TimeCreated', 'EventID', 'Computer', 'Channel', 'TargetUserName', 'IpAddress', 'Status', 'EventRecordID'), fc.option(wrongType)), { minLength: 1, maxLength: 2 }))
  .map(([e, changes]) => {
    const out: Record<string, unknown> = { ...e };
    for (const [k, v] of changes) if (v === null) delete out[k]; else out[k] = v;
    return out;
  });

const record = fc.oneof({ weight: 5, arbitrary: canonical }, { weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: wrongType });

/** Raw lines: mostly JSON of records, some cut, some garbage; never a newline inside one. */
const rawLine = fc.oneof(
  { weight: 8, arbitrary: record.map((r) => JSON.stringify(r) ?? 'null') },
  { weight: 1, arbitrary: record.chain((r) => fc.nat().map((n) => { const s = JSON.stringify(r) ?? ''; return s.slice(0, n % (s.length + 1)); })) },
  { weight: 1, arbitrary: fc.oneof(nasty, fc.integer({ min: 100, max: 6000 }).map((n) => '['.repeat(n)), fc.constant('{"EventID":4771,"TimeCreated":9e15,"Computer":"DC01"}')) },
).map((l) => l.replace(/\n/g, ' '));

function nest(depth: number, leaf: unknown): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = Array.isArray(leaf) ? [v] : { k: v };
  return v;
}

async function pass(source: Source) {
  return runPass({ source, sink: new MemorySink(), store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES, clock: () => NOW });
}

function conserved(stats: PassStats): boolean {
  const unmodelled = [...stats.unmodelled.values()].reduce((a, b) => a + b, 0);
  return stats.records === stats.events + unmodelled + stats.quarantined;
}

describe('engine fuzz (fast-check)', () => {
  it('never throws, conserves records and repeats its alert ids over random and mutated events', async () => {
    await fc.assert(fc.asyncProperty(fc.array(record, { minLength: 100, maxLength: 300, size: "max" }), async (records) => {
      generated += records.length;
      const a = await pass(new MemorySource(records, 64));
      const b = await pass(new MemorySource(records, 7));
      assert.equal(a.stats.records, records.length);
      assert.ok(conserved(a.stats), 'records = events + unmodelled + quarantined');
      assert.deepEqual(b.alerts.map((x) => x.id), a.alerts.map((x) => x.id));
    }), { seed: 1212, numRuns: 34 });
  });

  it('never throws, conserves lines and repeats its alert ids over raw lines through the file source', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(rawLine, { minLength: 100, maxLength: 300, size: "max" }), async (lines) => {
      generated += lines.length;
      const path = join(dir, `fuzz-${run++}.jsonl`);
      writeFileSync(path, `${lines.join('\n')}\n`);
      const nonBlank = lines.filter((l) => !/^[ \t\r]*$/.test(l)).length;
      const a = await pass(new FileSource([path], { maxLineBytes: 64 * 1024 }));
      const b = await pass(new FileSource([path], { maxLineBytes: 64 * 1024 }));
      assert.equal(a.stats.records, nonBlank, 'every non-blank line is a record');
      assert.ok(conserved(a.stats), 'records = events + unmodelled + quarantined');
      assert.deepEqual(b.alerts.map((x) => x.id), a.alerts.map((x) => x.id));
    }), { seed: 2424, numRuns: 34 });
  });

  after(() => {
    process.stdout.write(`      (${generated} generated records)\n`);
    assert.ok(generated >= 10_000, `generated ${generated} records, want at least 10,000`);
  });
});
