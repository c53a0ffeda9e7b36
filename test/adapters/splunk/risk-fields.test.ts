import { strict as assert } from 'node:assert';
import { hecEvent } from '../../../adapters/splunk/alert-event';
import { riskFields } from '../../../adapters/splunk/risk-fields';
import type { Alert, AlertAccount, AlertHost } from '../../../core/alerts/alert';
import type { DetectorId } from '../../../core/detectors/detector-id';

function alert(detector: DetectorId, accounts: AlertAccount[], hosts: AlertHost[], details?: Record<string, unknown>): Alert {
  return {
    id: 'tz-0123456789abcdef01234567', detector, title: detector, severity: 'high', riskScore: 70, mitre: { tactics: [], techniques: [] },
    firstSeen: '2024-03-12T10:00:00.000Z', lastSeen: '2024-03-12T10:05:00.000Z', entities: { accounts, hosts },
    evidence: { count: 1, events: [], ...(details ? { details } : {}) }, description: 'why', recommendations: [],
  };
}

const victims = Array.from({ length: 40 }, (_, i): AlertAccount => ({ name: `user${i}`, role: 'target' }));
const source: AlertHost = { role: 'source', ip: '10.16.0.77' };
const dc: AlertHost = { role: 'destination', name: 'DC01.corp.example' };

describe('where an alert\'s Enterprise Security risk lands', () => {
  it('puts an actor\'s alert on the identity, with the source address as an ip_address threat object', () => {
    const r = riskFields(alert('dcsync', [{ name: 'kofi.gomez', role: 'actor', sid: 'S-1-5-21-1-2-3-1334' }], [source, dc]));
    assert.deepEqual([r.risk_object, r.risk_object_type, r.risk_user, r.risk_system, r.threat_ip], ['kofi.gomez', 'user', 'kofi.gomez', undefined, '10.16.0.77']);
  });

  for (const detector of ['password_spray', 'cloud_password_spray'] as const) {
    it(`puts a ${detector} on its source, never on one of its victims, who become user threat objects`, () => {
      const r = riskFields(alert(detector, victims, [source, dc]));
      assert.deepEqual([r.risk_object, r.risk_object_type, r.risk_system, r.risk_user], ['10.16.0.77', 'system', '10.16.0.77', undefined]);
      assert.equal(r.threat_user?.length, 40);
    });
  }

  it('puts a brute force on one account on the source and on the targeted account', () => {
    const r = riskFields(alert('brute_force', [{ name: 'adm-alice', role: 'target' }], [source, dc]));
    assert.deepEqual([r.risk_object_type, r.risk_system, r.risk_user], ['system', '10.16.0.77', 'adm-alice']);
  });

  it('types a remote execution\'s binary as a process threat object and its source host as a system', () => {
    const r = riskFields(alert('remote_code_execution', [{ name: 'adm-alice', role: 'actor' }], [{ role: 'source', name: 'WS0042.corp.example', ip: '10.16.0.42' }, dc], { imagePath: '%systemroot%\\FVDXZERA.exe' }));
    assert.deepEqual([r.threat_process, r.threat_system, r.threat_ip], ['%systemroot%\\FVDXZERA.exe', 'WS0042.corp.example', '10.16.0.42']);
  });

  it('falls back to an other-typed risk object when an alert names neither an actor nor a source', () => {
    const r = riskFields(alert('account_enumeration', [], [dc]));
    assert.equal(r.risk_object_type, 'other');
    assert.equal(r.risk_other, 'account_enumeration:tz-0123456789abcdef01234567');
  });

  it('carries the alert\'s own risk score and severity in its HEC event, beside its identity key', () => {
    const a = { ...alert('dcsync', [{ name: 'kofi.gomez', role: 'actor' }], [source]), severity: 'critical' as const, riskScore: 90, identity: { id: 'sid:S-1', name: 'kofi.gomez', tier: 'normal' } };
    const event = (JSON.parse(hecEvent(a, { index: 'tierzero', source: 'tierzero' })) as { event: Record<string, unknown> }).event;
    assert.deepEqual([event['risk_score'], event['severity'], event['identity_key'], event['risk_user']], [90, 'critical', 'sid:S-1', 'kofi.gomez']);
  });
});
