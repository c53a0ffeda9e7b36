import assert from 'node:assert/strict';
import { resolveConfig } from '../../../core/config/config';
import { SEVERITY_RISK } from '../../../core/alerts/alert';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { ruleParams } from '../../../core/rules/params';
import type { KibanaRule } from '../../../adapters/elastic/kibana-rule';
import { kibanaThreat, technique } from '../../../adapters/elastic/mitre';
import { nativeRule, nativeRules } from '../../../adapters/elastic/native-rules';
import { promotionQuery, promotionRule } from '../../../adapters/elastic/promotion-rule';
import { nativeRuleId, PROMOTION_RULE_ID, ruleVersion, uuidV5 } from '../../../adapters/elastic/rule-ids';
import { kibanaRuleProblems } from '../../../adapters/elastic/rule-schema';
import { elasticCompiler } from '../../../adapters/elastic/compiler';

/**
 * The rule pack (issue 10 §4): every rule valid against the schema written from Kibana's own
 * rule schema, one rule per native query with the type its condition needs, stable ids, and the
 * metadata Kibana shows (threat, required fields, integrations, setup, triage).
 */
const config = resolveConfig({}, DECLARATIONS);
const VERSION = ruleVersion('0.1.0');
const natives = nativeRules(DECLARATIONS, (d) => ruleParams(config, d.id), VERSION);
const pack: KibanaRule[] = [promotionRule(VERSION), ...natives];
const queries = DECLARATIONS.flatMap((d) => (d.native.kind === 'none' ? [] : d.native.queries.map((q) => ({ d, q }))));

