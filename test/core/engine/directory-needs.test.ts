import { strict as assert } from 'node:assert';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { MemorySource } from '../../support/memory-source';
import { securityEvent } from '../detectors/harness';

// Issue 13, item 4: the directory model learns nesting from the group-change events the shared
// models declare (DIRECTORY_NEEDS, and IDENTITY_NEEDS for tier 0), not from those
// sensitive_group_change or honeytoken_activity happen to pull: both are disabled here.
const DOMAIN = 'S-1-5-21-2634088540-571122920-1382659128';
const OLD_DOMAIN = 'S-1-5-21-111-222-333';

const config = resolveConfig({
  detectors: { sensitive_group_change: { enabled: false }, honeytoken_activity: { enabled: false } },
  migrationSourceDomains: [OLD_DOMAIN],
  domainControllers: ['DC01'],
}, DECLARATIONS);

/** OLDCORP\Legacy Admins (a foreign group) made a member of the domain's BUILTIN\Administrators. */
const nesting = securityEvent(4732, 0, {
  SubjectUserSid: `${DOMAIN}-500`, SubjectUserName: 'Administrator', SubjectDomainName: 'MAINCORP', SubjectLogonId: '0x432c8',
  TargetUserName: 'Administrators', TargetDomainName: 'Builtin', TargetSid: 'S-1-5-32-544',
  MemberName: '-', MemberSid: `${OLD_DOMAIN}-1500`,
});

/** The same foreign group's SID written into a user's SID history, from a configured migration source. */
const injection = securityEvent(4765, 10, {
  SubjectUserSid: `${DOMAIN}-500`, SubjectUserName: 'Administrator', SubjectDomainName: 'MAINCORP', SubjectLogonId: '0x432c8',
  SourceUserName: 'oldcorp.local\\Legacy Admins', SourceSid: `${OLD_DOMAIN}-1500`,
  TargetUserName: 'Andrei', TargetDomainName: 'MAINCORP', TargetSid: `${DOMAIN}-1104`, PrivilegeList: '-', SidList: '-',
});

async function pass(events: readonly object[]) {
  return runPass({ source: new MemorySource(events, 10), sink: new MemorySink(), store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
}

describe('engine: the directory model\'s own needs', () => {
  it('learns a group nested in a sensitive group with sensitive_group_change disabled', async () => {
    const r = await pass([nesting]);
    const nested = r.state.directory?.sensitiveGroups?.nested.map(([key, n]) => [key, n.via]);
    assert.deepEqual(nested, [[`sid:${OLD_DOMAIN}-1500`, 'Administrators']]);
  });

  it('lets another detector judge by that nesting: SID history from a migration source naming the nested group fires', async () => {
    const withNesting = await pass([nesting, injection]);
    assert.deepEqual(withNesting.alerts.map((a) => [a.detector, a.severity]), [['sid_history_injection', 'high']]);
    assert.match(withNesting.alerts[0]?.description ?? '', /Administrators|Legacy Admins/);
    // The near miss: without the nesting event the SID is an ordinary migrated one.
    assert.deepEqual((await pass([injection])).alerts, []);
  });
});
