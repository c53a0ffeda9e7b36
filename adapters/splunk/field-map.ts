import type { PullPlan } from '../../core/rules/pull-plan';
import type { CloudSignIn, EntraAuditRecord, WindowsEvent } from '../../core/events/windows-event';
import { auditRecord, AUDIT_RAW_FIELD } from './audit-map';
import { CLASSIC_LAYOUTS, CLASSIC_SYSTEM_LAYOUTS, INSERTION_STRINGS, type ClassicLayout } from './classic-layouts';

/**
 * Splunk search results → the canonical raw shapes (DESIGN §4). The only place that knows the
 * field names of the Splunk Add-on for Windows (XmlWinEventLog and classic WinEventLog) and of
 * the Microsoft Cloud Services add-on's Entra sign-ins and audit records (`azure:monitor:aad`).
 */
export type SplunkValue = string | readonly string[] | undefined;
export type SplunkResult = Readonly<Record<string, SplunkValue>>;

export type Mapped =
  | { readonly ok: true; readonly value: WindowsEvent | CloudSignIn | EntraAuditRecord }
  | { readonly ok: false; readonly reason: string };

export type Format = 'xml' | 'classic' | 'aad';

export function formatOf(r: SplunkResult): Format | undefined {
  const sourcetype = first(r['sourcetype'])?.toLowerCase() ?? '';
  const source = first(r['source'])?.toLowerCase() ?? '';
  if (sourcetype.startsWith('xmlwineventlog') || source.startsWith('xmlwineventlog:')) return 'xml';
  if (sourcetype.startsWith('wineventlog') || source.startsWith('wineventlog:')) return 'classic';
  if (sourcetype === 'azure:monitor:aad') return 'aad';
  return undefined;
}

export function toCanonical(r: SplunkResult): Mapped {
  const format = formatOf(r);
  if (format === 'xml') return xmlEvent(r);
  if (format === 'classic') return classicEvent(r);
  if (format === 'aad') return /^auditlogs$/i.test(first(r['category']) ?? '') ? auditRecord(first(r[AUDIT_RAW_FIELD]) ?? first(r['_raw'])) : signIn(r);
  return { ok: false, reason: `sourcetype ${JSON.stringify(first(r['sourcetype']) ?? null)} is not one tierzero maps (XmlWinEventLog, WinEventLog, azure:monitor:aad)` };
}

/** Splunk's own fields and the TA's System-block fields: never copied as EventData. */
const META = new Set(['host', 'source', 'sourcetype', 'index', 'splunk_server', 'linecount', 'punct', 'eventtype', 'tag', 'timestartpos', 'timeendpos', 'tz_indextime']);
const XML_SYSTEM = new Set(['EventCode', 'EventID', 'EventRecordID', 'Computer', 'Channel', 'SystemTime', 'UserID', 'Keywords', 'Level', 'Opcode', 'Task', 'Version', 'ProcessID', 'ThreadID', 'Guid', 'Name', 'Qualifiers']);
const CLASSIC_SYSTEM = new Set(['EventCode', 'EventType', 'ComputerName', 'LogName', 'RecordNumber', 'SourceName', 'Type', 'Keywords', 'TaskCategory', 'OpCode', 'Sid', 'SidType', 'User', 'Message']);

