import { boundedJson } from './bounded-text';
import { asSid, integer, ip, text, timestamp } from './fields';
import type { CloudPrincipal, CloudTarget, IdentityEvent, MfaOutcome } from './identity-event';
import type { EventFilter, NormalizeResult } from './normalize-result';
import { isCloudSignIn, isEntraAudit } from './windows-event';

/**
 * Entra ID records → typed events: sign-ins (Log Analytics `SigninLogs` columns, or a Graph
 * `signIn` export) and the directory changes of `AuditLogs` that detectors and identity
 * resolution read. Returns undefined for a record that is not an Entra record at all.
 */
export function normalizeCloud(r: Record<string, unknown>, wanted: EventFilter): NormalizeResult | undefined {
  if (isCloudSignIn(r)) return normalizeSignIn(r, wanted);
  if (isEntraAudit(r)) return normalizeAudit(r, wanted);
  return undefined;
}

type Draft = Record<string, unknown>;

/** Assigned field by field, like the Windows builders, so events stay in V8's fast mode. */
function put(target: Draft, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function done(e: Draft): IdentityEvent {
  return e as unknown as IdentityEvent;
}

function normalizeSignIn(r: Record<string, unknown>, wanted: EventFilter): NormalizeResult {
  const time = timestamp(r['TimeGenerated'] ?? r['CreatedDateTime']);
  if (time === undefined) return malformed(`TimeGenerated ${describe(r['TimeGenerated'])} is not a timestamp`);
  const upn = text(r['UserPrincipalName']);
  if (!upn) return malformed('sign-in without UserPrincipalName');
  if (!wanted('signinlogs', 0)) return { status: 'unmodelled', channel: 'signinlogs', eventId: 0 };
  const status = record(r['Status']);
  // Log Analytics writes ResultType (as text); a Graph export has only Status.errorCode.
  const resultType = integer(r['ResultType']) ?? integer(status['errorCode']) ?? 0;
  const loc = record(r['LocationDetails']);
  const geo = record(loc['geoCoordinates']);
  const device = record(r['DeviceDetail']);
  const e: Draft = { time, host: 'entra', eventId: 0, recordId: null, kind: 'cloud_sign_in', upn: upn.toLowerCase(), resultType };
  put(e, 'userId', text(r['UserId'])?.toLowerCase());
  put(e, 'ip', ip(r['IPAddress']));
  put(e, 'app', text(r['AppDisplayName']));
  put(e, 'country', text(loc['countryOrRegion'])?.toUpperCase());
  put(e, 'city', text(loc['city']));
  const [lat, lon] = coordinates(geo);
  put(e, 'latitude', lat);
  put(e, 'longitude', lon);
  put(e, 'asn', positive(integer(r['AutonomousSystemNumber'])));
  put(e, 'deviceId', deviceId(device['deviceId']));
  put(e, 'correlationId', text(r['CorrelationId'])?.toLowerCase());
  put(e, 'signInId', text(r['Id'])?.toLowerCase());
  put(e, 'deviceName', text(device['displayName']));
  put(e, 'operatingSystem', text(device['operatingSystem']));
  put(e, 'browser', text(device['browser']));
  put(e, 'trustType', text(device['trustType']));
  put(e, 'isCompliant', typeof device['isCompliant'] === 'boolean' ? device['isCompliant'] : undefined);
  put(e, 'isManaged', typeof device['isManaged'] === 'boolean' ? device['isManaged'] : undefined);
  put(e, 'clientApp', text(r['ClientAppUsed']));
  put(e, 'authenticationRequirement', text(r['AuthenticationRequirement']));
  const mfa = mfaOf(resultType, status, list(r['AuthenticationDetails']), record(r['MfaDetail']));
  put(e, 'mfa', mfa.outcome);
  put(e, 'mfaMethod', mfa.method);
  put(e, 'mfaDetail', mfa.detail);
  return { status: 'event', event: done(e) };
}

/**
 * Geo-IP places an address it cannot locate at 0,0 ("null island"); that is no location, and
 * a travel computation from it would be nonsense.
 */
function coordinates(geo: Record<string, unknown>): [number | undefined, number | undefined] {
  const lat = num(geo['latitude']);
  const lon = num(geo['longitude']);
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) return [undefined, undefined];
  return [lat, lon];
}

/** Unregistered devices are logged with an empty or all-zero device id: not an identity. */
function deviceId(value: unknown): string | undefined {
  const s = text(value)?.toLowerCase();
  return s && !/^[0-]+$/.test(s) ? s : undefined;
}

interface Mfa {
  readonly outcome?: MfaOutcome;
  readonly method?: string;
  readonly detail?: string;
}

