import { strict as assert } from 'node:assert';
import { ProbeFailedError } from '../../../adapters/platform';
import { probeSentinel } from '../../../adapters/sentinel/probe';
import { DEFAULT_PULL_SETTINGS } from '../../../adapters/sentinel/pull-query';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan } from '../../../core/rules/pull-plan';
import { loopbackTls } from '../../emulators/azure/tls';
import { azure, credential, WORKSPACE, type Azure } from './harness';
import { securityEventRow, windowsEventRow } from './to-rows';

/** `doctor --config` on Sentinel: token, workspace access, one pushed-down count per table × channel × EventID. */
describe('Sentinel probe', function () {
  this.timeout(120_000);
  const plan = pullPlan(DETECTOR_MODULES);
  const now = Date.parse('2025-05-10T00:00:00Z');
  const settings = (a: Azure, secret?: string) => ({
    credential: credential(a, secret), workspaceId: WORKSPACE, endpoint: a.la.endpoint, tables: DEFAULT_PULL_SETTINGS, clock: () => now,
    credentialSetting: 'sentinel.clientSecretEnv (TZ_SECRET)', workspaceSetting: 'sentinel.workspaceId', clientOptions: { tlsOptions: loopbackTls().tlsOptions },
  });

  it('counts the planned events per channel and EventID, summed over tables, in one query', async () => {
    const a = await azure();
    try {
      const e = (id: number, channel: string, extra: Record<string, string> = {}) => ({ TimeCreated: '2025-05-09T12:00:00.000Z', Computer: 'dc1', Channel: channel, Provider: 'p', EventID: id, EventRecordID: 1, ...extra });
      a.la.ingest('SecurityEvent', [securityEventRow(e(4624, 'Security')), securityEventRow(e(4624, 'Security')), securityEventRow(e(4663, 'Security'))], now - 3_600_000);
      a.la.ingest('WindowsEvent', [windowsEventRow(e(4624, 'Security')), windowsEventRow(e(7045, 'System')), windowsEventRow(e(5140, 'Security', { ShareName: '\\\\*\\C$' }))], now - 3_600_000);
      const r = await probeSentinel(settings(a), plan, { days: 7 });
      assert.deepEqual(r.counts.map((c) => [c.channel, c.eventId, c.count]), [['Security', 4624, 3], ['System', 7045, 1]]);
      assert.equal(a.la.queries.filter((q) => q.query).length, 1, 'one query');
      assert.ok(r.checks.some((c) => c.setting === 'sentinel.workspaceId (SigninLogs)' && c.status === 'warn'));
      assert.ok(r.checks.some((c) => c.setting === 'sentinel.workspaceId (SecurityEvent)' && c.status === 'ok'));
      assert.equal(r.platform, 'sentinel');
    } finally {
      await a.stop();
    }
  });

  it('names the setting to fix: the credential, then the workspace', async () => {
    const a = await azure();
    const locked = await azure({ readers: ['another-app'] });
    try {
      await assert.rejects(probeSentinel(settings(a, 'wrong'), plan, { days: 1 }), (e: unknown) => e instanceof ProbeFailedError && e.setting.startsWith('sentinel.clientSecretEnv') && !/wrong/.test(e.message));
      await assert.rejects(probeSentinel(settings(locked), plan, { days: 1 }), (e: unknown) => e instanceof ProbeFailedError && e.setting === 'sentinel.workspaceId' && /Log Analytics Reader/.test(e.message));
    } finally {
      await a.stop();
      await locked.stop();
    }
  });
});
