import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { dominanceGrants, replicationRightsGranted } from '../../../core/detectors/replication_rights_granted';
import { detect, securityEvent } from './harness';

const BOB = { SubjectUserSid: 'S-1-5-21-1-2-3-1108', SubjectUserName: 'bob', SubjectDomainName: 'CORP', SubjectLogonId: '0x40f2719' };
const EXCHANGE = { SubjectUserSid: 'S-1-5-21-1-2-3-1108', SubjectUserName: 'EXCHANGE$', SubjectDomainName: 'CORP', SubjectLogonId: '0x24daa6' };
const ALICE = 'S-1-5-21-1-2-3-1107';
const MSOL = 'S-1-5-21-1-2-3-1150';
const GET_CHANGES = '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2';
const GET_CHANGES_ALL = '1131f6ad-9c07-11d1-f79f-00c04fc2dcd2';
const DOMAIN_GUID = '{c6faf700-bfe4-452a-a766-424f84c29583}';

/** A domain object's DACL as 5136 logs it: the default holders, a sync account, and whatever `extra` adds. */
function descriptor(...extra: string[]): string {
  return `O:BAG:BAD:AI(OA;;CR;${GET_CHANGES};;BA)(OA;;CR;${GET_CHANGES_ALL};;DD)(OA;;CR;${GET_CHANGES};;ED)`
    + `(OA;;CR;${GET_CHANGES_ALL};;${MSOL})${extra.join('')}(A;;CCLCSWRPWPLOCRRCWDWO;;;DA)(A;;RPRC;;;RU)S:(AU;SA;WPWDWO;;;WD)`;
}

/** The 5136 pair Windows writes for one descriptor change: the old value deleted, then the new one added. */
function aclChange(at: number, oldSddl: string, newSddl: string, subject: Record<string, string> = BOB, dn = 'DC=corp,DC=example', objectClass = 'domainDNS'): object[] {
  const common = { ...subject, OpCorrelationID: `{${at}}`, ObjectDN: dn, ObjectGUID: objectClass === 'domainDNS' ? DOMAIN_GUID : '{ce449fac-47d0-4f69-8f90-2110ae131ff8}', ObjectClass: objectClass, AttributeLDAPDisplayName: 'nTSecurityDescriptor' };
  return [
    securityEvent(5136, at, { ...common, AttributeValue: oldSddl, OperationType: '%%14675' }),
    securityEvent(5136, at, { ...common, AttributeValue: newSddl, OperationType: '%%14674' }),
  ];
}

function writeDac(at: number, subject: Record<string, string> = BOB): object {
  return securityEvent(4662, at, {
    ...subject, ObjectServer: 'DS', ObjectType: '%{19195a5b-6da0-11d0-afd3-00c04fd930c9}', ObjectName: `%${DOMAIN_GUID}`,
    AccessMask: '0x40000', Properties: '%%1539\n\t{19195a5b-6da0-11d0-afd3-00c04fd930c9}\n',
  });
}

function networkLogon(at: number, name: string, logonId: string, ip: string): object {
  return securityEvent(4624, at, { TargetUserName: name, TargetDomainName: 'CORP', TargetLogonId: logonId, LogonType: '3', IpAddress: ip, AuthenticationPackageName: 'NTLM', WorkstationName: 'EXCHANGE' });
}

