import type { DetectorDeclaration, RequiredEvents } from '../../core/detectors/detector';
import type { RuleParams } from '../../core/rules/evaluate';
import { fieldsOf, type NativeQuery, type RuleSource } from '../../core/rules/tree';
import { eqlQuery } from './eql';
import { esqlQuery } from './esql';
import { kibanaSeverity, SEVERITY_BANDS, type KibanaRule } from './kibana-rule';
import { kibanaThreat, technique } from './mitre';
import { branchPaths, cloudDataset, sourceIndices } from './native-fields';
import { nativeRuleId } from './rule-ids';

/**
 * One Kibana detection rule per query of each declaration's native form (core/rules/tree.ts),
 * for sites that want Elastic's own rule engine on the raw events (the engine also merges,
 * traces and escalates; its alerts arrive through the promotion rule). The rule type follows
 * the condition:
 * - a single-event condition → `eql` (eql.ts: case-insensitive matching, which KQL lacks);
 * - a count or distinct count per key within a window → `esql` (esql.ts: case-folded and
 *   coalesced keys, which `threshold` lacks);
 * - "first time seen" would be `new_terms`, but no declaration's native form asks for it: the
 *   detectors that judge novelty learn per-entity baselines, which stay in the engine.
 * Every rule is shipped disabled, as prebuilt rules are: an admin enables what the audit
 * policy in its `setup` is in place for.
 */
export interface CompiledNativeRule {
  readonly type: 'eql' | 'esql';
  readonly query: string;
  /** Minutes one run must see: the detector's window (aggregations), 5 otherwise. */
  readonly windowMinutes: number;
}

/** The default schedule of a single-event rule (Kibana's own default: every 5 m, 1 m overlap). */
const EVENT_INTERVAL_MINUTES = 5;

export function compileNativeRule(q: NativeQuery, params: RuleParams): CompiledNativeRule {
  if (q.aggregate) return { type: 'esql', query: esqlQuery(q, params), windowMinutes: param(params, q.aggregate.window) };
  return { type: 'eql', query: eqlQuery(q, params), windowMinutes: EVENT_INTERVAL_MINUTES };
}

function param(params: RuleParams, name: string): number {
  const v = params.thresholds[name];
  if (v === undefined) throw new Error(`native rule names threshold ${name}, which the detector's settings lack`);
  return v;
}

/**
 * When the rule runs and how far back: a single-event rule every 5 m over the last 6 m (the
 * overlap loses no late event; Kibana makes one alert per source document). An aggregation of
 * window W runs every I = min(W, 5) minutes over the last W + I: every span of W minutes then
 * lies wholly inside some run, so every burst the tree's sliding window sees is counted whole
 * (a run may also count one spread over up to W + I minutes: the price of fixed look-backs).
 */
export function schedule(c: CompiledNativeRule): { interval: string; from: string } {
  if (c.type === 'eql') return { interval: `${EVENT_INTERVAL_MINUTES}m`, from: `now-${EVENT_INTERVAL_MINUTES + 1}m` };
  const w = Math.max(1, Math.ceil(c.windowMinutes));
  const i = Math.min(w, EVENT_INTERVAL_MINUTES);
  return { interval: `${i}m`, from: `now-${w + i}m` };
}

export function nativeRuleName(d: DetectorDeclaration, q: NativeQuery): string {
  return `tierzero: ${d.title} (${q.name})`;
}

