import { strict as assert } from 'node:assert';
import { pushDown } from '../../../adapters/splunk/pushdown';
import { eventFilter } from '../../../core/engine/engine';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { normalize } from '../../../core/events/normalize';

const CHANNEL_KEYS: Record<string, string> = { Security: 'security', System: 'system', 'Microsoft-Windows-Sysmon/Operational': 'microsoft-windows-sysmon/operational' };

describe('push-down from the detector declarations', () => {
  it('pulls exactly the events the engine would use', () => {
    const push = pushDown(DETECTOR_MODULES);
    const wanted = eventFilter(DETECTOR_MODULES);
    for (const w of push.windows) {
      for (const id of w.eventIds) assert.equal(wanted(CHANNEL_KEYS[w.channel] as string, id), true, `${w.channel}:${id}`);
    }
    // And nothing the engine wants with a normaliser for it is left out.
    for (const [name, key] of Object.entries(CHANNEL_KEYS)) {
      const pulled = new Set(push.windows.find((w) => w.channel === name)?.eventIds ?? []);
      for (let id = 0; id <= 0xffff; id++) {
        if (!wanted(key, id)) continue;
        const probe = normalize({ TimeCreated: '2020-01-01T00:00:00Z', Computer: 'x', Channel: key, EventID: id });
        if (probe.status !== 'unmodelled') assert.ok(pulled.has(id), `${name}:${id} is wanted but not pulled`);
      }
    }
  });

  it('narrows to one detector\'s events when only it is enabled', () => {
    const push = pushDown(DETECTOR_MODULES.filter((m) => m.declaration.id === 'brute_force'));
    const security = push.windows.find((w) => w.channel === 'Security');
    assert.ok(security?.eventIds.includes(4771));
    // Share access (5145) and service installs (7045) are remote-execution evidence, not brute force.
    assert.ok(!security?.eventIds.includes(5145));
    assert.equal(push.windows.some((w) => w.channel === 'System'), false);
  });

  it('keeps the fields the normaliser reads, not only those the declarations list', () => {
    // 4768's builder reads PreAuthType and TicketOptions whichever detector consumes it.
    const push = pushDown(DETECTOR_MODULES.filter((m) => m.declaration.id === 'brute_force'));
    for (const f of ['Status', 'PreAuthType', 'TicketOptions', 'TargetSid']) assert.ok(push.fields.includes(f), f);
  });

  it('keeps the classic WinEventLog label fields of the pulled events', () => {
    const push = pushDown(DETECTOR_MODULES);
    for (const f of ['Account_Name', 'Failure_Code', 'Pre_Authentication_Type', 'Package_Name__NTLM_only_', 'Message']) assert.ok(push.fields.includes(f), f);
  });

  it('pulls Entra sign-ins only when a detector wants them', () => {
    const push = pushDown(DETECTOR_MODULES);
    assert.equal(push.signIns, eventFilter(DETECTOR_MODULES)('signinlogs', 0));
    assert.equal(push.fields.includes('properties.userPrincipalName'), push.signIns);
  });
});
