import { strict as assert } from 'node:assert';
import { sidHistoryInjection } from '../../../core/detectors/sid_history_injection';
import { detect, securityEvent } from './harness';

const DOMAIN = 'S-1-5-21-2634088540-571122920-1382659128';
const OLD_DOMAIN = 'S-1-5-21-111-222-333';
const ADMIN = { SubjectUserSid: `${DOMAIN}-500`, SubjectUserName: 'Administrator', SubjectDomainName: 'MAINCORP', SubjectLogonId: '0x432c8' };

function sidHistoryAdded(source: string, sourceSid: string, eventId = 4765): object {
  return securityEvent(eventId, 0, {
    ...ADMIN, SourceUserName: source, SourceSid: sourceSid, TargetUserName: 'Andrei', TargetDomainName: 'MAINCORP', TargetSid: `${DOMAIN}-1104`, PrivilegeList: '-', SidList: '-',
  });
}

describe('sid_history_injection', () => {
  it('fires high when a privileged SID of the same domain is added to an account\'s SID history', async () => {
    const alerts = await detect(sidHistoryInjection, [sidHistoryAdded('maincorp.local\\Domain Admins', `${DOMAIN}-512`)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.entities.accounts.map((a) => [a.name, a.role]), [['Administrator', 'actor'], ['Andrei', 'target']]);
    assert.match(alerts[0]?.description ?? '', /Domain Admins is privileged/);
  });

  it('fires high on an ordinary SID of the account\'s own domain, which no migration writes', async () => {
    const alerts = await detect(sidHistoryInjection, [sidHistoryAdded('maincorp.local\\bob', `${DOMAIN}-1201`)]);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /own domain/);
  });

  it('stays quiet for an ADMT migration from a configured source domain', async () => {
    const migration = sidHistoryAdded('old.example\\andrei', `${OLD_DOMAIN}-1104`);
    assert.deepEqual(await detect(sidHistoryInjection, [migration], { config: { migrationSourceDomains: ['old.example'] } }), []);
    assert.deepEqual(await detect(sidHistoryInjection, [migration], { config: { migrationSourceDomains: [OLD_DOMAIN] } }), []);
  });

  it('fires medium on SID history from a domain that is not a configured migration source', async () => {
    const alerts = await detect(sidHistoryInjection, [sidHistoryAdded('old.example\\andrei', `${OLD_DOMAIN}-1104`)]);
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('still fires high on a privileged SID from a configured migration source', async () => {
    const alerts = await detect(sidHistoryInjection, [sidHistoryAdded('old.example\\Enterprise Admins', `${OLD_DOMAIN}-519`)], { config: { migrationSourceDomains: ['old.example'] } });
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('reports a refused attempt (4766) one step lower', async () => {
    const alerts = await detect(sidHistoryInjection, [sidHistoryAdded('maincorp.local\\Domain Admins', `${DOMAIN}-512`, 4766)]);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.title ?? '', /Attempt/);
  });

  it('fires on a 5136 that writes the domain Administrator\'s SID into sIDHistory', async () => {
    const change = securityEvent(5136, 0, {
      ...ADMIN, ObjectDN: 'CN=Andrei,CN=Users,DC=maincorp,DC=local', ObjectClass: 'user', AttributeLDAPDisplayName: 'sIDHistory',
      AttributeValue: `${DOMAIN}-500`, OperationType: '%%14674', OpCorrelationID: '{1}',
    });
    const alerts = await detect(sidHistoryInjection, [change]);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.entities.accounts.find((a) => a.role === 'target')?.name, 'Andrei');
  });

  it('ignores account changes that do not touch sIDHistory', async () => {
    const change = securityEvent(4738, 0, { ...ADMIN, TargetUserName: 'Andrei', TargetDomainName: 'MAINCORP', TargetSid: `${DOMAIN}-1104`, SidHistory: '-', DisplayName: 'Andrei P.' });
    assert.deepEqual(await detect(sidHistoryInjection, [change]), []);
  });
});
