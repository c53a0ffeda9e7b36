import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { rbcdModification } from '../../../core/detectors/rbcd_modification';
import { detect, securityEvent } from './harness';

const ADMIN = { SubjectUserSid: 'S-1-5-21-1-2-3-500', SubjectUserName: 'Administrator', SubjectDomainName: 'CORP', SubjectLogonId: '0x445ea' };
const MALLORY = { SubjectUserSid: 'S-1-5-21-1-2-3-1190', SubjectUserName: 'mallory', SubjectDomainName: 'CORP', SubjectLogonId: '0x7712' };
const ATTACKER_PC = { name: 'EVILPC$', sid: 'S-1-5-21-1-2-3-1201' };
const TARGET_DN = 'CN=TARGET01,CN=Computers,DC=corp,DC=example';

/** 5136 on the target computer's msDS-AllowedToActOnBehalfOfOtherIdentity, the value in SDDL. */
function allowedToAct(at: number, subject: Record<string, string>, value: string, op: '%%14674' | '%%14675' = '%%14674', attribute = 'msDS-AllowedToActOnBehalfOfOtherIdentity'): object {
  return securityEvent(5136, at, {
    ...subject, OpCorrelationID: `{${at}}`, ObjectDN: TARGET_DN, ObjectGUID: '{3cdb7225-cb8a-493e-914e-11e16e563acb}', ObjectClass: 'computer',
    AttributeLDAPDisplayName: attribute, AttributeValue: value, OperationType: op,
  });
}

const delegateTo = (sid: string): string => `O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;${sid})`;

function computerCreated(at: number, subject: Record<string, string>): object {
  return securityEvent(4741, at, { ...subject, TargetUserName: ATTACKER_PC.name, TargetDomainName: 'CORP', TargetSid: ATTACKER_PC.sid, SamAccountName: ATTACKER_PC.name });
}

function s4uProxy(at: number): object {
  return securityEvent(4769, at, {
    TargetUserName: 'Administrator@CORP.EXAMPLE', TargetDomainName: 'CORP.EXAMPLE', ServiceName: 'TARGET01$', ServiceSid: 'S-1-5-21-1-2-3-1112',
    TicketOptions: '0x40820010', TicketEncryptionType: '0x12', IpAddress: '::ffff:10.0.5.50', Status: '0x0', TransmittedServices: 'EVILPC$@CORP.EXAMPLE',
  });
}

describe('rbcd_modification', () => {
  it('reports at medium an administrator setting resource-based delegation, naming the delegated principal', async () => {
    const alerts = await detect(rbcdModification, [allowedToAct(0, ADMIN, delegateTo('S-1-5-21-1-2-3-1130'))]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.deepEqual(alerts[0]?.entities.accounts.map((x) => [x.name, x.role]), [['Administrator', 'actor']]);
    assert.deepEqual(alerts[0]?.evidence.details?.['delegated'], ['S-1-5-21-1-2-3-1130']);
  });

  it('still reports a write whose value Windows renders as a malformed descriptor', async () => {
    const alerts = await detect(rbcdModification, [allowedToAct(0, ADMIN, 'Malformed Security Descriptor')]);
    assert.match(alerts[0]?.description ?? '', /a principal the event does not render/);
  });

  it('reports at high a delegation to a computer created minutes earlier by the writer', async () => {
    const alerts = await detect(rbcdModification, [computerCreated(0, MALLORY), allowedToAct(3, MALLORY, delegateTo(ATTACKER_PC.sid))]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.ok(alerts[0]?.entities.accounts.some((x) => x.name === 'EVILPC$' && x.role === 'target'));
    assert.deepEqual(alerts[0]?.evidence.events.map((e) => e.EventID).sort(), [4741, 5136]);
  });

  it('reports at high an unrendered delegation written minutes after the writer created a computer', async () => {
    const alerts = await detect(rbcdModification, [computerCreated(0, MALLORY), allowedToAct(3, MALLORY, 'Malformed Security Descriptor')]);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /The writer created the computer EVILPC\$ 3 minutes earlier/);
  });

  it('does not tie the delegation to a computer created hours before', async () => {
    const alerts = await detect(rbcdModification, [computerCreated(0, MALLORY), allowedToAct(300, MALLORY, delegateTo(ATTACKER_PC.sid))]);
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('reports at high a machine account writing the attribute (relayed to LDAP)', async () => {
    const relayed = { SubjectUserSid: 'S-1-5-21-1-2-3-1112', SubjectUserName: 'TARGET01$', SubjectDomainName: 'CORP', SubjectLogonId: '0x99' };
    const alerts = await detect(rbcdModification, [allowedToAct(0, relayed, delegateTo(ATTACKER_PC.sid))]);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /relayed/);
  });

  it('escalates to high when S4U2Proxy tickets to the computer follow the write', async () => {
    const alerts = await detect(rbcdModification, [allowedToAct(0, ADMIN, delegateTo(ATTACKER_PC.sid)), s4uProxy(2)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.evidence.count, 2);
    assert.match(alerts[0]?.description ?? '', /S4U2Proxy/);
  });

  it('remembers the new computer across passes', async () => {
    const store = new MemoryStateStore();
    await detect(rbcdModification, [computerCreated(0, MALLORY)], { store });
    const alerts = await detect(rbcdModification, [allowedToAct(5, MALLORY, delegateTo(ATTACKER_PC.sid))], { store });
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('ignores the delegation being cleared (value deleted)', async () => {
    const alerts = await detect(rbcdModification, [allowedToAct(0, ADMIN, delegateTo(ATTACKER_PC.sid), '%%14675')]);
    assert.equal(alerts.length, 0);
  });

  it('ignores other attributes written on the computer, such as its SPNs', async () => {
    const alerts = await detect(rbcdModification, [allowedToAct(0, ADMIN, 'HOST/target01.corp.example', '%%14674', 'servicePrincipalName'), s4uProxy(1)]);
    assert.equal(alerts.length, 0);
  });
});
