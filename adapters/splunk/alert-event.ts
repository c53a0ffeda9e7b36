import type { Alert, AlertAccount, AlertHost } from '../../core/alerts/alert';
import { severityRank } from '../../core/alerts/alert';
import { riskFields } from './risk-fields';

/**
 * One alert as an HTTP Event Collector event (help.splunk.com "Format events for HTTP Event
 * Collector"): the alert contract (DESIGN §10) as the event body, plus the CIM Alerts fields
 * Enterprise Security and the app's correlation search read (app, type, signature, signature_id,
 * severity, user, src, dest, mitre_technique_id), the identity key of its score
 * (`identity_key`), and where its ES risk lands (risk-fields.ts). `alert_id` is also an indexed field, so the
 * app's searches can `dedup alert_id` cheaply and the sink can ask which ids are already in.
 */
export const ALERT_SOURCETYPE = 'tierzero:alert';

export interface HecEventOptions {
  readonly index: string;
  readonly source: string;
  readonly host?: string;
}

export function hecEvent(a: Alert, o: HecEventOptions): string {
  const user = primaryAccount(a.entities.accounts);
  const src = host(a.entities.hosts, ['source']);
  const dest = host(a.entities.hosts, ['destination', 'target']);
  const event = {
    ...a,
    alert_id: a.id,
    app: 'tierzero',
    type: 'alert',
    signature: a.title,
    signature_id: a.detector,
    severity_id: severityRank(a.severity),
    mitre_technique_id: a.mitre.techniques,
    ...(user ? { user: user.name, ...(user.domain ? { user_domain: user.domain } : {}), ...(user.sid ? { user_id: user.sid } : {}) } : {}),
    ...(src ? { src } : {}),
    ...(dest ? { dest } : {}),
    ...(a.identity ? { identity_key: a.identity.id } : {}),
    ...riskFields(a),
  };
  return JSON.stringify({
    time: Date.parse(a.lastSeen) / 1000,
    ...(o.host ? { host: o.host } : {}),
    source: o.source,
    sourcetype: ALERT_SOURCETYPE,
    index: o.index,
    event,
    fields: { alert_id: a.id, detector: a.detector, severity: a.severity },
  });
}

/** The identity a SOC acts on: the actor, else the target, else whoever is named. */
function primaryAccount(accounts: readonly AlertAccount[]): AlertAccount | undefined {
  return accounts.find((x) => x.role === 'actor') ?? accounts.find((x) => x.role === 'target') ?? accounts[0];
}

function host(hosts: readonly AlertHost[], roles: readonly string[]): string | undefined {
  const h = hosts.find((x) => roles.includes(x.role));
  return h?.ip ?? h?.name;
}