/** Result codes that mean "MFA is required": Entra sends them only once the password was right. */
const MFA_REQUIRED = new Set([50074, 50076]);
/** 500121: "Authentication failed during strong authentication request" (denied, timed out, …). */
const MFA_FAILED = 500121;

/**
 * What happened to the second factor. The step result texts are Entra's ("MFA denied; user
 * declined the authentication", "MFA denied; user did not respond to mobile app notification",
 * "MFA successfully completed", "MFA requirement satisfied by claim in the token": Microsoft
 * Learn, howto-mfa-reporting); the result code is the fallback when the details are absent.
 */
function mfaOf(resultType: number, status: Record<string, unknown>, steps: readonly Record<string, unknown>[], mfaDetail: Record<string, unknown>): Mfa {
  const found = new Set<MfaOutcome>();
  let detail: string | undefined;
  let method = text(mfaDetail['authMethod']);
  for (const step of steps) {
    const m = text(step['authenticationMethod']);
    const d = text(step['authenticationStepResultDetail']);
    const outcome = d ? classify(d) : undefined;
    if (m && !/^password$/i.test(m) && !/previously satisfied/i.test(m)) method ??= m;
    if (outcome) {
      found.add(outcome);
      detail ??= d;
      if (m && !/^password$/i.test(m)) method = m;
    }
  }
  const additional = text(status['additionalDetails']);
  const fromStatus = additional ? classify(additional) : undefined;
  if (fromStatus) {
    found.add(fromStatus);
    detail ??= additional;
  }
  const order: readonly MfaOutcome[] = resultType === 0
    ? ['approved', 'satisfied', 'fraud', 'denied', 'wrong_code', 'timeout']
    : ['fraud', 'denied', 'wrong_code', 'timeout', 'approved', 'satisfied'];
  let outcome = order.find((o) => found.has(o));
  if (resultType !== 0 && (outcome === 'approved' || outcome === 'satisfied')) outcome = undefined;
  if (outcome === undefined && resultType === MFA_FAILED) outcome = 'failed';
  if (outcome === undefined && MFA_REQUIRED.has(resultType)) outcome = 'required';
  return { ...(outcome ? { outcome } : {}), ...(method ? { method } : {}), ...(detail ? { detail } : {}) };
}

function classify(detail: string): MfaOutcome | undefined {
  if (/fraud/i.test(detail)) return 'fraud';
  if (/declined/i.test(detail)) return 'denied';
  if (/incorrect (code|pin)|correct number|invalid (mobile app )?verification code|verification code already used/i.test(detail)) return 'wrong_code';
  if (/did not respond|never entered|voicemail|hung up|unable to reach|timed? ?out/i.test(detail)) return 'timeout';
  if (/satisfied by|skipped/i.test(detail)) return 'satisfied';
  if (/MFA (successfully )?completed|successfully completed|completed in the cloud/i.test(detail)) return 'approved';
  return undefined;
}

function normalizeAudit(r: Record<string, unknown>, wanted: EventFilter): NormalizeResult {
  const time = timestamp(r['TimeGenerated'] ?? r['ActivityDateTime']);
  if (time === undefined) return malformed(`TimeGenerated ${describe(r['TimeGenerated'])} is not a timestamp`);
  const operation = text(r['OperationName']) ?? '';
  if (!wanted('auditlogs', 0)) return { status: 'unmodelled', channel: 'auditlogs', eventId: 0 };
  const result = text(r['Result'])?.toLowerCase();
  // A failed change changed nothing.
  if (result !== undefined && result !== 'success') return { status: 'unmodelled', channel: 'auditlogs', eventId: 0 };
  const change = auditChange(operation);
  if (!change) return { status: 'unmodelled', channel: 'auditlogs', eventId: 0 };
  const resources = list(r['TargetResources']);
  const resource = resources.find((t) => /^user$/i.test(text(t['type']) ?? '')) ?? resources[0];
  if (!resource) return malformed(`${operation}: no TargetResources`);
  const properties = list(resource['modifiedProperties']);
  const target = targetOf(resource, properties);
  if (!target.upn && !target.objectId) return malformed(`${operation}: the target has neither userPrincipalName nor id`);
  const initiator = initiatorOf(record(r['InitiatedBy']));
  const e: Draft = { time, host: 'entra', eventId: 0, recordId: null };
  if (change === 'role_added' || change === 'role_removed') {
    const role = propertyValue(properties, 'Role.DisplayName');
    if (!role) return malformed(`${operation}: no Role.DisplayName`);
    e['kind'] = 'cloud_role_change';
    e['action'] = change === 'role_added' ? 'added' : 'removed';
    e['role'] = role;
  } else {
    const action = change === 'update' ? accountEnabledChange(properties) : change;
    if (!action) return { status: 'unmodelled', channel: 'auditlogs', eventId: 0 };
    e['kind'] = 'cloud_account_change';
    e['action'] = action;
    e['operation'] = operation;
    put(e, 'correlationId', text(r['CorrelationId'])?.toLowerCase());
  }
  e['target'] = target;
  e['initiator'] = initiator;
  put(e, 'auditId', text(r['Id']));
  return { status: 'event', event: done(e) };
}

