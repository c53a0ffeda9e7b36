import { strict as assert } from 'node:assert';
import type { DetectorDeclaration } from '../../../core/detectors/detector';
import { declaration as dcsync } from '../../../core/detectors/dcsync';
import { declaration as kerberoasting } from '../../../core/detectors/kerberoasting';
import { declaration as containmentReverted } from '../../../core/detectors/containment_reverted';
import { DIRECTORY_NEEDS } from '../../../core/estate/directory-model';
import { EventCoverage } from '../../../core/engine/coverage';
import { audit } from '../detectors/cloud.fixtures';
import { securityEvent } from '../detectors/harness';

const cloud: DetectorDeclaration = {
  ...kerberoasting, id: 'impossible_travel',
  requires: [{ channel: 'SigninLogs', eventIds: [0], fields: ['UserPrincipalName', 'IPAddress'], auditPolicy: 'Entra ID sign-in logs exported to the SIEM' }],
};

function replication(at: number, withProperties = true): object {
  return securityEvent(4662, at, {
    SubjectUserName: 'jdoe', SubjectUserSid: 'S-1-5-21-1-2-3-1105', SubjectLogonId: '0x5a1', ObjectServer: 'DS', AccessMask: '0x100',
    ...(withProperties ? { Properties: '%%7688 {1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}' } : {}),
  });
}

describe('event coverage (doctor)', () => {
  it('counts the declared events per EventID and calls a detector ok when every input is there with its fields', () => {
    const c = new EventCoverage([dcsync]);
    for (const e of [replication(0), replication(1), securityEvent(4624, 0, { TargetLogonId: '0x5a1', IpAddress: '10.0.0.5', WorkstationName: 'WS1' })]) c.observe(e);
    const [d] = c.report().detectors;
    assert.equal(d?.status, 'ok');
    assert.deepEqual(d?.inputs.map((i) => [i.counts, i.missingFields]), [[{ 4662: 2 }, []], [{ 4624: 1 }, []]]);
  });

  it('calls a detector blind when none of its inputs is present, and lists it among the enabled blind ones', () => {
    const c = new EventCoverage([dcsync, kerberoasting]);
    c.observe(securityEvent(4769, 0, { TargetUserName: 'jdoe', ServiceName: 'svc', TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '10.0.0.5', TicketOptions: '0x40810000' }));
    const report = c.report();
    assert.deepEqual(report.detectors.map((d) => [d.id, d.status]), [['dcsync', 'blind'], ['kerberoasting', 'ok']]);
    assert.deepEqual(report.blind, ['dcsync']);
  });

  it('does not count a disabled detector as blind', () => {
    const c = new EventCoverage([dcsync]);
    assert.deepEqual(c.report((id) => id !== 'dcsync').blind, []);
  });

  it('calls a detector partial when an input is missing, or when the export dropped a declared field', () => {
    const onlyAccess = new EventCoverage([dcsync]);
    onlyAccess.observe(replication(0));
    assert.equal(onlyAccess.report().detectors[0]?.status, 'partial');

    const stripped = new EventCoverage([dcsync]);
    stripped.observe(replication(0, false));
    stripped.observe(securityEvent(4624, 0, { TargetLogonId: '0x5a1', IpAddress: '10.0.0.5', WorkstationName: 'WS1' }));
    const [d] = stripped.report().detectors;
    assert.equal(d?.status, 'partial');
    assert.deepEqual(d?.inputs[0]?.missingFields, ['Properties']);
  });

  it('places records whose exporter dropped Channel by their EventID, as the normaliser does', () => {
    const c = new EventCoverage([dcsync]);
    c.observe({ ...(replication(0) as Record<string, unknown>), Channel: null });
    assert.equal(c.report().detectors[0]?.inputs[0]?.total, 1);
  });

  it('recognises Entra sign-ins and ignores events of other logs with the same id', () => {
    const c = new EventCoverage([cloud, dcsync]);
    c.observe({ TimeGenerated: '2024-03-04T09:00:00Z', UserPrincipalName: 'jdoe@corp.example', IPAddress: '203.0.113.9' });
    c.observe({ ...(replication(0) as Record<string, unknown>), Channel: 'Microsoft-Windows-Sysmon/Operational' });
    const report = c.report();
    assert.equal(report.detectors[0]?.status, 'ok');
    assert.equal(report.detectors[1]?.status, 'blind');
  });

  it('recognises Entra audit records, so containment_reverted is not blind on them', () => {
    const c = new EventCoverage([containmentReverted]);
    c.observe(audit(0, 'Disable account', 'victim@corp.example'));
    const report = c.report();
    assert.equal(report.unrecognised, 0);
    assert.equal(report.detectors[0]?.status, 'ok');
  });

  it('reports the shared needs as detectors are reported, with what breaks without them', () => {
    const c = new EventCoverage([dcsync], [DIRECTORY_NEEDS]);
    c.observe(securityEvent(4624, 0, { TargetUserName: 'jdoe', TargetLogonId: '0x5a1', IpAddress: '10.0.0.5', WorkstationName: 'WS1', LogonType: '3' }));
    const [shared] = c.report().shared;
    assert.equal(shared?.name, 'directory model');
    assert.equal(shared?.status, 'partial');
    assert.match(shared?.purpose ?? '', /nested/);
    assert.deepEqual(shared?.inputs.filter((i) => i.total > 0).map((i) => Object.keys(i.counts)), [['4624']]);
  });

  it('counts records that are not canonical events apart', () => {
    const c = new EventCoverage([dcsync]);
    for (const r of [42, ['x'], { hello: 'world' }, replication(0)]) c.observe(r);
    const report = c.report();
    assert.equal(report.records, 4);
    assert.equal(report.unrecognised, 3);
  });
});