describe('replication_rights_granted', () => {
  it('fires when a user grants DS-Replication-Get-Changes-All on the domain object, naming who got which right', async () => {
    const alerts = await detect(replicationRightsGranted, [writeDac(0), ...aclChange(0.1, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES_ALL};;${ALICE})`))]);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['bob', 'actor'], [ALICE, 'target']]);
    assert.deepEqual(a?.evidence.details?.['rights'], ['DS-Replication-Get-Changes-All']);
    assert.match(a?.description ?? '', /giving S-1-5-21-1-2-3-1107 DS-Replication-Get-Changes-All/);
  });

  it('keeps the WRITE_DAC access that opened the descriptor as evidence', async () => {
    const alerts = await detect(replicationRightsGranted, [writeDac(0), ...aclChange(0.1, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES_ALL};;${ALICE})`))]);
    assert.deepEqual(alerts[0]?.evidence.events.map((e) => e.EventID).sort(), [4662, 5136]);
  });

  it('calls a grant made by a machine account relayed credentials and names the relaying address', async () => {
    const alerts = await detect(replicationRightsGranted, [
      networkLogon(0, 'EXCHANGE$', '0x24daa6', '192.168.111.87'),
      ...aclChange(0.2, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES};;${ALICE})(OA;;CR;${GET_CHANGES_ALL};;${ALICE})`), EXCHANGE),
    ]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.title ?? '', /machine account/);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '192.168.111.87'));
    assert.deepEqual(alerts[0]?.evidence.details?.['rights'], ['DS-Replication-Get-Changes', 'DS-Replication-Get-Changes-All']);
  });

  it('names every right of a grant made one right per change (PowerView, dacledit)', async () => {
    const one = (right: string) => `(OA;;CR;${right};;${ALICE})`;
    const alerts = await detect(replicationRightsGranted, [
      ...aclChange(0, descriptor(), descriptor(one(GET_CHANGES))),
      ...aclChange(0.1, descriptor(one(GET_CHANGES)), descriptor(one(GET_CHANGES), one(GET_CHANGES_ALL))),
    ]);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]?.evidence.details?.['rights'], ['DS-Replication-Get-Changes', 'DS-Replication-Get-Changes-All']);
    assert.match(alerts[0]?.description ?? '', /DS-Replication-Get-Changes, DS-Replication-Get-Changes-All/);
  });

  it('reports at medium DS-Replication-Get-Changes alone, which replicates no password hashes', async () => {
    const alerts = await detect(replicationRightsGranted, aclChange(0, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES};;${ALICE})`)));
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /without its secrets/);
  });

  it('reports GenericAll on the domain object as a replication right in all but name', async () => {
    const alerts = await detect(replicationRightsGranted, aclChange(0, descriptor(), descriptor(`(A;;GA;;;${ALICE})`)));
    assert.deepEqual(alerts[0]?.evidence.details?.['rights'], ['GenericAll']);
  });

  it('ignores the same rights delegated on an OU, which does not replicate the domain', async () => {
    const ou = 'OU=Servers,DC=corp,DC=example';
    const alerts = await detect(replicationRightsGranted, aclChange(0, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES_ALL};;${ALICE})`), BOB, ou, 'organizationalUnit'));
    assert.equal(alerts.length, 0);
  });

  it('ignores a domain ACL change that only carries over the sync account\'s existing rights', async () => {
    const alerts = await detect(replicationRightsGranted, aclChange(0, descriptor(), descriptor('(A;;RP;;;WD)')));
    assert.equal(alerts.length, 0);
  });

  it('ignores a grant to a configured directory-sync account', async () => {
    const newSync = 'S-1-5-21-1-2-3-1160';
    const alerts = await detect(replicationRightsGranted, aclChange(0, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES_ALL};;${newSync})`)), { config: { directorySyncAccounts: [newSync] } });
    assert.equal(alerts.length, 0);
  });

  it('ignores inherit-only ACEs, which never apply to the domain object itself', async () => {
    const alerts = await detect(replicationRightsGranted, aclChange(0, descriptor(), descriptor(`(OA;CIIO;CR;${GET_CHANGES_ALL};;${ALICE})`)));
    assert.equal(alerts.length, 0);
  });

  it('reports at medium a grant whose previous descriptor was not seen', async () => {
    const [, added] = aclChange(0, descriptor(), descriptor(`(OA;;CR;${GET_CHANGES_ALL};;${ALICE})`));
    const alerts = await detect(replicationRightsGranted, [added as object]);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /previous descriptor was not seen/);
  });

  it('diffs against the descriptor seen in an earlier pass', async () => {
    const store = new MemoryStateStore();
    const [, firstAdded] = aclChange(0, descriptor(), descriptor('(A;;RP;;;WD)'));
    await detect(replicationRightsGranted, [firstAdded as object], { store });
    const [, added] = aclChange(60, descriptor(), descriptor('(A;;RP;;;WD)', `(OA;;CR;${GET_CHANGES_ALL};;${ALICE})`));
    const alerts = await detect(replicationRightsGranted, [added as object], { store });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.entities.accounts[1]?.sid, ALICE);
  });

  it('reads rights written in two-letter steps, so DCRP is not taken for CR', () => {
    assert.deepEqual(dominanceGrants(`D:(A;;DCRP;;;${ALICE})(OA;;RP;${GET_CHANGES_ALL};;${ALICE})`), []);
    assert.deepEqual(dominanceGrants(`D:(A;;0x40000;;;${ALICE})`).map((g) => g.right), ['WriteDACL']);
  });
});
