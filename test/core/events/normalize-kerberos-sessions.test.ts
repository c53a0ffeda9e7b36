import { strict as assert } from 'node:assert';
import { normalize } from '../../../core/events/normalize';

const base = { TimeCreated: '2020-09-22T03:03:07.000Z', Computer: 'MORDORDC.theshire.local', Channel: 'Security', EventRecordID: 9 };

describe('normalize: ticket renewals, delegation and new-credentials logons', () => {
  it('turns a 4770 into a ticket-renewal event', () => {
    const r = normalize({ ...base, EventID: 4770, TargetUserName: 'WORKSTATION5$@THESHIRE.LOCAL', TargetDomainName: 'THESHIRE.LOCAL', ServiceName: 'krbtgt', TicketOptions: '0x10002', TicketEncryptionType: '0x12', IpAddress: '::ffff:172.18.39.5' });
    assert.equal(r.status, 'event');
    if (r.status !== 'event' || r.event.kind !== 'kerberos_ticket_renewal') return assert.fail('not a renewal');
    assert.deepEqual(r.event.account, { name: 'WORKSTATION5$', domain: 'THESHIRE.LOCAL' });
    assert.equal(r.event.serviceName, 'krbtgt');
    assert.equal(r.event.ip, '172.18.39.5');
    assert.equal(r.event.encryptionType, 0x12);
  });

  it('calls a 4770 without ServiceName malformed', () => {
    const r = normalize({ ...base, EventID: 4770, TargetUserName: 'bob@CORP.LOCAL' });
    assert.equal(r.status, 'malformed');
  });

  it('keeps the services a delegated 4769 passed through, and leaves it out when Windows writes -', () => {
    const fields = { ...base, EventID: 4769, TargetUserName: 'web01$@CORP.LOCAL', ServiceName: 'sql01$', Status: '0x0' };
    const delegated = normalize({ ...fields, TransmittedServices: 'HTTP/web01.corp.local@CORP.LOCAL' });
    const plain = normalize({ ...fields, TransmittedServices: '-' });
    assert.equal(delegated.status === 'event' && delegated.event.kind === 'kerberos_service_ticket' && delegated.event.transitedServices, 'HTTP/web01.corp.local@CORP.LOCAL');
    assert.equal(plain.status === 'event' && plain.event.kind === 'kerberos_service_ticket' && 'transitedServices' in plain.event, false);
  });

  it('reads the network identity of a type 9 logon from TargetOutboundUserName', () => {
    const r = normalize({
      ...base, Computer: 'WORKSTATION6.theshire.local', EventID: 4624, LogonType: '9', LogonProcessName: 'seclogo', AuthenticationPackageName: 'Negotiate',
      SubjectUserName: 'wardog', SubjectDomainName: 'THESHIRE', TargetUserName: 'wardog', TargetDomainName: 'THESHIRE',
      TargetOutboundUserName: 'pgustavo', TargetOutboundDomainName: 'theshire.local', IpAddress: '::1',
    });
    if (r.status !== 'event' || r.event.kind !== 'logon') return assert.fail('not a logon');
    assert.deepEqual(r.event.outboundAccount, { name: 'pgustavo', domain: 'theshire.local' });
    assert.equal(r.event.account.name, 'wardog');
  });

  it('has no network identity for ordinary logons, which log TargetOutboundUserName as -', () => {
    const r = normalize({ ...base, EventID: 4624, LogonType: '3', TargetUserName: 'bob', TargetOutboundUserName: '-', TargetOutboundDomainName: '-' });
    assert.equal(r.status === 'event' && r.event.kind === 'logon' && 'outboundAccount' in r.event, false);
  });
});

describe('normalize: account renames', () => {
  it('names the target of a 4781 by its new name, keeping its SID', () => {
    const r = normalize({ ...base, EventID: 4781, OldTargetUserName: 'DC012$', NewTargetUserName: '01566s-win16-ir', TargetDomainName: '3B', TargetSid: 'S-1-5-21-308926384-506822093-3341789130-220105', SubjectUserName: 'lgrove' });
    if (r.status !== 'event' || r.event.kind !== 'account_management') return assert.fail('not an account change');
    assert.equal(r.event.action, 'renamed');
    assert.deepEqual(r.event.target, { name: '01566s-win16-ir', domain: '3B', sid: 'S-1-5-21-308926384-506822093-3341789130-220105' });
  });
});
