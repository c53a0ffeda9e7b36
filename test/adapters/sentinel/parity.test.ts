import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { FileSource } from '../../../adapters/file/file-source';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import type { Alert } from '../../../core/alerts/alert';
import { mergeConfig, resolveConfig, type ResolvedConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { DATASETS, datasetsPresent, manifest, records } from '../../core/rules/datasets';
import { azure, load, planFor, sentinelPass, source, type Azure, type Shape } from './harness';

/**
 * Parity (issue 11 acceptance): every dev dataset, stored as a workspace stores it — in
 * SecurityEvent shape (the Security log in SecurityEvent, other channels in WindowsEvent) and
 * in WindowsEvent shape — pulled back through the emulated Log Analytics API by the real SDK
 * with the pushed-down KQL, gives exactly the alert ids `tierzero detect` gives on the file, in
 * one pass and over several passes that carry the checkpoint and state.
 */
async function fileAlerts(file: string, config: ResolvedConfig): Promise<Alert[]> {
  const sink = new MemorySink();
  await runPass({
    source: new FileSource([join(DATASETS, file)], { maxLineBytes: config.maxLineBytes }),
    sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES,
  });
  return sink.alerts;
}

const ids = (alerts: readonly Alert[]): string[] => alerts.map((a) => `${a.id} ${a.detector}`).sort();

describe('Sentinel parity with the file source on every dev dataset', function () {
  this.timeout(600_000);
  if (!datasetsPresent()) {
    it('needs ../shared/datasets', function () { this.skip(); });
    return;
  }
  let a: Azure;
  before(async () => { a = await azure(); });
  after(async () => { await a?.stop(); });

  for (const entry of manifest()) {
    describe(entry.file, () => {
      const config = resolveConfig(mergeConfig({}, entry.context ?? {}), DECLARATIONS);
      let expected: Alert[];
      before(async () => { expected = await fileAlerts(entry.file, config); });

      for (const shape of ['SecurityEvent', 'WindowsEvent'] as Shape[]) {
        it(`gives the same alert ids from ${shape}`, async () => {
          const fresh = await azure();
          try {
            const loaded = load(fresh.la, records(entry.file), shape);
            const r = await sentinelPass(config, source(fresh, planFor(config), { clock: () => loaded.now, initialLookbackMinutes: loaded.spanMinutes + 10, maxWindowMinutes: loaded.spanMinutes + 10 }));
            assert.deepEqual(ids(r.sink.alerts), ids(expected));
            assert.equal(r.quarantine.records.length, 0);
          } finally {
            await fresh.stop();
          }
        });
      }

      it('gives the same alert ids over several passes carrying checkpoint and state', async () => {
        const fresh = await azure();
        try {
          const loaded = load(fresh.la, records(entry.file), 'SecurityEvent');
          const store = new MemoryStateStore();
          const plan = planFor(config);
          const all: Alert[] = [];
          const window = Math.max(1, Math.ceil((loaded.spanMinutes + 10) / 3));
          // The first pass starts `initialLookback` before the settled end; each later pass picks up at the checkpoint.
          for (let pass = 0; pass < 5; pass++) {
            const r = await sentinelPass(config, source(fresh, plan, { clock: () => loaded.now, initialLookbackMinutes: loaded.spanMinutes + 10, maxWindowMinutes: window, sliceMinutes: Math.max(1, Math.ceil(window / 2)) }), store);
            all.push(...r.sink.alerts);
          }
          assert.equal(new Set(all.map((x) => x.id)).size, all.length, 'no alert raised twice');
          assert.deepEqual(ids(all), ids(expected));
        } finally {
          await fresh.stop();
        }
      });
    });
  }
});
