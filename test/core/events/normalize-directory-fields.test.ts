import { strict as assert } from 'node:assert';
import type { IdentityEvent } from '../../../core/events/identity-event';
import { normalize } from '../../../core/events/normalize';

const base = { TimeCreated: '2020-10-22T18:33:27.000Z', Computer: 'MORDORDC.theshire.local', Channel: 'Security', EventRecordID: 7 };
const subject = { SubjectUserSid: 'S-1-5-21-1-2-3-1104', SubjectUserName: 'pgustavo', SubjectDomainName: 'THESHIRE', SubjectLogonId: '0x2B7E3C0' };

function event(record: object): IdentityEvent {
  const r = normalize(record);
  if (r.status !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

describe('normalize: directory object names, sessions and SID history', () => {
  it('keeps the path of an LSA secret in a 4662, which a GUID inside it would otherwise hide', () => {
    const ev = event({ ...base, EventID: 4662, ...subject, ObjectServer: 'LSA', ObjectType: 'SecretObject', ObjectName: 'Policy\\Secrets\\G$BCKUPKEY_a0feda20-878f-4e68-ba74-d4df8f0191ab', AccessMask: '0x2' });
    assert.equal(ev.kind === 'directory_object_access' && ev.objectPath, 'Policy\\Secrets\\G$BCKUPKEY_a0feda20-878f-4e68-ba74-d4df8f0191ab');
    assert.equal(ev.kind === 'directory_object_access' && ev.objectName, 'a0feda20-878f-4e68-ba74-d4df8f0191ab', 'objectName keeps its meaning');
  });

  it('gives a DS object named by GUID no path, and keeps AdditionalInfo', () => {
    const ev = event({ ...base, EventID: 4662, ...subject, ObjectServer: 'DS', ObjectType: '%{f780acc0-56f0-11d1-a9c6-0000f80367c1}', ObjectName: '%{a40d1d35-0354-4180-987a-da7c4888fdad}', AccessMask: '0x1', Properties: '%%7680\n\t{bf967a92-0de6-11d0-a285-00aa003049e2}\n', AdditionalInfo: 'CN=ALICE,CN=Servers,CN=HQ,CN=Sites,CN=Configuration,DC=corp,DC=local' });
    assert.ok(ev.kind === 'directory_object_access');
    assert.equal(ev.objectPath, undefined);
    assert.equal(ev.additionalInfo, 'CN=ALICE,CN=Servers,CN=HQ,CN=Sites,CN=Configuration,DC=corp,DC=local');
  });

  it('reads the SID put into SID history by a 4765', () => {
    const ev = event({ ...base, EventID: 4765, ...subject, SourceUserName: 'maincorp.local\\Domain Admins', SourceSid: 'S-1-5-21-1-2-3-512', TargetUserName: 'Andrei', TargetDomainName: 'MAINCORP', TargetSid: 'S-1-5-21-1-2-3-1104' });
    assert.ok(ev.kind === 'account_management');
    assert.deepEqual(ev.addedSidHistory, { name: 'Domain Admins', domain: 'maincorp.local', sid: 'S-1-5-21-1-2-3-512' });
    assert.equal(ev.logonId, '0x2b7e3c0');
  });

  it('keeps the changer\'s logon session on group changes and directory changes', () => {
    const added = event({ ...base, EventID: 4728, ...subject, TargetUserName: 'Domain Admins', TargetDomainName: 'THESHIRE', TargetSid: 'S-1-5-21-1-2-3-512', MemberName: 'CN=mallory,CN=Users,DC=theshire,DC=local', MemberSid: 'S-1-5-21-1-2-3-1200' });
    assert.equal(added.kind === 'group_membership_change' && added.logonId, '0x2b7e3c0');
    const changed = event({ ...base, EventID: 5136, ...subject, ObjectDN: 'CN=Domain Admins,CN=Users,DC=theshire,DC=local', ObjectClass: 'group', AttributeLDAPDisplayName: 'member', AttributeValue: 'CN=mallory,CN=Users,DC=theshire,DC=local', OperationType: '%%14674' });
    assert.equal(changed.kind === 'directory_object_change' && changed.logonId, '0x2b7e3c0');
    const created = event({ ...base, EventID: 5137, ...subject, ObjectDN: 'CN=JUMP01,CN=Servers,CN=Site,CN=Sites,CN=Configuration,DC=theshire,DC=local', ObjectClass: 'server', ObjectGUID: '{590b1ef4-6143-4c18-b554-1ee0a59bb7f8}' });
    assert.equal(created.kind === 'directory_object_change' && created.logonId, '0x2b7e3c0');
  });

  it('reads a 5136 value deleted whether OperationType is the message-table code or its rendered text', () => {
    const change = (OperationType: string) => event({ ...base, EventID: 5136, ...subject, ObjectDN: 'CN=TARGET01,CN=Computers,DC=theshire,DC=local', ObjectClass: 'computer', AttributeLDAPDisplayName: 'msDS-AllowedToActOnBehalfOfOtherIdentity', AttributeValue: 'O:BAD:(A;;GA;;;S-1-5-21-1-2-3-1201)', OperationType });
    assert.deepEqual(['%%14675', 'Value Deleted', '%%14674', 'Value Added'].map((op) => { const ev = change(op); return ev.kind === 'directory_object_change' && ev.action; }),
      ['value_deleted', 'value_deleted', 'value_added', 'value_added']);
  });

  it('reads a replication source established (4928) and removed (4929)', () => {
    const fields = { DestinationDRA: 'CN=NTDS Settings,CN=ROOTDC1,CN=Servers,CN=S,CN=Sites,CN=Configuration,DC=offsec,DC=lan', SourceAddr: 'jump01.offsec.lan', NamingContext: 'DC=offsec,DC=lan', Options: '16', StatusCode: '8452' };
    const added = event({ ...base, EventID: 4928, ...fields });
    assert.deepEqual(added.kind === 'replica_source_change' && [added.action, added.sourceAddress, added.namingContext, added.status], ['added', 'jump01.offsec.lan', 'DC=offsec,DC=lan', 8452]);
    const removed = event({ ...base, EventID: 4929, ...fields });
    assert.equal(removed.kind === 'replica_source_change' && removed.action, 'removed');
  });
});
