import { isIP } from 'node:net';
import type { Alert, AlertAccount, AlertHost, Severity } from '../../core/alerts/alert';
import type { DetectorId } from '../../core/detectors/detector-id';
import { ALERT_DATASET } from './config';
import { ecsThreat } from './mitre';

/**
 * One alert (DESIGN §10) as an ECS alert document for the data stream
 * `logs-tierzero.alert-<namespace>`, mapped by templates.ts (ALERT_MAPPINGS).
 *
 * Fields the rule pack's promotion rule and dashboard read (es-rules: native-rules/promotion),
 * agreed names — change them only together:
 * - `event.kind: "alert"`, `data_stream.dataset: "tierzero.alert"`, `event.module: "tierzero"`;
 * - `event.severity`: 21 / 47 / 73 / 99 for low / medium / high / critical — the values Elastic's
 *   External Alerts rule (elastic/detection-rules rules/promotions/external_alerts.toml) maps in
 *   its `severity_mapping`; `event.risk_score`: the alert's risk 0–100 (`risk_score_mapping`);
 * - `rule.name` (the alert title, for `rule_name_override`), `rule.id` (the detector id);
 * - `message`: the plain-language why; `event.ingested`: when the sink wrote it (the rules'
 *   `timestamp_override`; there is no ingest pipeline to set it);
 * - `tierzero.severity`: tierzero's own severity (informational | low | medium | high | critical);
 * - `tierzero.learning`: the verdict leaned on a baseline still learning (issue 15);
 * - `tierzero.informational`: the alert is informational (learning alerts are, by default).
 *   Kibana has no informational severity, so such an alert carries `event.severity` 21 (low)
 *   and the promotion rule keeps it out of Security alerts with
 *   `not tierzero.informational:true and not tierzero.learning:true`; it stays searchable here.
 * The rest of the alert is under `tierzero.*` (identity, evidence, entities, recommendations).
 */
export const KIBANA_SEVERITY: Readonly<Record<Severity, { readonly name: 'low' | 'medium' | 'high' | 'critical'; readonly value: 21 | 47 | 73 | 99 }>> = {
  informational: { name: 'low', value: 21 },
  low: { name: 'low', value: 21 },
  medium: { name: 'medium', value: 47 },
  high: { name: 'high', value: 73 },
  critical: { name: 'critical', value: 99 },
};

export const ECS_VERSION = '8.11.0';

/**
 * ECS `event.category` / `event.type` per detector (ECS "Event categorization fields": each
 * category's allowed types). Every alert is also `intrusion_detection`/`info`. A `Record` over
 * every detector id: a new detector does not compile until it is categorised here.
 */
const CATEGORY: Readonly<Record<DetectorId, readonly [category: string, type: string]>> = {
  dcsync: ['iam', 'info'], dpapi_backup_key: ['iam', 'info'], adfs_dkm_key_read: ['iam', 'info'],
  ldap_recon: ['iam', 'info'], samr_recon: ['iam', 'info'],
  dcshadow: ['iam', 'change'], sensitive_group_change: ['iam', 'group'], samaccountname_spoofing: ['iam', 'change'],
  sid_history_injection: ['iam', 'change'], replication_rights_granted: ['iam', 'change'], dsrm_password_change: ['iam', 'change'],
  rbcd_modification: ['iam', 'change'], containment_reverted: ['iam', 'change'],
  overpass_the_hash: ['authentication', 'info'], pass_the_hash: ['authentication', 'info'], pass_the_ticket: ['authentication', 'info'],
  golden_ticket: ['authentication', 'info'], kerberoasting: ['authentication', 'info'], asrep_roasting: ['authentication', 'info'],
  brute_force: ['authentication', 'info'], password_spray: ['authentication', 'info'], account_enumeration: ['authentication', 'info'],
  ntlm_relay: ['authentication', 'info'], zerologon: ['authentication', 'info'], authentication_coercion: ['authentication', 'info'],
  honeytoken_activity: ['authentication', 'info'], impossible_travel: ['authentication', 'info'], unfamiliar_signin: ['authentication', 'info'],
  cloud_password_spray: ['authentication', 'info'], mfa_fatigue: ['authentication', 'info'],
  smb_session_enumeration: ['network', 'info'], remote_code_execution: ['process', 'start'], security_log_cleared: ['configuration', 'deletion'],
};

export interface AlertDocOptions {
  readonly namespace: string;
  /** When the sink writes it (ISO-8601): `event.created` and `event.ingested`. */
  readonly ingested: string;
}

