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
import { azure, loadCloud, planFor, sentinelPass, source } from './harness';

/**
 * The Entra side of parity: the cloud generator's fortnight, stored in SigninLogs,
 * AADNonInteractiveUserSignInLogs and AuditLogs as Log Analytics types them, pulled back
 * through the SDK, gives the alerts the same records give read directly.
 */
describe('Sentinel parity with the canonical records on the Entra fortnight', function () {
  this.timeout(300_000);
  const tenant = createCloudWorkload({ seed: 'tz-sentinel-cloud-parity', start: '2024-03-04T00:00:00.000Z', days: 14, users: 120 });
  const config = resolveConfig({ corporateNetworks: tenant.config.corporateNetworks }, DECLARATIONS);
  const summary = (alerts: readonly Alert[]): string[] => alerts.map((a) => `${a.id} ${a.detector}`).sort();

  it('gives the same alerts, containment_reverted included, and quarantines nothing', async () => {
    const sink = new MemorySink();
    await runPass({ source: new MemorySource(tenant.records), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
    const a = await azure();
    try {
      const loaded = loadCloud(a.la, tenant.records as Record<string, unknown>[]);
      assert.ok(a.la.count('AADNonInteractiveUserSignInLogs') > 0 && a.la.count('AuditLogs') > 0);
      const r = await sentinelPass(config, source(a, planFor(config), { clock: () => loaded.now, initialLookbackMinutes: loaded.spanMinutes + 10, maxWindowMinutes: loaded.spanMinutes + 10 }));
      assert.ok(sink.alerts.some((x) => x.detector === 'containment_reverted'), 'the fortnight holds a reverted containment');
      assert.deepEqual(summary(r.sink.alerts), summary(sink.alerts));
      assert.equal(r.quarantine.records.length, 0);
    } finally {
      await a.stop();
    }
  });
});