/** XmlWinEventLog: the TA extracts every `<Data Name='X'>` as field X, so names already match. */
function xmlEvent(r: SplunkResult): Mapped {
  const head = header(r, { time: first(r['SystemTime'])?.replace(/'/g, ''), computer: first(r['Computer']), channel: first(r['Channel']), recordId: first(r['EventRecordID']) });
  if (!head.ok) return head;
  const out: Record<string, unknown> = head.value;
  const userId = first(r['UserID']);
  if (userId !== undefined) out['UserID'] = userId;
  for (const [k, v] of Object.entries(r)) {
    if (k.startsWith('_') || META.has(k) || XML_SYSTEM.has(k) || k.startsWith('date_') || v === undefined) continue;
    out[k] = first(v);
  }
  return { ok: true, value: out as WindowsEvent };
}

/**
 * Classic WinEventLog: the message text is "Section:" headers over "Label: value" lines. With
 * `Message` we read it section by section (exact, multi-line values kept); without it, the TA's
 * "Label_Name" fields hold every occurrence of a label in message order (`Account_Name` is
 * [subject, target] in a 4624), which the layout puts back in place.
 */
function classicEvent(r: SplunkResult): Mapped {
  const head = header(r, { time: undefined, computer: first(r['ComputerName']), channel: first(r['LogName']), recordId: first(r['RecordNumber']) });
  if (!head.ok) return head;
  const out: Record<string, unknown> = head.value;
  const sid = first(r['Sid']);
  if (sid !== undefined) out['UserID'] = sid;
  const channel = String(out['Channel']).toLowerCase();
  const layout = (channel === 'security' ? CLASSIC_LAYOUTS : channel === 'system' ? CLASSIC_SYSTEM_LAYOUTS : {})[Number(out['EventID'])];
  const message = r['Message'] === undefined ? undefined : Array.isArray(r['Message']) ? r['Message'].join('\n') : (r['Message'] as string);
  const fields = layout ? (message !== undefined ? parseMessage(message, layout) : fromLabelFields(r, layout)) : passThrough(r);
  for (const [k, v] of Object.entries(fields)) out[k] = UNRENDER.has(k) ? unrender(v) : v;
  return { ok: true, value: out as WindowsEvent };
}

function header(r: SplunkResult, h: { time: string | undefined; computer: string | undefined; channel: string | undefined; recordId: string | undefined }): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const eventCode = first(r['EventCode']) ?? first(r['EventID']);
  if (eventCode === undefined || !/^\d{1,5}$/.test(eventCode.trim())) return { ok: false, reason: `EventCode ${JSON.stringify(eventCode ?? null)} is not a Windows event id` };
  const ms = Date.parse(h.time ?? first(r['_time']) ?? '');
  if (!Number.isFinite(ms)) return { ok: false, reason: `no usable time (_time ${JSON.stringify(first(r['_time']) ?? null)})` };
  const source = first(r['source']) ?? '';
  const channel = h.channel ?? (source.includes(':') ? source.slice(source.indexOf(':') + 1) : undefined);
  const recordId = h.recordId !== undefined && /^\d+$/.test(h.recordId) ? Number(h.recordId) : null;
  return {
    ok: true,
    value: {
      TimeCreated: new Date(ms).toISOString(),
      Computer: h.computer ?? first(r['host']),
      ...(channel ? { Channel: channel } : {}),
      EventID: Number(eventCode),
      EventRecordID: recordId,
    },
  };
}

export function parseMessage(message: string, layout: ClassicLayout): Record<string, string> {
  const bySection = new Map<string, Map<string, string>>();
  for (const sec of layout.sections) {
    const m = bySection.get(sec.title) ?? new Map<string, string>();
    for (const it of sec.items) m.set(it.label, it.field);
    bySection.set(sec.title, m);
  }
  const topLevel = bySection.get('') ?? new Map<string, string>();
  const out: Record<string, string> = {};
  let section: Map<string, string> | undefined;
  let last: string | undefined;
  let blanks = 0;
  for (const line of message.split(/\r?\n/)) {
    if (line.trim() === '') {
      blanks++;
      continue;
    }
    const indented = /^\s/.test(line);
    const colon = line.indexOf(':');
    const label = colon > 0 ? line.slice(0, colon).trim() : undefined;
    const rest = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!indented && label !== undefined && label !== '' && rest === '' && bySection.has(label)) {
      section = bySection.get(label);
      last = undefined;
    } else {
      const field = label === undefined ? undefined : indented ? section?.get(label) : topLevel.get(label);
      // First occurrence wins: an "Account Name:" line inside a multi-line value cannot overwrite.
      if (field !== undefined && !(field in out)) {
        out[field] = rest;
        last = field;
      } else if (last !== undefined) {
        // A line that is no label of this section continues the previous value (4662 Properties, 4698 Task Content).
        out[last] = out[last] === '' ? line.trimEnd() : `${out[last]}${'\n'.repeat(blanks + 1)}${line.trimEnd()}`;
      }
    }
    blanks = 0;
  }
  return out;
}

/** The TA names a "Label Name (x)" field `Label_Name__x_`: every non-alphanumeric becomes `_`. */
export function taFieldName(label: string): string {
  return label.replace(/[^A-Za-z0-9_]/g, '_');
}

function fromLabelFields(r: SplunkResult, layout: ClassicLayout): Record<string, string> {
  const out: Record<string, string> = {};
  const used = new Map<string, number>();
  for (const sec of layout.sections) {
    for (const it of sec.items) {
      const name = taFieldName(it.label);
      const n = used.get(name) ?? 0;
      used.set(name, n + 1);
      const v = r[name];
      const value = Array.isArray(v) ? v[n] : n === 0 ? (v as string | undefined) : undefined;
      if (value !== undefined) out[it.field] = value;
    }
  }
  return out;
}

function passThrough(r: SplunkResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k.startsWith('_') || META.has(k) || CLASSIC_SYSTEM.has(k) || k.startsWith('date_') || v === undefined) continue;
    const value = first(v);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

/** Only fields whose `%%n` codes detectors read are turned back into codes: never free text. */
const UNRENDER = new Set(['OperationType', 'UserAccountControl', 'ServicePrincipalNames', 'AllowedToDelegateTo', 'SidHistory']);
const RENDERED = Object.entries(INSERTION_STRINGS).map(([code, text]) => [text, code] as const);

function unrender(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let out = value;
  for (const [text, code] of RENDERED) out = out.split(text).join(code);
  return out;
}

/** Entra sign-in from the Event Hub input: Azure's diagnostic envelope, the record under `properties`. */
function signIn(r: SplunkResult): Mapped {
  const category = first(r['category']);
  if (category !== undefined && !/signinlogs$/i.test(category)) return { ok: false, reason: `azure:monitor:aad category ${JSON.stringify(category)} is not a sign-in log` };
  const p = (k: string): string | undefined => first(r[`properties.${k}`]);
  const upn = p('userPrincipalName');
  if (upn === undefined) return { ok: false, reason: 'sign-in without properties.userPrincipalName' };
  const time = Date.parse(p('createdDateTime') ?? first(r['time']) ?? first(r['_time']) ?? '');
  if (!Number.isFinite(time)) return { ok: false, reason: 'sign-in without a usable properties.createdDateTime' };
  const num = (v: string | undefined): number | undefined => (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
  const bool = (v: string | undefined): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined);
  const out: Record<string, unknown> = {
    TimeGenerated: new Date(time).toISOString(),
    UserPrincipalName: upn,
    UserId: p('userId'),
    IPAddress: p('ipAddress') ?? first(r['callerIpAddress']),
    ResultType: p('status.errorCode') ?? first(r['resultType']),
    ResultDescription: p('status.failureReason') ?? first(r['resultDescription']),
    AppDisplayName: p('appDisplayName'),
    CorrelationId: p('correlationId') ?? first(r['correlationId']),
    Id: p('id'),
    AutonomousSystemNumber: num(p('autonomousSystemNumber')),
    AuthenticationRequirement: p('authenticationRequirement'),
    ConditionalAccessStatus: p('conditionalAccessStatus'),
    ClientAppUsed: p('clientAppUsed'),
    // The MFA step's outcome text ("MFA denied; user declined the authentication") is in status.additionalDetails.
    Status: compact({ errorCode: p('status.errorCode'), failureReason: p('status.failureReason'), additionalDetails: p('status.additionalDetails') }),
    MfaDetail: compact({ authMethod: p('mfaDetail.authMethod'), authDetail: p('mfaDetail.authDetail') }),
    Category: category,
    LocationDetails: compact({
      city: p('location.city'), state: p('location.state'), countryOrRegion: p('location.countryOrRegion'),
      geoCoordinates: compact({ latitude: num(p('location.geoCoordinates.latitude')), longitude: num(p('location.geoCoordinates.longitude')) }),
    }),
    DeviceDetail: compact({
      deviceId: p('deviceDetail.deviceId'), displayName: p('deviceDetail.displayName'), operatingSystem: p('deviceDetail.operatingSystem'),
      browser: p('deviceDetail.browser'), isCompliant: bool(p('deviceDetail.isCompliant')), isManaged: bool(p('deviceDetail.isManaged')),
    }),
  };
  return { ok: true, value: compact(out) as CloudSignIn };
}

/** SigninLogs column → the add-on's field, for native searches written in canonical names. */
export const SIGN_IN_TA_FIELDS: Readonly<Record<string, string>> = {
  UserPrincipalName: 'properties.userPrincipalName',
  UserId: 'properties.userId',
  IPAddress: 'properties.ipAddress',
  ResultType: 'properties.status.errorCode',
  AppDisplayName: 'properties.appDisplayName',
  AutonomousSystemNumber: 'properties.autonomousSystemNumber',
};

/** SigninLogs column → the add-on fields `signIn` builds it from: what the SPL keeps for each planned column. */
const SIGN_IN_COLUMN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  TimeGenerated: ['properties.createdDateTime', 'time'],
  UserPrincipalName: ['properties.userPrincipalName'],
  UserId: ['properties.userId'],
  IPAddress: ['properties.ipAddress', 'callerIpAddress'],
  ResultType: ['properties.status.errorCode', 'resultType'],
  ResultDescription: ['properties.status.failureReason', 'resultDescription'],
  AppDisplayName: ['properties.appDisplayName'],
  CorrelationId: ['properties.correlationId', 'correlationId'],
  Id: ['properties.id'],
  AutonomousSystemNumber: ['properties.autonomousSystemNumber'],
  AuthenticationRequirement: ['properties.authenticationRequirement'],
  ConditionalAccessStatus: ['properties.conditionalAccessStatus'],
  ClientAppUsed: ['properties.clientAppUsed'],
  Status: ['properties.status.errorCode', 'properties.status.failureReason', 'properties.status.additionalDetails'],
  MfaDetail: ['properties.mfaDetail.authMethod', 'properties.mfaDetail.authDetail'],
  LocationDetails: ['city', 'state', 'countryOrRegion', 'geoCoordinates.latitude', 'geoCoordinates.longitude'].map((k) => `properties.location.${k}`),
  DeviceDetail: ['deviceId', 'displayName', 'operatingSystem', 'browser', 'isCompliant', 'isManaged'].map((k) => `properties.deviceDetail.${k}`),
};

