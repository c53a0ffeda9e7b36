import { strict as assert } from 'node:assert';
import type { Alert } from '../../../core/alerts/alert';
import { resolveConfig } from '../../../core/config/config';
import { DirectoryModel } from '../../../core/estate/directory-model';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { SensitiveGroups } from '../../../core/estate/sensitive-groups';
import { normalize } from '../../../core/events/normalize';
import { Identities } from '../../../core/identity/identities';
import { securityEvent } from '../detectors/harness';

/**
 * Sensitive groups (sensitive_group_change, sid_history_injection) and tier 0 (identity
 * criticality) read ONE table (issue 13, item 1). The list is the union of AD's protected
 * groups (AdminSDHolder, MS-ADTS §3.1.1.6.1.2 "Protected Objects") and MDI's "sensitive groups"
 * (learn.microsoft.com/defender-for-identity/entity-tags). Power Users is on MDI's list, not
 * AdminSDHolder's: it is a BUILTIN alias every member machine has, so it is kept, as a
 * machine-local group that counts only where a DC writes the change.
 */
const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';
const USER = `${DOMAIN}-1105`;

const TABLE: readonly (readonly [string, string])[] = [
  // AdminSDHolder's protected groups.
  ['S-1-5-32-544', 'Administrators'], ['S-1-5-32-548', 'Account Operators'], ['S-1-5-32-549', 'Server Operators'],
  ['S-1-5-32-550', 'Print Operators'], ['S-1-5-32-551', 'Backup Operators'], ['S-1-5-32-552', 'Replicator'],
  [`${DOMAIN}-512`, 'Domain Admins'], [`${DOMAIN}-518`, 'Schema Admins'], [`${DOMAIN}-519`, 'Enterprise Admins'],
  [`${DOMAIN}-516`, 'Domain Controllers'], [`${DOMAIN}-521`, 'Read-only Domain Controllers'],
  // MDI's sensitive groups beyond those.
  ['S-1-5-32-547', 'Power Users'], ['S-1-5-32-556', 'Network Configuration Operators'], ['S-1-5-32-557', 'Incoming Forest Trust Builders'],
  [`${DOMAIN}-498`, 'Enterprise Read-only Domain Controllers'], [`${DOMAIN}-520`, 'Group Policy Creator Owners'],
];

function setup() {
  const config = resolveConfig({ domainControllers: ['DC01'] }, DECLARATIONS);
  return { identities: new Identities(config), directory: new DirectoryModel(config) };
}

function added(groupName: string, groupSid: string, computer: string): object {
  const eventId = groupSid.startsWith('S-1-5-32-') ? 4732 : 4728;
  return securityEvent(eventId, 0, { TargetUserName: groupName, TargetSid: groupSid, MemberName: 'CN=John Doe,OU=Staff,DC=corp,DC=example', MemberSid: USER, SubjectUserName: 'admin' }, computer);
}

function tierAfter(record: object): string | undefined {
  const s = setup();
  const n = normalize(record);
  if (n.status !== 'event') throw new Error(JSON.stringify(n));
  s.directory.observe(n.event);
  s.identities.observe(n.event, s.directory);
  const alert: Alert = {
    id: 'tz-1', detector: 'dcsync', title: 't', severity: 'high', riskScore: 70, mitre: { tactics: [], techniques: [] },
    firstSeen: '2024-03-04T09:00:00.000Z', lastSeen: '2024-03-04T09:00:00.000Z',
    entities: { accounts: [{ name: 'jdoe', role: 'actor', sid: USER }], hosts: [] }, evidence: { count: 1, events: [] }, description: '', recommendations: [],
  };
  return s.identities.annotate(alert, s.directory).identity?.tier;
}

describe('sensitive groups and tier 0: one table', () => {
  const groups = new SensitiveGroups([]);

  for (const [sid, name] of TABLE) {
    it(`holds ${name} as sensitive, and a member added on a DC is tier 0`, () => {
      assert.equal(groups.lookup({ sid })?.name, name);
      assert.equal(tierAfter(added(name, sid, 'DC01.corp.example')), 'tier0');
    });
  }

  it('keeps Power Users (MDI lists it) as machine-local: a workstation\'s own Power Users makes nobody tier 0', () => {
    assert.equal(groups.lookup({ sid: 'S-1-5-32-547' })?.machineLocal, true);
    assert.equal(tierAfter(added('Power Users', 'S-1-5-32-547', 'WS042.corp.example')), 'normal');
  });

  it('leaves an ordinary group out of both', () => {
    assert.equal(groups.lookup({ sid: `${DOMAIN}-513` }), undefined);
    assert.equal(tierAfter(added('Domain Users', `${DOMAIN}-513`, 'DC01.corp.example')), 'normal');
  });
});
