import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { dcshadow } from '../../../core/detectors/dcshadow';
import { detect, securityEvent } from './harness';

const ADMIN = { SubjectUserSid: 'S-1-5-21-1-2-3-500', SubjectUserName: 'Administrator', SubjectDomainName: 'CORP', SubjectLogonId: '0x418a6da' };
const BASE_SPNS = ['HOST/alice.corp.example', 'RestrictedKrbHost/alice.corp.example', 'HOST/ALICE', 'TERMSRV/ALICE'];
const GC = 'GC/alice.corp.example/corp.example';
const DRS = 'E3514235-4B06-11D1-AB04-00C04FC2DCD2/ae9a3b29-01d1-4851-8ca8-e49cd3985e5b/corp.example';
const SITES = 'CN=Servers,CN=HQ,CN=Sites,CN=Configuration,DC=corp,DC=example';
const SECOND = 1 / 60;
const HOURS = 60;

/** 4742: ALICE$'s SPN list after the change, as the DC logs it. */
function spnChange(at: number, spns: readonly string[], subject: Record<string, string> = ADMIN, extra: Record<string, string> = {}): object {
  return securityEvent(4742, at, {
    ...subject, TargetUserName: 'ALICE$', TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1120',
    ServicePrincipalNames: `\n\t\t${spns.join('\n\t\t')}`, OldUacValue: '-', NewUacValue: '-', UserAccountControl: '-', ...extra,
  });
}

function spnAttribute(at: number, spn: string, op: '%%14674' | '%%14675'): object {
  return securityEvent(5136, at, {
    ...ADMIN, OpCorrelationID: '{c41eade4-162a-4d70-8488-f92f6af8ff49}', ObjectDN: 'CN=ALICE,OU=Workstations,DC=corp,DC=example',
    ObjectGUID: '{eac0f94e-a686-463d-801c-91a1b85fe87d}', ObjectClass: 'computer', AttributeLDAPDisplayName: 'servicePrincipalName', AttributeValue: spn, OperationType: op,
  });
}

function serverCreated(at: number): object {
  return securityEvent(5137, at, { ...ADMIN, ObjectDN: `CN=ALICE,${SITES}`, ObjectGUID: '{590b1ef4-6143-4c18-b554-1ee0a59bb7f8}', ObjectClass: 'server' });
}

function createChildInSites(at: number): object {
  return securityEvent(4662, at, {
    ...ADMIN, ObjectServer: 'DS', ObjectType: '%{f780acc0-56f0-11d1-a9c6-0000f80367c1}', ObjectName: '%{a40d1d35-0354-4180-987a-da7c4888fdad}',
    AccessMask: '0x1', Properties: '%%7680\n\t{bf967a92-0de6-11d0-a285-00aa003049e2}\n', AdditionalInfo: `CN=ALICE,${SITES}`,
  });
}

function ntdsDsaDeleted(at: number): object {
  return securityEvent(4662, at, {
    ...ADMIN, ObjectServer: 'DS', ObjectType: '%{f0f8ffab-1191-11d0-a060-00aa006c33ed}', ObjectName: '%{ae9a3b29-01d1-4851-8ca8-e49cd3985e5b}',
    AccessMask: '0x10000', Properties: '%%1537\n\t{f0f8ffab-1191-11d0-a060-00aa006c33ed}\n',
  });
}

function replicaSource(at: number, eventId: 4928 | 4929, sourceAddress: string): object {
  return securityEvent(eventId, at, {
    DestinationDRA: 'CN=NTDS Settings,CN=DC01,CN=Servers,CN=HQ,CN=Sites,CN=Configuration,DC=corp,DC=example',
    SourceDRA: `CN=NTDS Settings,CN=${sourceAddress.split('.')[0]},${SITES}`, SourceAddr: sourceAddress, NamingContext: 'DC=corp,DC=example', Options: '16', StatusCode: '0',
  });
}