type AuditChange = 'enabled' | 'disabled' | 'update' | 'role_added' | 'role_removed';

/** The AuditLogs activity names (Microsoft Entra audit activity reference, category UserManagement / RoleManagement). */
function auditChange(operation: string): AuditChange | undefined {
  if (/^disable account$/i.test(operation)) return 'disabled';
  if (/^enable account$/i.test(operation)) return 'enabled';
  if (/^update user$/i.test(operation)) return 'update';
  // "Add member to role", "Add eligible member to role", "Add member to role completed (PIM activation)".
  if (/^add (eligible )?member to role/i.test(operation)) return 'role_added';
  if (/^remove (eligible )?member from role/i.test(operation)) return 'role_removed';
  return undefined;
}

/** `Update user` flips AccountEnabled when directory sync (or a script) enables or disables a user. */
function accountEnabledChange(properties: readonly Record<string, unknown>[]): 'enabled' | 'disabled' | undefined {
  const value = propertyValue(properties, 'AccountEnabled')?.toLowerCase();
  return value === 'true' ? 'enabled' : value === 'false' ? 'disabled' : undefined;
}

function targetOf(resource: Record<string, unknown>, properties: readonly Record<string, unknown>[]): CloudTarget {
  const t: Draft = {};
  put(t, 'upn', text(resource['userPrincipalName'])?.toLowerCase());
  put(t, 'objectId', text(resource['id'])?.toLowerCase());
  put(t, 'onPremisesSid', sidOf(propertyValue(properties, 'OnPremisesSecurityIdentifier')));
  return t as CloudTarget;
}

function initiatorOf(by: Record<string, unknown>): CloudPrincipal {
  const user = record(by['user']);
  const app = record(by['app']);
  const p: Draft = {};
  put(p, 'upn', text(user['userPrincipalName'])?.toLowerCase());
  put(p, 'objectId', text(user['id'])?.toLowerCase());
  put(p, 'ip', ip(user['ipAddress']));
  put(p, 'app', text(app['displayName']));
  put(p, 'appId', text(app['appId'] ?? app['servicePrincipalId'])?.toLowerCase());
  return p as CloudPrincipal;
}

/**
 * The new value of a modified property. Values are JSON text (`[true]`, `"Global
 * Administrator"`, `["S-1-5-21-…"]`); for a removal the old value is what was there.
 */
function propertyValue(properties: readonly Record<string, unknown>[], name: string): string | undefined {
  const p = properties.find((x) => text(x['displayName'])?.toLowerCase() === name.toLowerCase());
  if (!p) return undefined;
  return unwrap(p['newValue']) ?? unwrap(p['oldValue']);
}

function unwrap(value: unknown): string | undefined {
  let v: unknown = typeof value === 'string' ? parseJson(value) ?? value : value;
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'boolean' ? String(v) : text(v);
}

/** A SID as text, or as the base64 of its binary form (MS-DTYP 2.4.2.2), as directory exports write it. */
export function sidOf(value: unknown): string | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  const literal = asSid(s);
  if (literal) return literal;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  const count = b[1] ?? 0;
  if (b.length < 8 || b[0] !== 1 || b.length !== 8 + 4 * count) return undefined;
  const authority = b.readUIntBE(2, 6);
  const subs = Array.from({ length: count }, (_, i) => b.readUInt32LE(8 + 4 * i));
  return asSid(`S-1-${authority}${subs.map((x) => `-${x}`).join('')}`);
}

/** Dynamic columns arrive as objects, or as their JSON text (Log Analytics exports, `AuthenticationDetails`). */
function record(value: unknown): Record<string, unknown> {
  const v = typeof value === 'string' ? parseJson(value) : value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(value: unknown): Record<string, unknown>[] {
  const v = typeof value === 'string' ? parseJson(value) : value;
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

function parseJson(s: string): unknown {
  const t = s.trim();
  if (t[0] !== '{' && t[0] !== '[' && t[0] !== '"') return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

function malformed(reason: string): NormalizeResult {
  return { status: 'malformed', reason };
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? boundedJson(v, 60) : `${typeof v} ${String(v)}`;
}
