import Ajv, { type ValidateFunction } from 'ajv';
import schema from './kibana-rule.schema.json';

/**
 * Checks one detection rule as Kibana's `_import` would (kibana-rule.schema.json, written from
 * Kibana's OpenAPI rule schema), plus the checks Kibana runs outside the schema
 * (rule_management/import_rules/rule_to_import_validation.ts: threshold cardinality and
 * timeline pairing). Returns the problems, each naming the key; none means valid.
 */
let validator: ValidateFunction | undefined;

export function kibanaRuleProblems(rule: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).compile(schema);
  const problems: string[] = [];
  if (!validator(rule)) {
    for (const e of validator.errors ?? []) {
      // `if` reports that its `then` failed; the `then` branch's own errors say what.
      if (e.keyword === 'if') continue;
      // An unknown key is reported twice: by the enum inside propertyNames, then by propertyNames.
      if ((e as { propertyName?: string }).propertyName !== undefined) continue;
      const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(rule)';
      const extra = e.keyword === 'propertyNames' ? ` (unknown key ${String((e.params as { propertyName?: string }).propertyName)})` : '';
      problems.push(`${where} ${e.message ?? e.keyword}${extra}`);
    }
  }
  if (rule !== null && typeof rule === 'object') problems.push(...outsideSchema(rule as Record<string, unknown>));
  return [...new Set(problems)];
}

/** rule_to_import_validation.ts: what Kibana checks beside the schema. */
function outsideSchema(rule: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (rule['type'] === 'threshold' && rule['threshold'] && typeof rule['threshold'] === 'object') {
    const t = rule['threshold'] as { field?: unknown; cardinality?: { field?: unknown }[] };
    const fields = Array.isArray(t.field) ? t.field : [t.field];
    const card = t.cardinality?.[0]?.field;
    if (card !== undefined && fields.includes(card)) out.push('threshold.cardinality: Cardinality of a field that is being aggregated on is always 1');
  }
  if (rule['timeline_id'] === '') out.push('timeline_id: "timeline_id" cannot be an empty string');
  if (rule['timeline_title'] === '') out.push('timeline_title: "timeline_title" cannot be an empty string');
  return out;
}
