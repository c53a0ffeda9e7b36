import { ALERT_DATASET } from './config';
import { kqlField, kqlQuoted } from './kql';
import { SEVERITY_BANDS, type KibanaRule, type KibanaSeverity } from './kibana-rule';
import { PROMOTION_RULE_ID } from './rule-ids';

/**
 * The promotion rule: each tierzero alert document (the sink's `logs-tierzero.alert-*` data
 * stream) becomes one Elastic Security alert, with the document's own severity, risk score and
 * rule name. Modelled on Elastic's prebuilt "External Alerts" rule (elastic/detection-rules
 * rules/promotions/external_alerts.toml: a `query` rule on `event.kind:alert`,
 * `severity_mapping` on event.severity 21/47/73/99, `risk_score_mapping` on event.risk_score,
 * `rule_name_override`, `timestamp_override = "event.ingested"`, `max_signals = 1000`), narrowed
 * to tierzero's dataset. The alert fields it reads are the sink's (alert-doc.ts): event.severity,
 * event.risk_score, rule.name, tierzero.informational, tierzero.learning.
 *
 * Informational and learning alerts stay out by default (issue 15: they remain searchable in
 * the data stream but do not become Security alerts); the query says so, and an analyst who
 * wants them deletes those two clauses.
 */
export const ALERT_INDEX_PATTERN = `logs-${ALERT_DATASET}-*`;

/** The alert-document fields the rule reads (agreed with the sink). */
export const ALERT_FIELDS = {
  severity: 'event.severity',
  riskScore: 'event.risk_score',
  ruleName: 'rule.name',
  ruleId: 'rule.id',
  informational: 'tierzero.informational',
  learning: 'tierzero.learning',
} as const;

export function promotionQuery(): string {
  return [
    `${kqlField('data_stream.dataset')}: ${kqlQuoted(ALERT_DATASET)}`,
    `${kqlField('event.kind')}: ${kqlQuoted('alert')}`,
    `not ${kqlField(ALERT_FIELDS.informational)}: true`,
    `not ${kqlField(ALERT_FIELDS.learning)}: true`,
  ].join(' and ');
}

export function promotionRule(version: number): KibanaRule {
  const bands = Object.entries(SEVERITY_BANDS) as [KibanaSeverity, number][];
  return {
    rule_id: PROMOTION_RULE_ID,
    version,
    name: 'tierzero alerts',
    description: 'Generates an Elastic Security alert for each tierzero alert written to logs-tierzero.alert-*, with the alert\'s own severity, risk score and detector name. Informational and learning-period alerts stay searchable there but are not promoted.',
    type: 'query',
    language: 'kuery',
    query: promotionQuery(),
    index: [ALERT_INDEX_PATTERN],
    // tierzero writes alerts once per pass; a 5-minute schedule with an overlapping look-back
    // loses none, and Kibana makes one alert per source document however often a run sees it.
    interval: '5m',
    from: 'now-10m',
    max_signals: 1000,
    timestamp_override: 'event.ingested',
    risk_score: SEVERITY_BANDS.medium,
    severity: 'medium',
    severity_mapping: bands.map(([severity, score]) => ({ field: ALERT_FIELDS.severity, operator: 'equals', value: String(score), severity })),
    risk_score_mapping: [{ field: ALERT_FIELDS.riskScore, operator: 'equals', value: '' }],
    rule_name_override: ALERT_FIELDS.ruleName,
    enabled: false,
    author: ['tierzero'],
    license: 'Apache-2.0',
    tags: ['tierzero', 'Promotion: External Alerts', 'Domain: Identity', 'Use Case: Identity and Access Audit', 'Data Source: tierzero'],
    // Each alert document carries its own ECS threat.* (copied onto the Security alert); a
    // static threat here would label every alert with every detector's techniques.
    threat: [],
    required_fields: [
      { name: 'data_stream.dataset', type: 'constant_keyword' },
      { name: 'event.kind', type: 'keyword' },
      { name: 'event.ingested', type: 'date' },
      { name: ALERT_FIELDS.severity, type: 'long' },
      { name: ALERT_FIELDS.riskScore, type: 'float' },
      { name: ALERT_FIELDS.ruleName, type: 'keyword' },
      { name: ALERT_FIELDS.informational, type: 'boolean' },
      { name: ALERT_FIELDS.learning, type: 'boolean' },
    ],
    related_integrations: [],
    investigation_fields: { field_names: ['user.name', 'user.domain', 'source.ip', 'host.name', 'rule.name', 'tierzero.severity', 'event.risk_score'] },
    setup: [
      '## Setup',
      '',
      'tierzero writes its alerts with `tierzero run` into the `logs-tierzero.alert-<namespace>` data stream; this rule promotes them.',
      '',
      '### Turn off the second promotion',
      '',
      'tierzero alert documents have `event.kind: alert` in a `logs-*` index, so Elastic\'s generic **External Alerts** prebuilt rule (rule_id eb079c62-4481-4d6e-9643-3ca499df7aaa) would promote each of them a second time, with the generic name. When External Alerts is enabled, add a rule exception to it: `data_stream.dataset` is `tierzero.alert` — or disable it if tierzero is your only external source.',
      '',
      '### Informational and learning alerts',
      '',
      'Alerts of informational severity (`tierzero.informational: true`), and alerts raised while a detector\'s baseline is still learning (`tierzero.learning: true`), are not promoted: they stay searchable in `logs-tierzero.alert-*` and on the tierzero dashboard. To promote them too, delete the two `not` clauses from the query.',
    ].join('\n'),
    note: [
      '## Triage and analysis',
      '',
      'Each alert is one tierzero alert: `rule.name` is the detector\'s title, `rule.id` and `tierzero.detector` its id, `message` the plain-language reason, `tierzero.*` the evidence and entities, and `threat.*` its MITRE ATT&CK techniques.',
      '',
      '- Open the **tierzero** dashboard\'s user page for the identity (`user.name`): its priority score, what contributed to it, and the alert timeline with the reasons.',
      '- The recommendations in `tierzero.recommendations` are the detector\'s own next steps.',
      '- To contain the account, run the **tierzero responder** connector (suspend, revoke sessions, reset password) from this alert or from a case.',
    ].join('\n'),
    false_positives: ['Alerts tierzero raises on lab or test accounts: mark them `test` in tierzero\'s identities file, which lowers their score, rather than excepting them here.'],
    references: ['https://github.com/elastic/detection-rules/blob/main/rules/promotions/external_alerts.toml'],
  };
}
