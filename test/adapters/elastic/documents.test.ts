import { strict as assert } from 'node:assert';
import { alertDocument } from '../../../adapters/elastic/alert-doc';
import { riskDocument, MAX_INPUTS } from '../../../adapters/elastic/risk-doc';
import { ALERT_MAPPINGS, RISK_MAPPINGS } from '../../../adapters/elastic/templates';
import type { Alert } from '../../../core/alerts/alert';
import type { IdentityScoreUpdate } from '../../../core/scoring/score-update';
import { samplePass } from './sample-pass';
import { sampleAlert } from '../../support/sample-alert';

/** The shared sample alert, with krbtgt as the replicated target (its role lands in the document). */
export function alert(n: number, over: Partial<Alert> = {}): Alert {
  const base = sampleAlert(n);
  return sampleAlert(n, { entities: { ...base.entities, accounts: [...base.entities.accounts, { name: 'krbtgt', domain: 'CORP', role: 'target' }] }, ...over });
}

const opts = { namespace: 'default', ingested: '2024-01-01T00:10:00.000Z' };

/** Every leaf path of a document that the mapping does not map (objects with `enabled: false` hold anything). */
function unmapped(doc: unknown, mapping: { properties?: Record<string, unknown> }, prefix = ''): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) && doc.every((x) => typeof x !== 'object')) return [];
  if (Array.isArray(doc)) return doc.flatMap((d) => unmapped(d, mapping, prefix));
  const out: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const m = mapping.properties?.[k] as { properties?: Record<string, unknown>; enabled?: boolean; type?: string } | undefined;
    if (!m) out.push(`${prefix}${k}`);
    else if (m.enabled === false) continue;
    else if (m.properties) out.push(...unmapped(v, m, `${prefix}${k}.`));
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(`${prefix}${k} (object in a ${m.type} field)`);
  }
  return out;
}

describe('elastic alert documents', () => {
  it('map every field of every alert the sample day raises (13 detectors) onto the template', async () => {
    const { alerts } = await samplePass();
    assert.ok(new Set(alerts.map((a) => a.detector)).size >= 10, 'the sample day raises many kinds of alert');
    for (const a of alerts) assert.deepEqual(unmapped(alertDocument(a, opts), ALERT_MAPPINGS), [], a.detector);
  });

  it('carry the ECS alert fields: kind, category, severity 73 for high, risk score, rule, message, data stream', () => {
    const d = alertDocument(alert(1), opts) as Record<string, Record<string, unknown>>;
    assert.equal(d['@timestamp'] as unknown, '2024-01-01T00:05:00.000Z');
    assert.deepEqual(d['data_stream'], { type: 'logs', dataset: 'tierzero.alert', namespace: 'default' });
    assert.equal(d['event']?.['kind'], 'alert');
    assert.deepEqual(d['event']?.['category'], ['iam', 'intrusion_detection']);
    assert.equal(d['event']?.['severity'], 73);
    assert.equal(d['event']?.['risk_score'], 70);
    assert.equal(d['event']?.['ingested'], opts.ingested);
    assert.equal(d['event']?.['id'], alert(1).id);
    assert.deepEqual(d['rule']?.['id'], 'dcsync');
    assert.deepEqual(d['rule']?.['name'], 'Suspected DCSync attack');
    assert.equal(d['message'] as unknown, alert(1).description);
  });

  it('map tierzero severities onto Kibana\'s 21/47/73/99, informational as low', () => {
    const sev = (s: Alert['severity']): unknown => (alertDocument(alert(1, { severity: s }), opts) as { event: { severity: number } }).event.severity;
    assert.deepEqual(['informational', 'low', 'medium', 'high', 'critical'].map((s) => sev(s as Alert['severity'])), [21, 21, 47, 73, 99]);
  });

  it('flag learning and informational alerts so the promotion rule keeps them out of Security alerts', () => {
    const d = alertDocument(alert(1, { severity: 'informational', learning: true, verdictSeverity: 'high' }), opts) as { tierzero: Record<string, unknown> };
    assert.equal(d.tierzero['informational'], true);
    assert.equal(d.tierzero['learning'], true);
    assert.equal(d.tierzero['severity'], 'informational');
    assert.equal(d.tierzero['verdict_severity'], 'high');
    const plain = alertDocument(alert(1), opts) as { tierzero: Record<string, unknown> };
    assert.equal(plain.tierzero['informational'], false);
    assert.equal(plain.tierzero['learning'], false);
  });

  it('name the MITRE tactic and (sub)technique with ids, names and attack.mitre.org references', () => {
    const t = (alertDocument(alert(1), opts) as { threat: { framework: string; tactic: Record<string, string[]>; technique: { id: string[]; subtechnique: Record<string, string[]> } } }).threat;
    assert.equal(t.framework, 'MITRE ATT&CK');
    assert.deepEqual(t.tactic['id'], ['TA0006']);
    assert.deepEqual(t.tactic['name'], ['Credential Access']);
    assert.deepEqual(t.technique.id, ['T1003']);
    assert.deepEqual(t.technique.subtechnique['id'], ['T1003.006']);
    assert.deepEqual(t.technique.subtechnique['reference'], ['https://attack.mitre.org/techniques/T1003/006/']);
  });

  it('put the actor in user.*, the target account in user.target, the source in source.ip and the target host in host.name', () => {
    const d = alertDocument(alert(1), opts) as Record<string, Record<string, unknown>>;
    assert.deepEqual(d['user'], { name: 'jdoe', id: 'S-1-5-21-1-2-3-1104', domain: 'CORP', email: 'jdoe@corp.example', target: { name: 'krbtgt', domain: 'CORP' } });
    assert.deepEqual(d['source'], { ip: '10.0.0.5', address: 'WS01', domain: 'WS01' });
    assert.deepEqual(d['host'], { name: 'DC01', hostname: 'DC01' });
    assert.deepEqual(d['related'], { user: ['jdoe', 'krbtgt', 'jdoe@corp.example'], ip: ['10.0.0.5'], hosts: ['WS01', 'DC01'] });
  });

  it('leave an address that is not an IP out of ip fields, where it would fail the whole document', () => {
    const d = alertDocument(alert(1, { entities: { accounts: [], hosts: [{ ip: '-', role: 'source' }] } }), opts) as Record<string, unknown>;
    assert.deepEqual(d['source'], { address: '-' });
    assert.equal((d['related'] as Record<string, unknown>)['ip'], undefined);
  });
});

