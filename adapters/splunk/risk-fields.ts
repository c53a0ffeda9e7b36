import type { Alert } from '../../core/alerts/alert';
import type { DetectorId } from '../../core/detectors/detector-id';

/**
 * Where an alert's Enterprise Security risk lands, as fields of its HEC event. ES's risk action
 * (`action.risk.param._risk`) takes a risk object *type* per entry, not per result, so each
 * type gets its own field and one `_risk` entry (savedsearches.ts, correlation search): a
 * result whose field is empty raises no risk for that entry (Splunk ES "Configure risk
 * scoring": risk objects are taken from the named field of each result). `risk_object` and
 * `risk_object_type` also carry the primary one for searches outside ES.
 *
 * - The identity for alerts with an actor: the person who did it.
 * - The source for a spray (password_spray, cloud_password_spray): the attack is the address
 *   that tried forty accounts, not one of its victims, who become its threat objects (user).
 * - Other alerts without an actor (account enumeration, a brute force on one account): the
 *   source, and a lone targeted account, whose password is what the attack is after.
 * Threat objects: the source address (ip_address), the source host (system), the victims of a
 * spray (user), the binary a remote execution installed (process).
 */
export const SPRAY_DETECTORS: ReadonlySet<DetectorId> = new Set<DetectorId>(['password_spray', 'cloud_password_spray']);

/** ES risk object types (user, system, other) and threat object types, one field each. */
export const RISK_FIELDS = {
  risk: { risk_user: 'user', risk_system: 'system', risk_other: 'other' },
  threat: { threat_ip: 'ip_address', threat_system: 'system', threat_user: 'user', threat_process: 'process' },
} as const;

export interface RiskFields {
  readonly risk_object?: string;
  readonly risk_object_type?: 'user' | 'system' | 'other';
  readonly risk_user?: string;
  readonly risk_system?: string;
  readonly risk_other?: string;
  readonly threat_ip?: string;
  readonly threat_system?: string;
  readonly threat_user?: readonly string[];
  readonly threat_process?: string;
  readonly risk_score: number;
}

/** At most this many victims of a spray become threat objects: one result, one risk event per value. */
const MAX_THREAT_USERS = 50;

export function riskFields(a: Alert): RiskFields {
  const actor = a.entities.accounts.find((x) => x.role === 'actor');
  const source = a.entities.hosts.find((h) => h.role === 'source');
  const targets = a.entities.accounts.filter((x) => x.role === 'target').map((x) => x.name);
  const spray = SPRAY_DETECTORS.has(a.detector);
  const onIdentity = actor !== undefined && !spray;
  const sourceObject = source?.ip ?? source?.name;
  const out: { -readonly [K in keyof RiskFields]: RiskFields[K] } = { risk_score: a.riskScore };
  if (onIdentity) {
    out.risk_user = actor.name;
    [out.risk_object, out.risk_object_type] = [actor.name, 'user'];
  } else {
    if (sourceObject !== undefined) [out.risk_system, out.risk_object, out.risk_object_type] = [sourceObject, sourceObject, 'system'];
    else [out.risk_other, out.risk_object, out.risk_object_type] = [`${a.detector}:${a.id}`, `${a.detector}:${a.id}`, 'other'];
    if (!spray && targets.length === 1) out.risk_user = targets[0];
  }
  if (source?.ip) out.threat_ip = source.ip;
  if (source?.name && onIdentity) out.threat_system = source.name;
  if (spray && targets.length) out.threat_user = targets.slice(0, MAX_THREAT_USERS);
  const process = processOf(a);
  if (process) out.threat_process = process;
  return out;
}

/** The binary behind a remote execution (service image path, task command, dropped file). */
function processOf(a: Alert): string | undefined {
  const d = a.evidence.details;
  for (const k of ['imagePath', 'command', 'file']) {
    const v = d?.[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}
