import { strict as assert } from 'node:assert';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import type { Alert } from '../../../core/alerts/alert';
import { createCloudWorkload } from '../../../bench/cloud/workload';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { MemorySource } from '../../support/memory-source';
import { emulator, load, section, splunkPass, tempDir } from './harness';

/**
 * The Entra side of parity: the cloud generator's fortnight (sign-ins and audit records),
 * indexed as the Microsoft Cloud Services add-on writes them, gives through Splunk the alerts
 * the same records give read directly — containment_reverted among them, which needs AuditLogs.
 */
describe('Splunk parity with the canonical records on the Entra fortnight', function () {
  this.timeout(60_000);
  const tenant = createCloudWorkload({ seed: 'tz-splunk-cloud-parity', start: '2024-03-04T00:00:00.000Z', days: 14, users: 120 });
  const config = resolveConfig({ corporateNetworks: tenant.config.corporateNetworks }, DECLARATIONS);
  const summary = (alerts: readonly Alert[]): string[] => alerts.map((a) => `${a.id} ${a.detector}`).sort();

  it('gives the same alerts, containment_reverted included, and quarantines nothing', async () => {
    const sink = new MemorySink();
    await runPass({ source: new MemorySource(tenant.records), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
    const emu = await emulator();
    try {
      const loaded = load(emu, tenant.records);
      const r = await splunkPass({ config, section: section(emu, await tempDir(), { search: loaded.search }), clock: () => loaded.now });
      assert.ok(sink.alerts.some((a) => a.detector === 'containment_reverted'), 'the fortnight holds a reverted containment');
      assert.deepEqual(summary(r.alerts), summary(sink.alerts));
      assert.equal(r.quarantine.records.length, 0);
    } finally {
      await emu.stop();
    }
  });
});
