import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { containmentReverted } from '../../../core/detectors/containment_reverted';
import { audit, SYNC_ACCOUNT } from './cloud.fixtures';
import { detect } from './harness';

const victim = 'victim@corp.example';
const syncEnable = (at: number, by = SYNC_ACCOUNT) => audit(at, 'Update user', victim, {
  byUser: by, modified: [{ displayName: 'AccountEnabled', oldValue: '[false]', newValue: '[true]' }],
});

describe('containment_reverted', () => {
  it('fires when directory sync enables a user an analyst disabled, naming both', async () => {
    const alerts = await detect(containmentReverted, [audit(0, 'Disable account', victim, { byUser: 'analyst@corp.example' }), syncEnable(31)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.entities.accounts, [{ name: victim, role: 'target' }]);
    assert.match(alerts[0]?.description ?? '', /disabled in Entra ID by analyst@corp\.example .* 31 minutes later directory sync \(sync_aadc01_1a2b3c4d5e6f@corpexample\.onmicrosoft\.com\) enabled it again/);
  });

  it('fires when a playbook\'s disable is undone by "Enable account" from the sync engine', async () => {
    const alerts = await detect(containmentReverted, [
      audit(0, 'Disable account', victim, { byApp: 'tierzero responder' }),
      audit(29, 'Enable account', victim, { byApp: 'Microsoft Entra Connect' }),
    ]);
    assert.equal(alerts.length, 1);
  });

  it('stays silent when a person enables the account again: that is a rollback', async () => {
    const alerts = await detect(containmentReverted, [
      audit(0, 'Disable account', victim), audit(10, 'Enable account', victim, { byUser: 'analyst@corp.example' }), syncEnable(40),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('stays silent when the disable itself came from sync (AD was disabled)', async () => {
    const syncDisable = audit(0, 'Update user', victim, { byUser: SYNC_ACCOUNT, modified: [{ displayName: 'AccountEnabled', oldValue: '[true]', newValue: '[false]' }] });
    assert.deepEqual(await detect(containmentReverted, [syncDisable, syncEnable(30)]), []);
  });

  it('stays silent for a sync enable long after the revert window', async () => {
    assert.deepEqual(await detect(containmentReverted, [audit(0, 'Disable account', victim), syncEnable(15 * 1440)]), []);
  });

  it('recognises a sync principal configured in directorySyncAccounts', async () => {
    const custom = 'svc-cloudsync@corp.example';
    const events = [audit(0, 'Disable account', victim), syncEnable(30, custom)];
    assert.deepEqual(await detect(containmentReverted, events), []);
    assert.equal((await detect(containmentReverted, events, { config: { directorySyncAccounts: [custom] } })).length, 1);
  });

  it('remembers a disable across passes', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(containmentReverted, [audit(0, 'Disable account', victim)], { store }), []);
    assert.equal((await detect(containmentReverted, [syncEnable(35)], { store })).length, 1);
  });
});
