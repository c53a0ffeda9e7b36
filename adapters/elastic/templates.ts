import type { Client } from '@elastic/elasticsearch';
import { callElastic, type CallContext } from './client';
import type { ElasticSettings } from './config';

/**
 * The index templates tierzero writes through, with explicit mappings, installed idempotently by
 * the first `tierzero run` (and each pass after a tierzero upgrade raised `TEMPLATE_VERSION`):
 *
 * - `tierzero-alert`: the data stream `logs-tierzero.alert-*` (`data_stream: {}`; bulk `create`
 *   only). Priority 250 beats the stack's built-in `logs` template (priority 100) and Fleet's
 *   integration templates (200), so our mappings win for our data stream only. Root `dynamic:
 *   false`: a field the mapping lacks stays in `_source` but is not indexed, rather than failing
 *   the bulk item (a test walks every alert document against this mapping).
 * - `tierzero-risk-score@<riskIndex>`: the latest score per identity, in the field layout of Kibana's risk
 *   engine (`riskScoreFieldMap`, x-pack/solutions/security/plugins/security_solution/server/lib/
 *   entity_analytics/risk_score/configurations.ts in elastic/kibana): `user.risk.*` keyword and
 *   float fields, `inputs` objects.
 * - `tierzero-state@<state.index>`: one document per deployment, `dynamic: strict`; the state
 *   is a gzip'd binary field (stored, not indexed: nothing searches inside it).
 *
 * The risk and state templates each match one index name, so their names carry it: two
 * deployments on one cluster with their own namespaces (`…-latest-prod`, `…-latest-dev`) each
 * get their template. Under one fixed name the second deployment would find the first's
 * template installed at the current version, skip it, and create its index without mappings.
 *
 * Only types of the server itself (keyword, text, date, float, long, integer, boolean, ip,
 * binary, object): `match_only_text`, `wildcard` and `flattened` need plugins a minimal node
 * lacks, and keyword/text behave the same on a full cluster.
 */
export const TEMPLATE_VERSION = 1;

const kw = { type: 'keyword', ignore_above: 1024 } as const;
const kwLong = { type: 'keyword', ignore_above: 8191 } as const;
const text = { type: 'text' } as const;
const date = { type: 'date' } as const;
const float = { type: 'float' } as const;
const long = { type: 'long' } as const;
const bool = { type: 'boolean' } as const;
const ip = { type: 'ip' } as const;
const off = { type: 'object', enabled: false } as const;
const obj = (properties: Record<string, unknown>): { properties: Record<string, unknown> } => ({ properties });
const mitreRefs = obj({ id: kw, name: kw, reference: kw });

/** ECS fields of an alert document (alert-doc.ts), plus `tierzero.*` for what ECS lacks. */
export const ALERT_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    ecs: obj({ version: kw }),
    // keyword, not constant_keyword: that type is an x-pack mapper plugin a minimal node lacks.
    data_stream: obj({ type: kw, dataset: kw, namespace: kw }),
    event: obj({
      kind: kw, category: kw, type: kw, action: kw, code: kw, module: kw, dataset: kw, provider: kw, id: kw,
      severity: long, risk_score: float, risk_score_norm: float, start: date, end: date, created: date, ingested: date, reference: kw,
    }),
    message: text,
    rule: obj({ id: kw, name: kw, ruleset: kw, category: kw, description: text, reference: kw, version: kw, author: kw, license: kw }),
    threat: obj({
      framework: kw,
      tactic: mitreRefs,
      technique: obj({ id: kw, name: kw, reference: kw, subtechnique: mitreRefs }),
    }),
    user: obj({ name: kw, id: kw, domain: kw, email: kw, target: obj({ name: kw, id: kw, domain: kw }) }),
    source: obj({ ip, address: kw, domain: kw }),
    destination: obj({ ip, address: kw, domain: kw }),
    host: obj({ name: kw, hostname: kw, ip }),
    related: obj({ user: kw, ip, hosts: kw }),
    tierzero: obj({
      alert_id: kw, detector: kw, title: kw, severity: kw, verdict_severity: kw, learning: bool, informational: bool,
      risk_score: float, first_seen: date, last_seen: date, description: text, recommendations: text,
      identity: obj({ key: kw, name: kw, upn: kw, sam: kw, sid: kw, object_id: kw, tier: kw }),
      mitre: obj({ tactics: kw, techniques: kw }),
      evidence: obj({ count: long, event_ids: long, record_ids: long, computers: kw, events: off, details: off }),
      entities: obj({ accounts: off, hosts: off }),
    }),
  },
} as const;

const riskFields = obj({
  id_field: kw, id_value: kw, calculated_level: kw, calculated_score: float, calculated_score_norm: float,
  category_1_score: float, category_1_count: long, criticality_level: kw, criticality_modifier: float, notes: kwLong,
  inputs: obj({ id: kw, index: kw, category: kw, description: kw, risk_score: float, contribution_score: float, timestamp: date }),
});

