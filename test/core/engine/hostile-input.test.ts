import { strict as assert } from 'node:assert';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass, type PassOptions } from '../../../core/engine/engine';
import type { StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { securityEvent } from '../detectors/harness';

const config = resolveConfig({}, DECLARATIONS);
/** The fixtures' day (2024-03-04) seen from the next morning: nothing in them is in the future. */
const NOW = Date.UTC(2024, 2, 5, 8, 0, 0);

const guess = (at: number, account = 'admin') => securityEvent(4771, at, { TargetUserName: account, Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' });
const roast = (at: number, service: string) => securityEvent(4769, at, {
  TargetUserName: 'jdoe@CORP.EXAMPLE', ServiceName: service, TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.4.21',
});

async function pass(events: readonly unknown[], store: StateStore = new MemoryStateStore(), extra: Partial<PassOptions> = {}) {
  const quarantine = new MemoryQuarantine();
  const result = await runPass({
    source: new MemorySource(events), sink: new MemorySink(), store, quarantine, config, modules: DETECTOR_MODULES, clock: () => NOW, ...extra,
  });
  return { ...result, quarantine };
}

function nested(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('engine on hostile input', () => {
  it('quarantines a record holding an array nested 5,000 deep instead of overflowing the stack', async () => {
    const { stats, quarantine } = await pass([nested(5000), guess(0)]);
    assert.equal(stats.quarantined, 1);
    assert.equal(stats.events, 1);
    assert.ok((quarantine.records[0]?.text.length ?? Infinity) <= 4200, 'the raw text kept is a bounded prefix');
    assert.match(quarantine.records[0]?.text ?? '', /^\[\[\[\[/);
  });

  it('quarantines a TimeCreated of 9e15 (beyond what a Date holds) rather than throwing later', async () => {
    const bad = { ...guess(0), TimeCreated: 9e15 };
    const { stats, quarantine } = await pass([bad, ...Array.from({ length: 8 }, (_, i) => guess(1 + i / 60))]);
    assert.equal(stats.quarantined, 1);
    assert.match(quarantine.records[0]?.reason ?? '', /TimeCreated number 9000000000000000 is not a timestamp/);
    assert.equal(stats.alerts, 1);
  });

  it('quarantines an event dated after the wall clock plus the allowed skew as time in the future', async () => {
    const real = guess(0) as { TimeCreated: string };
    const future = { ...guess(0), TimeCreated: '9999-12-31T00:00:00.000Z' };
    const { stats, quarantine, state } = await pass([real, future]);
    assert.equal(stats.quarantined, 1);
    assert.match(quarantine.records[0]?.reason ?? '', /^time in the future: 9999-12-31T00:00:00\.000Z is more than 360 minutes after the clock/);
    assert.equal(state.watermark, Date.parse(real.TimeCreated), 'the future event did not move the watermark');
  });

  it('keeps the state of earlier passes when a later pass holds one far-future event', async () => {
    const store = new MemoryStateStore();
    const first = await pass([roast(0, 'svc-a'), roast(0.1, 'svc-b'), roast(0.2, 'svc-c')], store);
    assert.equal(first.alerts.length, 1);
    await pass([{ ...guess(0), TimeCreated: '9999-12-31T00:00:00.000Z' }], store);
    const saved = await store.load();
    assert.deepEqual(Object.keys(saved?.state.delivered ?? {}), first.alerts.map((a) => a.id));
    const again = await pass([roast(0, 'svc-a'), roast(0.1, 'svc-b'), roast(0.2, 'svc-c')], store);
    assert.equal(again.alerts.length, 0, 're-exporting the same day re-delivers nothing');
  });

  it('accepts events within the skew, so a DC a few minutes ahead is not lost', async () => {
    const ahead = { ...guess(0), TimeCreated: new Date(NOW + 5 * 60_000).toISOString() };
    const { stats } = await pass([ahead], new MemoryStateStore(), { futureSkewMs: 10 * 60_000 });
    assert.equal(stats.quarantined, 0);
    assert.equal(stats.events, 1);
  });

  it('pulls back a watermark a poisoned state left in the future, so eviction cannot wipe the baselines', async () => {
    const store = new MemoryStateStore();
    await pass([roast(0, 'svc-a')], store);
    const poisoned = await store.load();
    assert.ok(poisoned);
    await store.save({ ...poisoned.state, watermark: Date.parse('9999-12-31T00:00:00Z') }, poisoned.token);
    const { state } = await pass([roast(60, 'svc-z')], store);
    assert.ok((state.watermark ?? Infinity) <= NOW, 'the watermark is back at the latest trusted event');
    assert.match(JSON.stringify(state.detectors['kerberoasting']), /svc-a/);
  });

  it('quarantines a deep object as its JSON text, not [object Object]', async () => {
    const odd = { ...guess(0), TimeCreated: { when: 'today' } };
    const { quarantine } = await pass([{ EventID: { a: { b: 1 } } }, odd]);
    assert.deepEqual(quarantine.records.map((r) => r.text), ['{"EventID":{"a":{"b":1}}}', JSON.stringify(odd)]);
    assert.ok(quarantine.records.every((r) => !r.text.includes('[object Object]')));
    assert.match(quarantine.records[1]?.reason ?? '', /TimeCreated \{"when":"today"\} is not a timestamp/);
  });
});