export function nativeRule(d: DetectorDeclaration, q: NativeQuery, params: RuleParams, version: number): KibanaRule {
  if (d.native.kind === 'none') throw new Error(`${d.id} has no native form: ${d.native.reason}`);
  const compiled = compileNativeRule(q, params);
  const severity = kibanaSeverity(d.severity);
  const signal = d.native.kind === 'signal' ? ` Signal (${q.name}): ${d.native.note}.` : '';
  const common = {
    rule_id: nativeRuleId(d.id, q.name),
    version,
    name: nativeRuleName(d, q),
    description: `${d.summary}${signal} Compiled from the tierzero detector's declaration for Elastic's rule engine; the tierzero engine also merges, traces and escalates.`,
    risk_score: SEVERITY_BANDS[severity],
    severity,
    enabled: false,
    ...schedule(compiled),
    max_signals: 100,
    timestamp_override: 'event.ingested',
    author: ['tierzero'],
    license: 'Apache-2.0',
    tags: tags(d, q),
    threat: kibanaThreat(d.mitre),
    required_fields: requiredFields(q, compiled.type),
    related_integrations: relatedIntegrations(q),
    setup: setup(d, q, params),
    note: note(d, q, compiled),
    false_positives: [...d.falsePositives],
    references: d.mitre.techniques.map((t) => technique(t).reference),
    investigation_fields: { field_names: investigationFields(q) },
  };
  return compiled.type === 'eql'
    ? { ...common, type: 'eql', language: 'eql', query: compiled.query, index: [...new Set(q.match.flatMap((b) => sourceIndices(b.source)))] }
    : { ...common, type: 'esql', language: 'esql', query: compiled.query };
}

function tags(d: DetectorDeclaration, q: NativeQuery): string[] {
  const windows = q.match.some((b) => b.source.kind === 'windows');
  const cloud = q.match.some((b) => b.source.kind === 'cloud');
  return [
    'tierzero',
    'Domain: Identity',
    ...(windows ? ['OS: Windows', 'Data Source: Active Directory', 'Data Source: Windows Security Event Logs'] : []),
    ...(cloud ? ['Data Source: Microsoft Entra ID', 'Data Source: Azure'] : []),
    'Use Case: Threat Detection',
    ...kibanaThreat(d.mitre).map((t) => `Tactic: ${t.tactic.name}`),
    `tierzero: ${d.id}`,
    d.native.kind === 'signal' ? 'tierzero: signal' : 'tierzero: detector',
  ];
}

/**
 * Every ECS path the rule's query reads, with its mapping type (Kibana shows which are
 * missing): an ES|QL rule reads its outputs too (they are its group keys and columns); an EQL
 * rule only its condition's fields (its alert copies the whole event).
 */
function requiredFields(q: NativeQuery, type: CompiledNativeRule['type']): { name: string; type: string }[] {
  const out = new Map<string, string>();
  for (const b of q.match) {
    if (b.source.kind === 'windows') {
      out.set('winlog.channel', 'keyword');
      out.set('event.code', 'keyword');
    } else {
      out.set('event.dataset', 'keyword');
    }
    const read = type === 'esql' ? fieldsOf({ ...q, match: [b] }) : fieldsOf({ ...q, match: [b], outputs: [] });
    for (const f of read) for (const fp of branchPaths(f, b.source)) out.set(fp.path, fp.type);
  }
  out.set('event.ingested', 'date');
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([name, type]) => ({ name, type }));
}

/**
 * The Fleet packages that ship the events (Kibana's RelatedIntegration: package, semver
 * range, integration within a multi-integration package): System for the Security and System
 * channels, Windows for forwarded events and Sysmon, Azure's sign-in and audit logs.
 */
function relatedIntegrations(q: NativeQuery): { package: string; version: string; integration?: string }[] {
  const out = new Map<string, { package: string; version: string; integration?: string }>();
  for (const b of q.match) {
    const s = b.source;
    if (s.kind === 'cloud') {
      const integration = cloudDataset(s.table).split('.')[1] as string;
      out.set(`azure/${integration}`, { package: 'azure', version: '^1.0.0', integration });
    } else {
      if (s.channel !== 'Microsoft-Windows-Sysmon/Operational') out.set('system', { package: 'system', version: '^1.6.4' });
      out.set('windows', { package: 'windows', version: '^1.5.0' });
    }
  }
  return [...out.values()];
}