/**
 * The plan's canonical fields in Splunk's names, for the pull search's `fields` list: XML
 * EventData names are the canonical names; classic WinEventLog adds the TA's label fields of
 * each pulled event's message template; Entra adds the add-on's `properties.*` fields.
 */
export function splunkFields(plan: PullPlan): string[] {
  const out = new Set<string>();
  for (const s of plan.sources) {
    if (s.source.kind === 'windows') {
      for (const f of [...WINDOWS_HEADER_FIELDS, ...s.fields]) if (!CANONICAL_ONLY.has(f)) out.add(f);
      const fields = new Set(s.fields);
      const layouts = s.source.channel === 'Security' ? CLASSIC_LAYOUTS : s.source.channel === 'System' ? CLASSIC_SYSTEM_LAYOUTS : {};
      for (const id of s.source.eventIds) {
        for (const sec of layouts[id]?.sections ?? []) for (const it of sec.items) if (fields.has(it.field)) out.add(taFieldName(it.label));
      }
    } else {
      out.add('category');
      if (s.source.table === 'AuditLogs') out.add(AUDIT_RAW_FIELD);
      else for (const c of s.fields) for (const f of SIGN_IN_COLUMN_FIELDS[c] ?? []) out.add(f);
    }
  }
  return [...out].sort();
}

/** Canonical header names Splunk has under other names (SystemTime / _time, EventCode). */
const CANONICAL_ONLY = new Set(['TimeCreated', 'EventID']);

/** Fields of each format the mapping reads besides EventData: kept by the SPL whatever the detectors. */
export const WINDOWS_HEADER_FIELDS: readonly string[] = [
  'EventCode', 'EventRecordID', 'Computer', 'Channel', 'SystemTime', 'UserID',
  'ComputerName', 'LogName', 'RecordNumber', 'Sid', 'Message',
];

function first(v: SplunkValue): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length ? (out as T) : undefined;
}
