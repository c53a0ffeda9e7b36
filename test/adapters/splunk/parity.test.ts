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
import { DATASETS, emulator, indexedAlertIds, load, manifest, readDataset, section, splunkPass, tempDir } from './harness';

/**
 * Parity (issue 6 acceptance): every dev dataset, loaded into the emulator with the Windows
 * TA's field names, pulled back through the Splunk source, gives exactly the alerts the file
 * source gives on the canonical file — with XmlWinEventLog and with classic WinEventLog, in one
 * pass and in several passes that carry state through the KV store.
 */
async function fileAlerts(file: string, config: ResolvedConfig): Promise<Alert[]> {
  const sink = new MemorySink();
  await runPass({
    source: new FileSource([join(DATASETS, file)], { maxLineBytes: config.maxLineBytes }),
    sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES,
  });
  return sink.alerts;
}

/**
 * What must match: the id and the detector. Where events share a second (NXLog exports have
 * whole seconds), the file keeps the exporter's arrival order and Splunk returns them by time
 * and record number, so a merged alert's evidence count can differ; its id cannot.
 */
function summary(a: Alert): string {
  return `${a.id} ${a.detector}`;
}

describe('Splunk parity with the file source on every dev dataset', function () {
  this.timeout(120_000);
  for (const entry of manifest()) {
    describe(entry.file, () => {
      const config = resolveConfig(mergeConfig({}, entry.context ?? {}), DECLARATIONS);
      let expected: Alert[];
      let events: Record<string, unknown>[];
      before(async () => {
        expected = await fileAlerts(entry.file, config);
        events = readDataset(entry.file);
      });

      it('gives the same alerts from XmlWinEventLog, and writes each to HEC once', async () => {
        const emu = await emulator();
        try {
          const loaded = load(emu, events, 'xml');
          const r = await splunkPass({ config, section: section(emu, await tempDir(), { search: loaded.search }), clock: () => loaded.now });
          assert.deepEqual(r.alerts.map(summary).sort(), expected.map(summary).sort());
          assert.deepEqual(indexedAlertIds(emu).sort(), expected.map((a) => a.id).sort());
          assert.equal(r.quarantine.records.length, 0);
        } finally {
          await emu.stop();
        }
      });

      it('gives the same alert ids from classic WinEventLog', async () => {
        const emu = await emulator();
        try {
          const loaded = load(emu, events, 'classic');
          const r = await splunkPass({ config, section: section(emu, await tempDir(), { search: loaded.search }), clock: () => loaded.now });
          assert.deepEqual(r.alerts.map((a) => a.id).sort(), expected.map((a) => a.id).sort());
          assert.equal(r.quarantine.records.length, 0);
        } finally {
          await emu.stop();
        }
      });

      it('gives the same alert ids over several passes that carry state in the KV store', async () => {
        const emu = await emulator();
        try {
          const loaded = load(emu, events, 'xml');
          const span = loaded.search['initialLookbackMinutes'] ?? 1;
          const s = section(emu, await tempDir(), { search: { ...loaded.search, maxWindowMinutes: Math.max(1, Math.ceil(span / 3)) } });
          for (let pass = 0; pass < 5; pass++) await splunkPass({ config, section: s, clock: () => loaded.now });
          const ids = indexedAlertIds(emu);
          assert.equal(new Set(ids).size, ids.length, 'no alert written twice');
          assert.deepEqual(ids.sort(), expected.map((a) => a.id).sort());
        } finally {
          await emu.stop();
        }
      });
    });
  }
});