function securityDescriptor(at: number, op: '%%14674' | '%%14675', extraAces: string): object {
  return securityEvent(5136, at, {
    ...ADMIN, OpCorrelationID: '{2ea9670c-f0f9-4d3f-90e5-a087e8c05863}', ObjectDN: 'DC=corp,DC=example', ObjectGUID: '{c6faf700-bfe4-452a-a766-424f84c29583}',
    ObjectClass: 'domainDNS', AttributeLDAPDisplayName: 'nTSecurityDescriptor', OperationType: op,
    AttributeValue: `O:BAG:BAD:AI(OA;;CR;1131f6aa-9c07-11d1-f79f-00c04fc2dcd2;;BA)(OA;;CR;1131f6ac-9c07-11d1-f79f-00c04fc2dcd2;;ED)(OA;;CR;9923a32a-3607-11d2-b9be-0000f87a36b2;;S-1-5-21-1-2-3-516)${extraAces}(A;;RPRC;;;RU)`,
  });
}

describe('dcshadow', () => {
  it('fires when a workstation gets the DC SPNs and loses them again within seconds, naming who did it', async () => {
    const alerts = await detect(dcshadow, [
      spnChange(0, [...BASE_SPNS, GC]),
      spnChange(SECOND, [...BASE_SPNS, GC, DRS]),
      spnChange(3 * SECOND, [...BASE_SPNS, DRS]),
    ]);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['Administrator', 'actor'], ['ALICE$', 'target']]);
    assert.match(a?.description ?? '', /ALICE, which is not a domain controller, by CORP\\Administrator was registered as a domain controller .* and removed GC\/alice/);
    assert.equal(a?.evidence.count, 3);
  });

  it('follows the registration through directory-change events: server object created, SPN added and deleted', async () => {
    const alerts = await detect(dcshadow, [serverCreated(0), spnAttribute(SECOND, GC, '%%14674'), spnAttribute(40 * SECOND, GC, '%%14675')]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /removed GC\/alice.corp.example\/corp.example from its SPNs 40 seconds later/);
  });

  it('follows the registration through directory-access events alone: server created, nTDSDSA deleted by the same actor', async () => {
    const alerts = await detect(dcshadow, [createChildInSites(0), ntdsDsaDeleted(2 * SECOND)]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /deleted its nTDSDSA \(NTDS Settings\) object 2 seconds later/);
  });

  it('follows the registration through replication auditing alone: a non-DC added and dropped as a replication source', async () => {
    const alerts = await detect(dcshadow, [replicaSource(0, 4928, 'alice.corp.example'), replicaSource(20 * SECOND, 4929, 'alice.corp.example')]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /was dropped as a replication source of DC01.corp.example 20 seconds later/);
  });

  it('ignores replication links to and from known domain controllers', async () => {
    const dc02 = securityEvent(4768, 0, { TargetUserName: 'bob', ServiceName: 'krbtgt', Status: '0x0' }, 'DC02.corp.example');
    assert.deepEqual(await detect(dcshadow, [dc02, replicaSource(1, 4928, 'dc02.corp.example'), replicaSource(1.1, 4929, 'dc02.corp.example')]), []);
  });

  it('does not alert on a DC promotion: the machine account becomes a server trust account and keeps its SPNs', async () => {
    const alerts = await detect(dcshadow, [
      spnChange(0, [...BASE_SPNS, GC, DRS]),
      spnChange(SECOND, [...BASE_SPNS, GC, DRS], ADMIN, { NewUacValue: '0x2100' }),
      spnChange(2 * SECOND, [...BASE_SPNS, DRS]),
      securityEvent(4768, 30 * HOURS, { TargetUserName: 'bob', TargetDomainName: 'CORP', ServiceName: 'krbtgt', Status: '0x0', IpAddress: '::ffff:10.0.0.8' }),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('does not alert when the registered machine starts acting as a DC within the grace period', async () => {
    const alerts = await detect(dcshadow, [
      spnChange(0, [...BASE_SPNS, GC, DRS]),
      securityEvent(4769, 2 * HOURS, { TargetUserName: 'bob@CORP.EXAMPLE', ServiceName: 'cifs/alice', Status: '0x0', TicketEncryptionType: '0x12' }, 'ALICE.corp.example'),
      securityEvent(4769, 30 * HOURS, { TargetUserName: 'bob@CORP.EXAMPLE', ServiceName: 'cifs/alice', Status: '0x0', TicketEncryptionType: '0x12' }, 'ALICE.corp.example'),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('reports at medium a registration whose machine never acts as a DC once the grace period is over', async () => {
    const alerts = await detect(dcshadow, [
      spnChange(0, [...BASE_SPNS, GC, DRS]),
      spnChange(25 * HOURS, [...BASE_SPNS, GC, DRS, 'MSSQLSvc/alice.corp.example']),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /has not acted as a DC/);
  });

  it('reports an open registration at the end of a one-shot pass over finished input, and waits in a scheduled one', async () => {
    const events = [spnChange(0, [...BASE_SPNS, GC, DRS]), securityEvent(4768, 3 * HOURS, { TargetUserName: 'bob', ServiceName: 'krbtgt', Status: '0x0' })];
    assert.deepEqual(await detect(dcshadow, events), []);
    const alerts = await detect(dcshadow, events, { finalInput: true });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.match(alerts[0]?.description ?? '', /3 hours before the input ends and has not acted as a DC/);
  });

  it('ignores a known domain controller changing its own DC SPNs', async () => {
    const dc = securityEvent(4768, 0, { TargetUserName: 'bob', ServiceName: 'krbtgt', Status: '0x0' }, 'ALICE.corp.example');
    assert.deepEqual(await detect(dcshadow, [dc, spnChange(1, [...BASE_SPNS, GC]), spnChange(1.1, BASE_SPNS)]), []);
  });

  it('ignores SPNs the machine writes for itself, as a new DC does after promotion', async () => {
    const self = { SubjectUserSid: 'S-1-5-21-1-2-3-1120', SubjectUserName: 'ALICE$', SubjectDomainName: 'CORP', SubjectLogonId: '0x3e7' };
    assert.deepEqual(await detect(dcshadow, [spnChange(0, [...BASE_SPNS, GC], self), spnChange(SECOND, BASE_SPNS, self)]), []);
  });

  it('joins a registration and its teardown seen in different passes', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(dcshadow, [spnChange(0, [...BASE_SPNS, GC, DRS])], { store }), []);
    const alerts = await detect(dcshadow, [spnChange(5, BASE_SPNS)], { store });
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /5 minutes later|300 seconds later/);
  });

  it('reports a security-descriptor change granting DS-Install-Replica to an ordinary account', async () => {
    const grant = '(OA;;CR;9923a32a-3607-11d2-b9be-0000f87a36b2;;S-1-5-21-1-2-3-1108)';
    const alerts = await detect(dcshadow, [securityDescriptor(0, '%%14675', ''), securityDescriptor(0, '%%14674', grant)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.title, 'DCShadow replication rights granted');
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /granted DS-Install-Replica to S-1-5-21-1-2-3-1108 on DC=corp,DC=example/);
  });

  it('does not take a DCSync-rights grant or an unrelated descriptor rewrite for DCShadow preparation', async () => {
    const dcsyncGrant = '(OA;;CR;1131f6aa-9c07-11d1-f79f-00c04fc2dcd2;;S-1-5-21-1-2-3-1108)(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;S-1-5-21-1-2-3-1108)';
    const existing = '(OA;;CR;1131f6ab-9c07-11d1-f79f-00c04fc2dcd2;;S-1-5-21-1-2-3-1300)';
    const alerts = await detect(dcshadow, [
      securityDescriptor(0, '%%14675', existing), securityDescriptor(0, '%%14674', `${existing}${dcsyncGrant}`),
    ]);
    assert.deepEqual(alerts, []);
  });
});