export function alertDocument(a: Alert, o: AlertDocOptions): Record<string, unknown> {
  const accounts = a.entities.accounts;
  const user = primaryAccount(accounts);
  const target = user?.role === 'actor' ? accounts.find((x) => x.role === 'target' && x.name !== user.name) : undefined;
  const src = a.entities.hosts.find((h) => h.role === 'source');
  const dest = a.entities.hosts.find((h) => h.role === 'target' || h.role === 'destination');
  const [category, type] = CATEGORY[a.detector];
  const sev = KIBANA_SEVERITY[a.severity];
  const ips = unique(a.entities.hosts.map((h) => h.ip).filter(validIp));
  const events = a.evidence.events;
  return {
    '@timestamp': a.lastSeen,
    ecs: { version: ECS_VERSION },
    data_stream: { type: 'logs', dataset: ALERT_DATASET, namespace: o.namespace },
    event: {
      kind: 'alert', category: unique([category, 'intrusion_detection']), type: unique([type, 'info']),
      action: a.detector, code: a.detector, module: 'tierzero', dataset: ALERT_DATASET, provider: 'tierzero', id: a.id,
      severity: sev.value, risk_score: a.riskScore, risk_score_norm: a.riskScore,
      start: a.firstSeen, end: a.lastSeen, created: o.ingested, ingested: o.ingested,
    },
    message: a.description,
    rule: { id: a.detector, name: a.title, ruleset: 'tierzero', category: category, description: a.description, author: ['tierzero'], license: 'Apache-2.0' },
    threat: ecsThreat(a.mitre),
    ...(user ? { user: { ...userFields(user), ...(a.identity?.upn ? { email: a.identity.upn } : {}), ...(target ? { target: userFields(target) } : {}) } } : {}),
    ...(src ? { source: hostFields(src) } : {}),
    ...(dest ? { destination: hostFields(dest), host: { ...(dest.name ? { name: dest.name, hostname: dest.name } : {}), ...(validIp(dest.ip) ? { ip: dest.ip } : {}) } } : {}),
    related: {
      user: unique([...accounts.map((x) => x.name), ...(a.identity?.upn ? [a.identity.upn] : [])]),
      ...(ips.length ? { ip: ips } : {}),
      hosts: unique(a.entities.hosts.map((h) => h.name).filter((n): n is string => !!n)),
    },
    tierzero: {
      alert_id: a.id, detector: a.detector, title: a.title, severity: a.severity,
      ...(a.verdictSeverity ? { verdict_severity: a.verdictSeverity } : {}),
      learning: a.learning === true, informational: a.severity === 'informational',
      risk_score: a.riskScore, first_seen: a.firstSeen, last_seen: a.lastSeen,
      description: a.description, recommendations: a.recommendations,
      ...(a.identity ? { identity: identityFields(a.identity) } : {}),
      mitre: { tactics: a.mitre.tactics, techniques: a.mitre.techniques },
      evidence: {
        count: a.evidence.count,
        event_ids: unique(events.map((e) => e.EventID)),
        record_ids: unique(events.map((e) => e.EventRecordID).filter((r): r is number => r !== null)),
        computers: unique(events.map((e) => e.Computer).filter(Boolean)),
        events,
        ...(a.evidence.details ? { details: a.evidence.details } : {}),
      },
      entities: { accounts, hosts: a.entities.hosts },
    },
  };
}

/** The identity a SOC acts on: the actor, else the target, else whoever is named (as the Splunk events do). */
function primaryAccount(accounts: readonly AlertAccount[]): AlertAccount | undefined {
  return accounts.find((x) => x.role === 'actor') ?? accounts.find((x) => x.role === 'target') ?? accounts[0];
}

function userFields(x: AlertAccount): Record<string, string> {
  return { name: x.name, ...(x.sid ? { id: x.sid } : {}), ...(x.domain ? { domain: x.domain } : {}) };
}

/** `ip` only when it parses as one: a bad value in an `ip` field would fail the whole bulk item. */
function hostFields(h: AlertHost): Record<string, string> {
  const address = h.name ?? h.ip;
  return { ...(validIp(h.ip) ? { ip: h.ip } : {}), ...(address ? { address } : {}), ...(h.name ? { domain: h.name } : {}) };
}

function identityFields(i: NonNullable<Alert['identity']>): Record<string, string> {
  return {
    key: i.id, name: i.name, tier: i.tier,
    ...(i.upn ? { upn: i.upn } : {}), ...(i.sam ? { sam: i.sam } : {}), ...(i.sid ? { sid: i.sid } : {}), ...(i.objectId ? { object_id: i.objectId } : {}),
  };
}

function validIp(v: string | undefined): v is string {
  return v !== undefined && isIP(v) !== 0;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