/** risk-doc.ts: `user.risk.*` as Kibana's risk engine writes it, plus the worked-out score under `tierzero.*`. */
export const RISK_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    event: obj({ ingested: date, kind: kw, dataset: kw }),
    user: obj({ name: kw, id: kw, domain: kw, email: kw, risk: riskFields }),
    tierzero: obj({
      identity: obj({ key: kw, name: kw, sort_name: kw, upn: kw, sam: kw, sid: kw, object_id: kw }),
      score: float, band: kw, percentile: float, change_24h: float, risk_jump: bool,
      criticality: obj({ tier: kw, multiplier: float, reasons: kwLong }),
      top_contributions: kwLong,
      contributions: obj({ detector: kw, signals: long, alert_ids: kw, value: float, capped: bool, rank: long, contribution: float }),
      formula: obj({ total: float, floor: float, floor_alert_id: kw, normalised: float, stages: kw, in_order: bool, bonus: float, boosted: float, odds: float, cleared_by_reset: float }),
    }),
  },
} as const;

/** state-store.ts: one document per deployment. */
export const STATE_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    deployment_id: kw,
    saved_at: date,
    format: kw,
    state_bytes: long,
    state: { type: 'binary' },
  },
} as const;

export interface TemplateNames {
  readonly alert: string;
  readonly risk: string;
  readonly state: string;
}

/** Every template is tierzero's own: `_meta.managed_by` says so, `_meta.version` is what `ensureTemplates` compares. */
export function templateBodies(s: Pick<ElasticSettings, 'riskIndex' | 'state'>): { name: string; body: Record<string, unknown> }[] {
  const meta = { managed_by: 'tierzero', version: TEMPLATE_VERSION, description: 'adapters/elastic/templates.ts' };
  return [
    {
      name: 'tierzero-alert',
      body: {
        index_patterns: ['logs-tierzero.alert-*'], data_stream: {}, priority: 250, version: TEMPLATE_VERSION, _meta: meta,
        template: { settings: { 'index.mapping.total_fields.limit': 1000, 'index.codec': 'best_compression' }, mappings: { ...ALERT_MAPPINGS, _meta: meta } },
      },
    },
    // Kibana's own risk index (`risk-score.risk-score-latest-<space>`) keeps Kibana's template.
    ...(kibanaOwnsRiskIndex(s.riskIndex) ? [] : [{
      name: `tierzero-risk-score@${s.riskIndex}`,
      body: {
        index_patterns: [s.riskIndex], priority: 250, version: TEMPLATE_VERSION, _meta: meta,
        template: { settings: { 'index.mapping.total_fields.limit': 1000 }, mappings: { ...RISK_MAPPINGS, _meta: meta } },
      },
    }]),
    {
      name: `tierzero-state@${s.state.index}`,
      body: {
        index_patterns: [s.state.index], priority: 250, version: TEMPLATE_VERSION, _meta: meta,
        // One small document per deployment: one shard; a replica where the cluster has a second node.
        template: { settings: { number_of_shards: 1, 'index.auto_expand_replicas': '0-1' }, mappings: { ...STATE_MAPPINGS, _meta: meta } },
      },
    },
  ];
}

/**
 * `risk-score.risk-score-latest-<space>` is the index Entity Analytics reads; Kibana's risk engine
 * creates it with its own template and transform. An admin who turned Kibana's engine off may
 * point `elastic.riskIndex` at it so Entity Analytics shows tierzero's scores: then tierzero
 * writes documents of the same shape, and leaves the template and the index to Kibana.
 */
export function kibanaOwnsRiskIndex(index: string): boolean {
  return index.startsWith('risk-score.');
}

export interface EnsureOutcome {
  /** Templates written this time (absent, or an older version). */
  readonly installed: readonly string[];
  /** Indices created this time (the risk and state indices; the data stream appears on its first document). */
  readonly created: readonly string[];
}

/**
 * Puts each template that is absent or older than `TEMPLATE_VERSION`, then creates the risk and
 * state indices if missing, so they take the mappings even where `action.auto_create_index` is
 * off. Safe to run on every pass and from two passes at once: a put is a full replace with the
 * same body, and a create that lost the race answers `resource_already_exists_exception`.
 * A newer template (written by a newer tierzero) is left alone.
 */
export async function ensureTemplates(client: Client, s: Pick<ElasticSettings, 'riskIndex' | 'state'>, ctx: CallContext): Promise<EnsureOutcome> {
  const installed: string[] = [];
  for (const { name, body } of templateBodies(s)) {
    const found = await callElastic(ctx, `GET _index_template/${name}`, () => client.indices.getIndexTemplate({ name }), (status) => (status === 404 ? { index_templates: [] } : undefined));
    const version = found.index_templates[0]?.index_template.version;
    if (typeof version === 'number' && version >= TEMPLATE_VERSION) continue;
    await callElastic(ctx, `PUT _index_template/${name}`, () => client.indices.putIndexTemplate({ name, ...body }));
    installed.push(name);
  }
  const created: string[] = [];
  for (const index of kibanaOwnsRiskIndex(s.riskIndex) ? [s.state.index] : [s.riskIndex, s.state.index]) {
    const made = await callElastic(ctx, `PUT ${index}`, async () => {
      await client.indices.create({ index });
      return true;
    }, (status, e) => (status === 400 && JSON.stringify(e.meta.body ?? '').includes('resource_already_exists_exception') ? false : undefined));
    if (made) created.push(index);
  }
  return { installed, created };
}
