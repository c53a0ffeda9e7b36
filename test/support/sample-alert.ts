import type { Alert } from '../../core/alerts/alert';

/** A DCSync alert about jdoe (the shape core/alerts emits), numbered so ids differ. */
export function sampleAlert(n: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `tz-${n.toString(16).padStart(24, '0')}`, detector: 'dcsync', title: 'Suspected DCSync attack', severity: 'high', riskScore: 70,
    mitre: { tactics: ['credential-access'], techniques: ['T1003.006'] }, firstSeen: '2024-01-01T00:00:00.000Z', lastSeen: '2024-01-01T00:05:00.000Z',
    entities: {
      accounts: [{ name: 'jdoe', domain: 'CORP', sid: 'S-1-5-21-1-2-3-1104', role: 'actor' }],
      hosts: [{ name: 'WS01', ip: '10.0.0.5', role: 'source' }, { name: 'DC01', role: 'target' }],
    },
    evidence: { count: 3, events: [{ EventRecordID: 123, Computer: 'DC01', EventID: 4662, TimeCreated: '2024-01-01T00:00:00.000Z' }] },
    description: 'jdoe on WS01 (not a domain controller) requested directory replication of secrets',
    recommendations: ['Reset krbtgt twice'],
    identity: { id: 'sid:S-1-5-21-1-2-3-1104', name: 'jdoe@corp.example', upn: 'jdoe@corp.example', sid: 'S-1-5-21-1-2-3-1104', tier: 'normal' },
    ...over,
  };
}