describe('elastic risk-score documents', () => {
  it('map every field of every score update of the sample day onto the risk template', async () => {
    const { scores } = await samplePass();
    const scored = scores.filter((u): u is IdentityScoreUpdate => u.kind === 'score');
    assert.ok(scored.length > 10);
    for (const u of scored) assert.deepEqual(unmapped(riskDocument(u, 'logs-tierzero.alert-default', opts.ingested), RISK_MAPPINGS), [], u.key);
  });

  it('carry the score as Kibana\'s user.risk.calculated_score_norm with the band as calculated_level', async () => {
    const { scores } = await samplePass();
    const top = scores.filter((u): u is IdentityScoreUpdate => u.kind === 'score').sort((a, b) => b.score - a.score)[0] as IdentityScoreUpdate;
    const risk = (riskDocument(top, 'logs-tierzero.alert-default', opts.ingested) as { user: { name: string; risk: Record<string, unknown> } }).user;
    assert.equal(risk.name, top.identity.name);
    assert.equal(risk.risk['id_field'], 'user.name');
    assert.equal(risk.risk['id_value'], top.identity.name);
    assert.equal(risk.risk['calculated_score_norm'], top.score);
    assert.equal(risk.risk['calculated_score'], top.formula.total);
    assert.equal(risk.risk['calculated_level'], { low: 'Low', moderate: 'Moderate', high: 'High', critical: 'Critical' }[top.band]);
    const inputs = risk.risk['inputs'] as { id: string; index: string; category: string }[];
    assert.ok(inputs.length >= 1 && inputs.length <= MAX_INPUTS);
    const behind = new Set(top.contributions.flatMap((c) => c.alertIds));
    assert.ok(inputs.every((i) => behind.has(i.id)), 'each input is an alert behind the score');
    assert.equal(inputs[0]?.id, top.contributions[0]?.alertIds[0], 'the strongest detector\'s strongest alert first');
    assert.ok(inputs.every((i) => i.index === 'logs-tierzero.alert-default' && i.category === 'category_1'));
  });

  it('mark a tier-0 identity extreme_impact, with the multiplier tierzero applied', async () => {
    const { scores } = await samplePass();
    const u = scores.find((x): x is IdentityScoreUpdate => x.kind === 'score') as IdentityScoreUpdate;
    const tier0 = { ...u, criticality: { tier: 'tier0' as const, multiplier: 2, reasons: ['Domain Admins'] } };
    const risk = (riskDocument(tier0, 'x', opts.ingested) as { user: { risk: Record<string, unknown> } }).user.risk;
    assert.equal(risk['criticality_level'], 'extreme_impact');
    assert.equal(risk['criticality_modifier'], 2);
    const normal = (riskDocument({ ...u, criticality: { tier: 'normal', multiplier: 1, reasons: [] } }, 'x', opts.ingested) as { user: { risk: Record<string, unknown> } }).user.risk;
    assert.equal(normal['criticality_level'], undefined);
  });
});
