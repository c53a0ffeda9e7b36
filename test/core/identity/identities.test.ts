import { strict as assert } from 'node:assert';
import type { Alert } from '../../../core/alerts/alert';
import { resolveConfig } from '../../../core/config/config';
import { DirectoryModel } from '../../../core/estate/directory-model';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { normalize } from '../../../core/events/normalize';
import { Identities } from '../../../core/identity/identities';
import { IdentityDirectory } from '../../../core/identity/identity-directory';
import { audit, PLACES, signIn, userIdOf } from '../detectors/cloud.fixtures';
import { securityEvent } from '../detectors/harness';

const SID = 'S-1-5-21-1004336348-1177238915-682003330-1105';
const DOMAIN_ADMINS = 'S-1-5-21-1004336348-1177238915-682003330-512';

function setup(config: object = {}) {
  const resolved = resolveConfig(config, DECLARATIONS);
  return { identities: new Identities(resolved), directory: new DirectoryModel(resolved) };
}

/** Feeds raw records through the normaliser into identity learning, as the engine does. */
function learn(s: ReturnType<typeof setup>, records: readonly object[]): void {
  for (const r of records) {
    const n = normalize(r);
    if (n.status !== 'event') throw new Error(JSON.stringify(n));
    s.directory.observe(n.event);
    s.identities.observe(n.event, s.directory);
  }
}

function alertAbout(name: string, sid?: string): Alert {
  return {
    id: 'tz-1', detector: 'dcsync', title: 't', severity: 'high', riskScore: 70, mitre: { tactics: [], techniques: [] },
    firstSeen: '2024-03-04T09:00:00.000Z', lastSeen: '2024-03-04T09:00:00.000Z',
    entities: { accounts: [{ name, role: 'actor', ...(sid ? { sid } : {}) }], hosts: [] },
    evidence: { count: 1, events: [] }, description: '', recommendations: [],
  };
}