describe('elastic rule pack: the rules', () => {
  it('validates every rule of the pack against the Kibana rule schema', () => {
    assert.ok(pack.length > 10);
    for (const r of pack) assert.deepEqual(kibanaRuleProblems(r), [], r.name);
  });

  it('has one native rule per native query, and none for a detector whose form is none', () => {
    assert.equal(natives.length, queries.length);
    const ids = new Set(natives.map((r) => r.rule_id));
    for (const { d, q } of queries) assert.ok(ids.has(nativeRuleId(d.id, q.name)), `${d.id}/${q.name}`);
    for (const d of DECLARATIONS.filter((x) => x.native.kind === 'none')) assert.ok(!natives.some((r) => r.tags.includes(`tierzero: ${d.id}`)), d.id);
  });

  it('gives aggregations an ES|QL rule and single-event conditions an EQL rule', () => {
    for (const { d, q } of queries) {
      const r = nativeRule(d, q, ruleParams(config, d.id), VERSION);
      assert.equal(r.type, q.aggregate ? 'esql' : 'eql', `${d.id}/${q.name}`);
      if (r.type === 'esql') {
        assert.match(r.query, /\| STATS tz_count = (COUNT\(\*\)|COUNT_DISTINCT\(\w+\))/);
        assert.match(r.query, new RegExp(`\\| WHERE tz_count >= ${String(ruleParams(config, d.id).thresholds[q.aggregate?.threshold as string])}$`));
      } else {
        assert.match(r.query, /^any where /);
        assert.ok(r.index.length > 0);
      }
    }
  });

  it('keeps rule_ids stable and unique: name-based UUIDs of detector and query', () => {
    const all = pack.map((r) => r.rule_id);
    assert.equal(new Set(all).size, all.length);
    for (const id of all) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The contract an installed rule depends on: the same detector and query keep this id.
    assert.equal(nativeRuleId('brute_force', 'vertical'), uuidV5('tierzero/brute_force/vertical'));
    assert.notEqual(nativeRuleId('brute_force', 'vertical'), nativeRuleId('brute_force', 'horizontal'));
    assert.equal(PROMOTION_RULE_ID, uuidV5('tierzero/promotion'));
    // RFC 4122 appendix B-style check of the v5 algorithm against a published vector (DNS namespace).
    assert.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('versions every rule from the package version, growing with each release', () => {
    assert.ok(pack.every((r) => r.version === VERSION));
    assert.ok(ruleVersion('0.10.0') > ruleVersion('0.9.9'));
    assert.ok(ruleVersion('1.0.0') > ruleVersion('0.999.999'));
    assert.throws(() => ruleVersion('1.2'), /major\.minor\.patch/);
  });

  it('puts severity and risk score in Kibana\'s bands and reads event.ingested', () => {
    const band: Record<string, number> = { low: 21, medium: 47, high: 73, critical: 99 };
    for (const { d, q } of queries) {
      const r = nativeRule(d, q, ruleParams(config, d.id), VERSION);
      assert.equal(r.severity, d.severity === 'informational' ? 'low' : d.severity);
      assert.equal(r.risk_score, band[r.severity]);
      assert.ok(SEVERITY_RISK[d.severity] <= r.risk_score + 30, 'the band follows the severity');
    }
    assert.ok(pack.every((r) => r.timestamp_override === 'event.ingested'));
  });

  it('maps every declared technique into threat, under an ATT&CK tactic, with names and links', () => {
    for (const { d, q } of queries) {
      const r = nativeRule(d, q, ruleParams(config, d.id), VERSION);
      assert.deepEqual(r.threat, kibanaThreat(d.mitre));
      const named = r.threat.flatMap((t) => t.technique.flatMap((x) => [x.id, ...(x.subtechnique ?? []).map((s) => s.id)]));
      for (const t of d.mitre.techniques) assert.ok(named.includes(t), `${d.id} ${t}`);
      for (const tactic of d.mitre.tactics) assert.ok(r.threat.some((t) => t.tactic.reference.endsWith(`${t.tactic.id}/`)), tactic);
      assert.deepEqual(r.references, d.mitre.techniques.map((t) => technique(t).reference));
    }
    // Every technique any declaration names (native or not) is in the table: the sink's threat.* needs them all.
    for (const d of DECLARATIONS) assert.doesNotThrow(() => kibanaThreat(d.mitre), d.id);
    assert.equal(technique('T1003.006').reference, 'https://attack.mitre.org/techniques/T1003/006/');
  });

  it('lists the fields each query reads, and names them in the query', () => {
    // With a decoy configured, so the honeytoken rule's list leaves are not `false`.
    const decoyed = resolveConfig({ honeytokens: ['decoy'] }, DECLARATIONS);
    for (const r of nativeRules(DECLARATIONS, (d) => ruleParams(decoyed, d.id), VERSION)) {
      const names = r.required_fields.map((f) => f.name);
      assert.ok(names.includes('event.ingested'));
      for (const f of r.required_fields) if (f.name !== 'event.ingested' && !f.name.startsWith('event.dataset')) assert.ok(r.query.includes(f.name), `${r.name}: ${f.name} is required but not read`);
      assert.ok(r.required_fields.some((f) => f.name === 'source.ip') ? r.required_fields.find((f) => f.name === 'source.ip')?.type === 'ip' : true);
    }
  });

  it('writes the audit policy of every event a rule reads into setup, and the triage into note', () => {
    for (const { d, q } of queries) {
      const r = nativeRule(d, q, ruleParams(config, d.id), VERSION);
      for (const b of q.match) {
        const policies = d.requires.filter((x) => (b.source.kind === 'cloud' ? x.channel === b.source.table : x.channel === b.source.channel && x.eventIds.some((id) => (b.source as { eventIds: readonly number[] }).eventIds.includes(id))));
        assert.ok(policies.length > 0, `${d.id}/${q.name}: no requires entry covers a branch`);
        for (const p of policies) assert.ok(r.setup.includes(p.auditPolicy), `${d.id}: ${p.auditPolicy}`);
      }
      for (const rec of d.recommendations) assert.ok(r.note.includes(rec));
      if (d.native.kind === 'signal') assert.match(r.note, /\*\*signal\*\*/);
      assert.ok(r.related_integrations.length > 0);
    }
  });

  it('names the honeytoken list in setup when the pack was built without decoys, and compiles them in when given', () => {
    const d = DECLARATIONS.find((x) => x.id === 'honeytoken_activity');
    assert.ok(d && d.native.kind !== 'none');
    const q = d.native.queries[0];
    assert.ok(q);
    const bare = nativeRule(d, q, ruleParams(config, d.id), VERSION);
    assert.match(bare.setup, /`honeytokens` .*none, so this part of the query matches nothing/);
    const decoyed = resolveConfig({ honeytokens: ['svc-decoy'] }, DECLARATIONS);
    const r = nativeRule(d, q, ruleParams(decoyed, d.id), VERSION);
    assert.match(r.query, /winlog\.event_data\.TargetUserName : "svc-decoy"/);
    assert.match(r.setup, /1 entry/);
  });

  it('schedules an aggregation so every window of its length falls inside one run', () => {
    for (const r of natives.filter((x) => x.type === 'esql')) {
      const interval = Number(/^(\d+)m$/.exec(r.interval)?.[1]);
      const lookBack = Number(/^now-(\d+)m$/.exec(r.from)?.[1]);
      const window = lookBack - interval;
      assert.ok(window >= 1 && interval <= window && interval <= 5, `${r.name}: ${r.interval} ${r.from}`);
    }
    for (const r of natives.filter((x) => x.type === 'eql')) assert.deepEqual([r.interval, r.from], ['5m', 'now-6m']);
  });

  it('compiles natives through the platform compiler the Splunk app also goes through', () => {
    const d = DECLARATIONS.find((x) => x.id === 'brute_force');
    assert.ok(d && d.native.kind !== 'none');
    const q = d.native.queries[0];
    assert.ok(q);
    const text = elasticCompiler.native(d, q, ruleParams(config, d.id));
    assert.equal(text.windowMinutes, ruleParams(config, d.id).thresholds['windowMinutes']);
    assert.ok(text.query.startsWith('FROM logs-system.security-*'));
  });
});

describe('elastic rule pack: the promotion rule', () => {
  const r = promotionRule(VERSION);

  it('promotes tierzero alert documents with their own severity, risk and name, as External Alerts does', () => {
    assert.equal(r.type, 'query');
    assert.deepEqual(r.type === 'query' && r.index, ['logs-tierzero.alert-*']);
    assert.deepEqual(r.severity_mapping?.map((m) => [m.field, m.value, m.severity]), [
      ['event.severity', '21', 'low'], ['event.severity', '47', 'medium'], ['event.severity', '73', 'high'], ['event.severity', '99', 'critical'],
    ]);
    assert.deepEqual(r.risk_score_mapping, [{ field: 'event.risk_score', operator: 'equals', value: '' }]);
    assert.equal(r.rule_name_override, 'rule.name');
    assert.equal(r.timestamp_override, 'event.ingested');
    assert.equal(r.max_signals, 1000);
  });

  it('leaves informational and learning alerts out, and says why the External Alerts rule must not see them', () => {
    assert.equal(promotionQuery(), 'data_stream.dataset: "tierzero.alert" and event.kind: "alert" and not tierzero.informational: true and not tierzero.learning: true');
    assert.match(r.setup, /External Alerts/);
    assert.match(r.setup, /a second time/);
    assert.match(r.setup, /eb079c62-4481-4d6e-9643-3ca499df7aaa/);
  });
});

describe('elastic rule pack: the schema is not a rubber stamp', () => {
  const good = natives[0] as KibanaRule;
  const broken = (patch: Record<string, unknown>, drop: string[] = []): Record<string, unknown> => {
    const r: Record<string, unknown> = { ...good, ...patch };
    for (const k of drop) delete r[k];
    return r;
  };

  it('refuses missing required fields, wrong enums, a fractional version and unknown keys', () => {
    assert.match(kibanaRuleProblems(broken({}, ['rule_id'])).join(), /rule_id/);
    assert.match(kibanaRuleProblems(broken({}, ['version'])).join(), /version/);
    assert.match(kibanaRuleProblems(broken({ severity: 'informational' })).join(), /severity/);
    assert.match(kibanaRuleProblems(broken({ risk_score: 101 })).join(), /risk_score/);
    assert.match(kibanaRuleProblems(broken({ version: 1.5 })).join(), /version must be integer/);
    assert.match(kibanaRuleProblems(broken({ language: 'kuery' })).join(), /language/);
    assert.match(kibanaRuleProblems(broken({ riskscore: 47 })).join(), /unknown key riskscore/);
    assert.match(kibanaRuleProblems(broken({ from: 'yesterday' })).join(), /from/);
    assert.match(kibanaRuleProblems(broken({ threat: [{ framework: 'MITRE ATT&CK', tactic: { id: 'TA0006', name: 'Credential Access' } }] })).join(), /reference/);
    assert.match(kibanaRuleProblems(broken({ type: 'esql', language: 'esql' })).join(), /must NOT be valid/, 'an ES|QL rule takes no index');
  });

  it('applies Kibana\'s own import checks beside the schema (threshold cardinality)', () => {
    const threshold = { ...broken({ type: 'threshold', language: 'kuery', query: 'event.code: "4625"' }), threshold: { field: ['user.name'], value: 5, cardinality: [{ field: 'user.name', value: 2 }] } };
    assert.deepEqual(kibanaRuleProblems(threshold), ['threshold.cardinality: Cardinality of a field that is being aggregated on is always 1']);
    assert.deepEqual(kibanaRuleProblems({ ...threshold, threshold: { field: ['user.name'], value: 5, cardinality: [{ field: 'source.ip', value: 2 }] } }), []);
  });
});