/** The audit policy behind each event the rule reads, from the declaration's `requires`, one line per policy. */
function setup(d: DetectorDeclaration, q: NativeQuery, params: RuleParams): string {
  const byPolicy = new Map<string, Set<string>>();
  for (const b of q.match) {
    for (const r of d.requires.filter((x) => covers(x, b.source))) {
      const events = byPolicy.get(r.auditPolicy) ?? new Set<string>();
      if (b.source.kind === 'windows') {
        const channel = b.source.channel;
        for (const id of r.eventIds.filter((i) => (b.source as { eventIds: readonly number[] }).eventIds.includes(i))) events.add(`${channel} ${id}`);
      } else {
        events.add(b.source.table);
      }
      byPolicy.set(r.auditPolicy, events);
    }
  }
  const settings = settingsUsed(q);
  const lines = [
    '## Setup',
    '',
    'This rule needs these events in the indices it reads (Elastic Agent\'s System and Windows integrations, Winlogbeat, or the Azure integration):',
    '',
    ...[...byPolicy].map(([policy, events]) => `- ${policy} (${[...events].join(', ')})`),
  ];
  if (settings.length) {
    lines.push('', '### Lists compiled into the query', '');
    for (const s of settings) {
      const n = params.settings[s].length;
      lines.push(`- \`${s}\` from the tierzero config the pack was built with: ${n ? `${n} entr${n === 1 ? 'y' : 'ies'}` : 'none, so this part of the query matches nothing until you edit it or rebuild the pack with your config'}.`);
    }
  }
  return lines.join('\n');
}

function covers(r: RequiredEvents, s: RuleSource): boolean {
  if (s.kind === 'cloud') return r.channel === s.table;
  return r.channel === s.channel && r.eventIds.some((id) => s.eventIds.includes(id));
}

function settingsUsed(q: NativeQuery): ('honeytokens' | 'directorySyncAccounts')[] {
  const text = JSON.stringify(q.match);
  return (['honeytokens', 'directorySyncAccounts'] as const).filter((s) => text.includes(`"setting":"${s}"`));
}

function note(d: DetectorDeclaration, q: NativeQuery, c: CompiledNativeRule): string {
  const lines = [
    '## Triage and analysis',
    '',
    `### ${d.title}`,
    '',
    d.summary,
    '',
  ];
  if (d.native.kind === 'signal') lines.push(`This rule is a **signal**, not the whole detector: ${d.native.note}. The tierzero engine judges the same events against what it has learned; prefer its alerts (the "tierzero alerts" rule) where it runs.`, '');
  if (c.type === 'esql') lines.push(`Each alert is one row: \`${q.aggregate?.by.join('`, `')}\` (lower-cased), \`tz_count\` (${q.aggregate?.distinct ? `distinct ${q.aggregate.distinct} values` : 'matching events'}) and \`tz_first\`/\`tz_last\`. A burst seen by two runs may alert twice; with a Platinum licence, suppress by those fields for the look-back.`, '');
  lines.push('### Possible investigation steps', '', ...d.recommendations.map((r) => `- ${r}`), '', '### False positive analysis', '', ...d.falsePositives.map((f) => `- ${f}`));
  return lines.join('\n');
}

/** The entity fields an analyst wants first: each output's first path. */
function investigationFields(q: NativeQuery): string[] {
  if (q.aggregate) return q.outputs.map((o) => o.name);
  const out = new Set<string>();
  for (const o of q.outputs) {
    const first = q.match.map((b) => branchPaths(o.fields[0] as string, b.source)[0]?.path).find((p) => p !== undefined);
    if (first) out.add(first);
  }
  return [...out];
}

/** Every rule of the pack's native part, in declaration order. */
export function nativeRules(declarations: readonly DetectorDeclaration[], paramsOf: (d: DetectorDeclaration) => RuleParams, version: number): KibanaRule[] {
  return declarations.flatMap((d) => (d.native.kind === 'none' ? [] : d.native.queries.map((q) => nativeRule(d, q, paramsOf(d), version))));
}
