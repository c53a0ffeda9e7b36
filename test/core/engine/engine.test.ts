import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAlertSink, MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { FileStateStore, MemoryStateStore } from '../../../adapters/file/file-state-store';
import type { Alert } from '../../../core/alerts/alert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass, wantedEvents } from '../../../core/engine/engine';
import type { Sink } from '../../../core/engine/ports';
import { StateConflictError, StateVersionError, type EngineState, type StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { securityEvent } from '../detectors/harness';

const config = resolveConfig({}, DECLARATIONS);

function roast(at: number, requester: string, service: string): object {
  return securityEvent(4769, at, {
    TargetUserName: `${requester}@CORP.EXAMPLE`, ServiceName: service, TicketEncryptionType: '0x17', Status: '0x0',
    IpAddress: '::ffff:10.0.4.21', TicketOptions: '0x40810000',
  });
}

function guess(at: number, account: string): object {
  return securityEvent(4771, at, { TargetUserName: account, Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' });
}

const attackDay = [
  ...['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(i * 0.1, 'jdoe', s)),
  ...Array.from({ length: 10 }, (_, i) => guess(5 + i / 60, 'admin')),
];

async function pass(events: readonly unknown[], store: StateStore, sink: Sink = new MemorySink()) {
  return runPass({ source: new MemorySource(events, 4), sink, store, quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
}

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.id).sort();

describe('engine', () => {
  it('continues from saved state: baselines kept, no alert repeated', async () => {
    const store = new MemoryStateStore();
    const first = await pass([roast(0, 'jdoe', 'svc-a')], store);
    assert.equal(first.alerts.length, 1);
    // Same pair again later the same day: known pair (baseline) and an id already delivered.
    const second = await pass([roast(60, 'jdoe', 'svc-a'), roast(61, 'jdoe', 'svc-a')], store);
    assert.deepEqual(second.alerts, []);
    const saved = (await store.load())?.state;
    assert.ok(saved && Object.keys(saved.delivered).includes(first.alerts[0]?.id ?? ''));
  });

  it('produces the same alert ids however the events are paged', async () => {
    const a = await pass(attackDay, new MemoryStateStore());
    const b = await runPass({ source: new MemorySource(attackDay, 1), sink: new MemorySink(), store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
    assert.deepEqual(ids(a.alerts), ids(b.alerts));
    assert.equal(a.alerts.length, 2);
  });

  it('saves nothing when the sink fails, so the rerun delivers the same alerts', async () => {
    const store = new MemoryStateStore();
    const failing: Sink = { write: async () => { throw new Error('HEC 503'); } };
    await assert.rejects(pass(attackDay, store, failing), /HEC 503/);
    assert.equal(await store.load(), undefined);
    const rerun = await pass(attackDay, store);
    assert.deepEqual(ids(rerun.alerts), ids((await pass(attackDay, new MemoryStateStore())).alerts));
  });

  it('writes no duplicate when it crashes after the sink acknowledged but before the commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-engine-'));
    const out = join(dir, 'alerts.jsonl');
    const statePath = join(dir, 'state.json');
    const crashingStore: StateStore = { load: async () => undefined, save: async () => { throw new Error('killed'); } };
    await assert.rejects(pass(attackDay, crashingStore, new FileAlertSink(out, 'append')), /killed/);
    const rerun = await pass(attackDay, new FileStateStore(statePath), new FileAlertSink(out, 'append'));
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Alert);
    assert.deepEqual(ids(lines), ids(rerun.alerts));
    assert.equal(new Set(lines.map((l) => l.id)).size, lines.length);
  });

  it('repairs a line torn by a crash before appending, leaving only whole alerts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-torn-'));
    const out = join(dir, 'alerts.jsonl');
    writeFileSync(out, '{"id":"tz-000000000000000000000000","detector":"dcs');
    await pass(attackDay, new MemoryStateStore(), new FileAlertSink(out, 'append'));
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => (JSON.parse(l) as Alert).id.startsWith('tz-')));
  });

  it('quarantines malformed records with their reason and processes the rest', async () => {
    const quarantine = new MemoryQuarantine();
    const sink = new MemorySink();
    const { stats } = await runPass({
      source: new MemorySource([42, { EventID: 'x' }, ...attackDay]), sink, store: new MemoryStateStore(), quarantine, config, modules: DETECTOR_MODULES,
    });
    assert.equal(stats.quarantined, 2);
    assert.deepEqual(quarantine.records.map((r) => r.reason), ['expected a JSON object, got number 42', 'EventID "x" is not a number']);
    assert.equal(quarantine.records[1]?.text, '{"EventID":"x"}');
    assert.equal(sink.alerts.length, 2);
  });

  it('counts valid events that no detector models without quarantining them', async () => {
    const { stats } = await pass([securityEvent(5156, 0, {}), { ...securityEvent(11, 0, {}), Channel: 'Microsoft-Windows-Sysmon/Operational' }], new MemoryStateStore());
    assert.equal(stats.quarantined, 0);
    assert.deepEqual([...stats.unmodelled], [['security:5156', 1], ['microsoft-windows-sysmon/operational:11', 1]]);
  });

  it('evicts entities idle for longer than the state TTL', async () => {
    const store = new MemoryStateStore();
    await pass([roast(0, 'jdoe', 'svc-a')], store);
    const before = JSON.stringify((await store.load())?.state.detectors['kerberoasting']);
    assert.match(before, /svc-a/);
    await pass([roast(60 * 24 * 40, 'other', 'svc-z')], store);
    const after = JSON.stringify((await store.load())?.state.detectors['kerberoasting']);
    assert.doesNotMatch(after, /svc-a/);
    assert.match(after, /svc-z/);
  });

  it('wants no events that only a disabled detector declares', () => {
    const all = wantedEvents(config, DETECTOR_MODULES);
    const withoutRce = resolveConfig({ detectors: { remote_code_execution: { enabled: false } } }, DECLARATIONS);
    const wanted = wantedEvents(withoutRce, DETECTOR_MODULES);
    // 4698 (scheduled task created) is read by remote_code_execution alone.
    assert.equal(all('security', 4698), true);
    assert.equal(wanted('security', 4698), false);
    assert.equal(wanted('security', 4769), true, 'events other detectors need stay wanted');
  });

  it('passes a disabled detector\'s saved state through untouched, in the saved order, and snapshots the enabled ones', async () => {
    const store = new MemoryStateStore();
    const first = await pass(attackDay, store);
    const saved = first.state.detectors['kerberoasting'];
    assert.ok(saved !== undefined && JSON.stringify(saved) !== '{}');
    const withoutRoasting = resolveConfig({ detectors: { kerberoasting: { enabled: false } } }, DECLARATIONS);
    const second = await runPass({ source: new MemorySource([guess(30, 'admin')], 4), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(), config: withoutRoasting, modules: DETECTOR_MODULES });
    assert.deepEqual(second.state.detectors['kerberoasting'], saved);
    assert.deepEqual(Object.keys(second.state.detectors), Object.keys(first.state.detectors));
    assert.notDeepEqual(second.state.detectors['brute_force'], first.state.detectors['brute_force']);
  });

  it('refuses state written by another format version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-state-'));
    const path = join(dir, 'state.json');
    writeFileSync(path, JSON.stringify({ version: 99 } as unknown as EngineState));
    await assert.rejects(pass(attackDay, new FileStateStore(path)), (e: Error) => e instanceof StateVersionError && /version 99/.test(e.message));
  });

  it('fails the later of two overlapping passes with a conflict, after writing the same alert ids, and keeps the first commit', async () => {
    const store = new MemoryStateStore();
    // The second pass loads the empty state, then the first pass commits while it is still pulling.
    let firstCommitted = false;
    const overlapping: StateStore = {
      load: () => store.load(),
      save: async (state, expected) => {
        if (!firstCommitted) {
          firstCommitted = true;
          await pass(attackDay, store);
        }
        return store.save(state, expected);
      },
    };
    const sink = new MemorySink();
    await assert.rejects(pass(attackDay, overlapping, sink), (e: Error) => e instanceof StateConflictError && /committed nothing/.test(e.message));
    const committed = (await store.load())?.state;
    assert.deepEqual(Object.keys(committed?.delivered ?? {}).sort(), ids(sink.alerts));
  });
});
