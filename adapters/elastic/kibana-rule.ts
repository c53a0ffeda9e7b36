import type { KibanaThreat } from './mitre';

/**
 * A detection rule as the pack writes it for Kibana's `_import` (kibana-rule.schema.json is
 * the checked contract; these types keep the builders honest). One variant per rule type the
 * pack uses, so an EQL rule cannot carry a threshold or an ES|QL rule an index list.
 */
export type KibanaSeverity = 'low' | 'medium' | 'high' | 'critical';

interface RuleBase {
  readonly rule_id: string;
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly risk_score: number;
  readonly severity: KibanaSeverity;
  readonly enabled: boolean;
  readonly interval: string;
  readonly from: string;
  readonly max_signals: number;
  readonly timestamp_override: string;
  readonly author: readonly string[];
  readonly license: string;
  readonly tags: readonly string[];
  readonly threat: readonly KibanaThreat[];
  readonly required_fields: readonly { readonly name: string; readonly type: string }[];
  readonly related_integrations: readonly { readonly package: string; readonly version: string; readonly integration?: string }[];
  readonly setup: string;
  readonly note: string;
  readonly false_positives: readonly string[];
  readonly references: readonly string[];
  readonly investigation_fields?: { readonly field_names: readonly string[] };
  readonly severity_mapping?: readonly { readonly field: string; readonly operator: 'equals'; readonly value: string; readonly severity: KibanaSeverity }[];
  readonly risk_score_mapping?: readonly { readonly field: string; readonly operator: 'equals'; readonly value: string }[];
  readonly rule_name_override?: string;
}

export type KibanaRule =
  | (RuleBase & { readonly type: 'eql'; readonly language: 'eql'; readonly query: string; readonly index: readonly string[] })
  | (RuleBase & { readonly type: 'esql'; readonly language: 'esql'; readonly query: string })
  | (RuleBase & { readonly type: 'query'; readonly language: 'kuery'; readonly query: string; readonly index: readonly string[] });

/**
 * Kibana's severity bands for `risk_score` (common_attributes.schema.yaml RiskScore: 0–21 low,
 * 22–47 medium, 48–73 high, 74–100 critical), at each band's top as Elastic's own rules and
 * the External Alerts severity_mapping use them (21/47/73/99). Kibana has no informational
 * severity: it is low.
 */
export const SEVERITY_BANDS: Readonly<Record<KibanaSeverity, number>> = { low: 21, medium: 47, high: 73, critical: 99 };

export function kibanaSeverity(s: 'informational' | KibanaSeverity): KibanaSeverity {
  return s === 'informational' ? 'low' : s;
}