describe('identity resolution', () => {
  it('merges identifiers seen together and keeps the older id, the younger as an alias', () => {
    const dir = new IdentityDirectory();
    const ad = dir.link(['sam:jdoe']);
    const cloud = dir.link(['upn:jdoe@corp.example', 'oid:2b7e1516-28ae-4d2a-a6ab-f7158809cf4f']);
    const merged = dir.link(['upn:jdoe@corp.example', 'sam:jdoe']);
    assert.equal(merged?.id, ad?.id);
    assert.equal(dir.canonicalId(cloud?.id ?? ''), ad?.id);
    assert.deepEqual(merged?.keys.sort(), ['oid:2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', 'sam:jdoe', 'upn:jdoe@corp.example']);
    assert.equal(dir.size, 1);
  });

  it('links the name an event logs beside a SID first seen alone, and after that only touches the SID\'s identity in the pass', () => {
    const dir = new IdentityDirectory();
    dir.link([`sid:${SID}`], 0); // a group member, logged by SID only
    dir.linkAccount({ name: 'jdoe', sid: SID }, 1);
    assert.equal(dir.find('sam:jdoe')?.id, `sid:${SID}`);
    dir.linkAccount({ name: 'jdoe2', sid: SID }, 2);
    assert.equal(dir.find('sam:jdoe2'), undefined, 'as the per-pass memo this replaced: the account is known by its SID');
    assert.equal(dir.find(`sid:${SID}`)?.lastSeen, 2);
    const next = new IdentityDirectory([], JSON.parse(JSON.stringify(dir.snapshot())));
    next.linkAccount({ name: 'jdoe2', sid: SID }, 3);
    assert.equal(next.find('sam:jdoe2')?.id, `sid:${SID}`, 'a new pass links the name again');
  });

  it('resolves an AD alert and a cloud alert to one identity through a configured account', () => {
    const s = setup({ identities: { accounts: [{ upn: 'jdoe@corp.example', sid: SID, sam: 'CORP\\jdoe', objectId: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f' }] } });
    const onPrem = s.identities.annotate(alertAbout('jdoe'), s.directory);
    const cloud = s.identities.annotate(alertAbout('JDoe@corp.example'), s.directory);
    assert.equal(onPrem.identity?.id, cloud.identity?.id);
    assert.deepEqual(onPrem.identity, {
      id: 'oid:2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', name: 'jdoe@corp.example', upn: 'jdoe@corp.example', sam: 'jdoe', sid: SID,
      objectId: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', tier: 'normal',
    });
  });

  it('learns SID ↔ account name from a TGT request, UPN ↔ object id from a sign-in, and object id ↔ SID from an audit record', () => {
    const s = setup();
    learn(s, [
      securityEvent(4768, 0, { TargetUserName: 'jdoe', TargetDomainName: 'CORP', TargetSid: SID, Status: '0x0', IpAddress: '::ffff:10.0.4.21' }),
      signIn(1, 'jdoe@corp.example', PLACES.paris),
      audit(2, 'Update user', 'jdoe@corp.example', { modified: [
        { displayName: 'AccountEnabled', oldValue: '[false]', newValue: '[true]' },
        { displayName: 'OnPremisesSecurityIdentifier', oldValue: null, newValue: `["${SID}"]` },
      ] }),
    ]);
    const a = s.identities.annotate(alertAbout('jdoe'), s.directory).identity;
    assert.equal(a?.upn, 'jdoe@corp.example');
    assert.equal(a?.objectId, userIdOf('jdoe@corp.example'));
    assert.equal(a?.sid, SID);
  });

  it('links a SID to the account name any event logs beside it, so an alert naming only the SID resolves', () => {
    const s = setup();
    learn(s, [securityEvent(4688, 0, { SubjectUserName: 'IEUser', SubjectDomainName: 'IE10WIN7', SubjectUserSid: 'S-1-5-21-3463664321-2923530833-3546627382-1000', SubjectLogonId: '0x1', NewProcessName: 'C:\\Windows\\System32\\cmd.exe' }, 'IE10Win7')]);
    assert.equal(s.identities.annotate(alertAbout('S-1-5-21-3463664321-2923530833-3546627382-1000', 'S-1-5-21-3463664321-2923530833-3546627382-1000'), s.directory).identity?.sam, 'ieuser');
  });

  it('never links through a well-known SID: SYSTEM is logged beside every machine\'s own name', () => {
    const s = setup();
    const system = (computer: string) => securityEvent(4688, 0, { SubjectUserName: `${computer}$`, SubjectUserSid: 'S-1-5-18', SubjectLogonId: '0x3e7', NewProcessName: 'C:\\Windows\\System32\\svchost.exe' }, computer);
    learn(s, [system('WS01'), system('WS02')]);
    assert.notEqual(s.identities.annotate(alertAbout('WS01$'), s.directory).identity?.id, s.identities.annotate(alertAbout('WS02$'), s.directory).identity?.id);
  });

  it('does not guess: a UPN and an account name with the same prefix stay two identities without evidence', () => {
    const s = setup();
    learn(s, [securityEvent(4768, 0, { TargetUserName: 'jdoe', TargetSid: SID, Status: '0x0' }), signIn(1, 'jdoe@corp.example', PLACES.paris)]);
    assert.notEqual(s.identities.annotate(alertAbout('jdoe'), s.directory).identity?.id, s.identities.annotate(alertAbout('jdoe@corp.example'), s.directory).identity?.id);
  });
});

describe('identity criticality', () => {
  const tierOf = (s: ReturnType<typeof setup>, name: string, sid?: string) => s.identities.annotate(alertAbout(name, sid), s.directory).identity?.tier;

  it('makes a member added to Domain Admins tier 0, and normal again once removed', () => {
    const s = setup();
    const change = (id: number, at: number) => securityEvent(id, at, { TargetUserName: 'Domain Admins', TargetSid: DOMAIN_ADMINS, MemberName: 'CN=John Doe,OU=Staff,DC=corp,DC=example', MemberSid: SID, SubjectUserName: 'admin' });
    learn(s, [change(4728, 0)]);
    assert.equal(tierOf(s, 'jdoe', SID), 'tier0');
    learn(s, [change(4729, 5)]);
    assert.equal(tierOf(s, 'jdoe', SID), 'normal');
  });

  it('makes an account granted sensitive privileges at logon on a DC tier 0, but not on a workstation', () => {
    const s = setup({ domainControllers: ['DC01'] });
    const privileged = (computer: string, user: string) => securityEvent(4672, 0, { SubjectUserName: user, SubjectUserSid: `S-1-5-21-1-2-3-${user.length}00`, SubjectLogonId: '0x1', PrivilegeList: 'SeBackupPrivilege\n\t\t\tSeDebugPrivilege' }, computer);
    learn(s, [privileged('DC01.corp.example', 'svc-backup'), privileged('WS0042.corp.example', 'helpdesk1')]);
    assert.equal(tierOf(s, 'svc-backup'), 'tier0');
    assert.equal(tierOf(s, 'helpdesk1'), 'normal');
  });

  it('makes a user given a privileged Entra role tier 0, and a helpdesk role tier 1', () => {
    const s = setup();
    learn(s, [
      audit(0, 'Add member to role', 'ga@corp.example', { modified: [{ displayName: 'Role.DisplayName', oldValue: null, newValue: '"Global Administrator"' }] }),
      audit(0, 'Add member to role', 'desk@corp.example', { modified: [{ displayName: 'Role.DisplayName', oldValue: null, newValue: '"Helpdesk Administrator"' }] }),
    ]);
    assert.equal(tierOf(s, 'ga@corp.example'), 'tier0');
    assert.equal(tierOf(s, 'desk@corp.example'), 'tier1');
  });

  it('makes a trustee granted replication rights on the domain tier 0', () => {
    const s = setup();
    learn(s, [securityEvent(5136, 0, {
      ObjectDN: 'DC=corp,DC=example', ObjectClass: 'domainDNS', AttributeLDAPDisplayName: 'nTSecurityDescriptor', OperationType: '%%14674',
      AttributeValue: `O:BAG:BAD:AI(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;${SID})(A;;RP;;;AU)`, SubjectUserName: 'admin',
    })]);
    assert.equal(tierOf(s, 'jdoe', SID), 'tier0');
  });

  it('pins a honeytoken above everything and honours configured tiers', () => {
    const s = setup({ honeytokens: ['svc-sql-old'], identities: { tier1: ['CORP\\srv-admin'], test: ['qa-user@corp.example'] } });
    assert.equal(tierOf(s, 'svc-sql-old'), 'honeytoken');
    assert.equal(tierOf(s, 'srv-admin'), 'tier1');
    assert.equal(tierOf(s, 'qa-user@corp.example'), 'test');
  });

  it('rates a disabled account below normal, and a domain controller account tier 0', () => {
    const s = setup({ domainControllers: ['DC01'] });
    learn(s, [securityEvent(4725, 0, { TargetUserName: 'leaver', TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-2001', SubjectUserName: 'admin' })]);
    assert.equal(tierOf(s, 'leaver'), 'disabled');
    assert.equal(tierOf(s, 'DC01$'), 'tier0');
  });
});
