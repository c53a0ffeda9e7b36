import type { PullPlan } from '../../core/rules/pull-plan';
import type { CloudTable, WindowsChannel } from '../../core/rules/tree';
import type { CloudSignIn, EntraAuditRecord, WindowsEvent } from '../../core/events/windows-event';

/**
 * Elasticsearch documents (`_source`) → tierzero's canonical raw shapes (DESIGN §4). The only
 * place that knows how Elastic's shippers lay out Windows and Entra events:
 *
 * - **agent**: Elastic Agent's System integration (`logs-system.security-*`, `logs-system.system-*`)
 *   and Windows integration (`logs-windows.forwarded-*`, `logs-windows.sysmon_operational-*`), and
 *   Winlogbeat 8 whose ingest pipelines are the same. Every EventData item stays under
 *   `winlog.event_data.<Name>` (ECS fields such as `user.name`, `source.ip` are copies); the
 *   security pipeline splits some values into arrays (`AccessMask: ["0x10000"]`: the painless
 *   script in elastic/integrations packages/system/data_stream/security/elasticsearch/ingest_pipeline,
 *   test-4662.json-expected.json); `winlog.event_id` and `winlog.record_id` are strings.
 * - **winlogbeat**: Winlogbeat 7's own JavaScript security module
 *   (elastic/beats x-pack/winlogbeat/module/security/config/winlogbeat-security.js), which
 *   *renames* some EventData into ECS (`IpAddress` → `source.ip`, `ProcessName` →
 *   `process.executable`, 4688's `NewProcessName` → `process.executable`, …), splits
 *   `PrivilegeList` and `UserAccountControl` into arrays, and writes numeric ids.
 * - Both move Sysmon's process and registry fields into ECS and delete them from EventData
 *   (elastic/integrations packages/windows/data_stream/sysmon_operational ingest pipeline:
 *   `Image` → `process.executable`, `TargetObject` → `registry.path`, `User` →
 *   `user.domain` + `user.name`, `ProcessId` → `process.pid`).
 * - **Entra**: the Azure integration's `logs-azure.signinlogs-*` (`azure.signinlogs.*`, snake
 *   case) and `logs-azure.auditlogs-*` (`azure.auditlogs.*`; `target_resources` keyed "0", "1", …),
 *   elastic/integrations packages/azure/data_stream/{signinlogs,auditlogs} pipeline tests.
 *
 * The mapping reads every layout at once (EventData first, then the ECS field a layout moved it
 * to), so a mixed `winlogbeat-*` index of 7.x and 8.x shippers maps too.
 */
export type EcsLayout = 'agent' | 'winlogbeat';
export type EcsDoc = Readonly<Record<string, unknown>>;

export type Mapped =
  | { readonly ok: true; readonly value: WindowsEvent | CloudSignIn | EntraAuditRecord }
  | { readonly ok: false; readonly reason: string };

/** The source a canonical field is read for: a Windows channel (and EventID), or an Entra table. */
export type FieldSource =
  | { readonly kind: 'windows'; readonly channel: WindowsChannel | string; readonly eventId?: number }
  | { readonly kind: 'cloud'; readonly table: CloudTable };

/** How a moved field's ECS value is turned back into the canonical text. */
type Back = 'text' | 'hex' | 'decimal';

/** One place a canonical Windows field may be found besides `winlog.event_data.<field>`. */
interface Moved {
  readonly path: string;
  readonly back: Back;
  /** Which layouts move it there (and delete it from EventData). */
  readonly layouts: readonly EcsLayout[];
}

const SYSMON = 'microsoft-windows-sysmon/operational';
/** Winlogbeat 7's `renameCommonAuthFields` runs on the logon events. */
const WB7_AUTH_EVENTS = new Set([4624, 4625, 4634, 4647, 4648]);
const WB7_PROCESS_EVENTS = new Set([4688]);
const BOTH: readonly EcsLayout[] = ['agent', 'winlogbeat'];
const WB7: readonly EcsLayout[] = ['winlogbeat'];

/** Where a layout moved a canonical Windows field, for the event it is read from. */
function moved(field: string, source: FieldSource): Moved | undefined {
  if (source.kind !== 'windows') return undefined;
  const channel = source.channel.toLowerCase();
  if (channel === SYSMON) return SYSMON_MOVED[field];
  if (channel !== 'security' || source.eventId === undefined) return undefined;
  if (WB7_AUTH_EVENTS.has(source.eventId)) return WB7_AUTH_MOVED[field];
  if (WB7_PROCESS_EVENTS.has(source.eventId)) return WB7_PROCESS_MOVED[field];
  return undefined;
}

/** elastic/integrations sysmon_operational pipeline (and the Winlogbeat sysmon module before it). */
const SYSMON_MOVED: Readonly<Record<string, Moved>> = {
  Image: { path: 'process.executable', back: 'text', layouts: BOTH },
  CommandLine: { path: 'process.command_line', back: 'text', layouts: BOTH },
  ParentImage: { path: 'process.parent.executable', back: 'text', layouts: BOTH },
  ParentCommandLine: { path: 'process.parent.command_line', back: 'text', layouts: BOTH },
  ProcessId: { path: 'process.pid', back: 'decimal', layouts: BOTH },
  ParentProcessId: { path: 'process.parent.pid', back: 'decimal', layouts: BOTH },
  ProcessGuid: { path: 'process.entity_id', back: 'text', layouts: BOTH },
  ParentProcessGuid: { path: 'process.parent.entity_id', back: 'text', layouts: BOTH },
  CurrentDirectory: { path: 'process.working_directory', back: 'text', layouts: BOTH },
  TargetObject: { path: 'registry.path', back: 'text', layouts: BOTH },
  RuleName: { path: 'rule.name', back: 'text', layouts: BOTH },
};

/** winlogbeat-security.js `renameCommonAuthFields` (mode: rename). */
const WB7_AUTH_MOVED: Readonly<Record<string, Moved>> = {
  IpAddress: { path: 'source.ip', back: 'text', layouts: WB7 },
  IpPort: { path: 'source.port', back: 'decimal', layouts: WB7 },
  WorkstationName: { path: 'source.domain', back: 'text', layouts: WB7 },
  ProcessName: { path: 'process.executable', back: 'text', layouts: WB7 },
  ProcessId: { path: 'process.pid', back: 'hex', layouts: WB7 },
};

/** winlogbeat-security.js `renameNewProcessFields` (4688). */
const WB7_PROCESS_MOVED: Readonly<Record<string, Moved>> = {
  NewProcessName: { path: 'process.executable', back: 'text', layouts: WB7 },
  NewProcessId: { path: 'process.pid', back: 'hex', layouts: WB7 },
  ParentProcessName: { path: 'process.parent.executable', back: 'text', layouts: WB7 },
};

/** The System block, canonical name → ECS path (both layouts). */
export const WINDOWS_HEADER_PATHS: Readonly<Record<string, readonly string[]>> = {
  TimeCreated: ['@timestamp', 'winlog.time_created'],
  Computer: ['winlog.computer_name', 'host.name'],
  Channel: ['winlog.channel'],
  Provider: ['winlog.provider_name', 'event.provider'],
  EventID: ['winlog.event_id', 'event.code'],
  EventRecordID: ['winlog.record_id'],
  UserID: ['winlog.user.identifier'],
};

/** Canonical names the System block owns: a UserData item of that name is `EventData_<Name>` (System 104's `Channel`). */
const HEADER_NAMES = new Set(['TimeCreated', 'Computer', 'Channel', 'Provider', 'EventID', 'EventRecordID']);

/** Canonical `Data_<n>` is Winlogbeat's `param<n>`: EventData items without a Name (elastic/beats winlogbeat/sys/winevent). */
function eventDataName(canonical: string): string {
  const m = /^Data_(\d+)$/.exec(canonical);
  if (m) return `param${m[1]}`;
  const u = /^EventData_(.+)$/.exec(canonical);
  return u ? (u[1] as string) : canonical;
}

function canonicalName(ecsName: string): string {
  const m = /^param(\d+)$/.exec(ecsName);
  if (m) return `Data_${m[1]}`;
  return HEADER_NAMES.has(ecsName) ? `EventData_${ecsName}` : ecsName;
}

/**
 * The ECS path a canonical field is written at in one layout: what a native rule or a query
 * names. Windows header fields map to `winlog.*`, EventData to `winlog.event_data.<Name>`
 * unless the layout moved it (Sysmon's `Image` → `process.executable`; Winlogbeat 7's logon
 * `IpAddress` → `source.ip`); Entra columns to the Azure integration's fields.
 */
export function ecsPath(canonicalField: string, layout: EcsLayout, source: FieldSource = { kind: 'windows', channel: 'Security' }): string {
  return ecsReadPaths(canonicalField, source, layout)[0] as string;
}

/**
 * Every path the field map reads a canonical field from, in the order it tries them (the first
 * present wins): what a query must test to agree with the mapping on every layout. With a
 * layout, only that layout's paths.
 */
export function ecsReadPaths(canonicalField: string, source: FieldSource, layout?: EcsLayout): string[] {
  if (source.kind === 'cloud') {
    const paths = (source.table === 'SigninLogs' ? SIGN_IN_PATHS : AUDIT_PATHS)[canonicalField];
    if (!paths) throw new Error(`no ECS field for ${source.table} column ${canonicalField}`);
    return [...paths];
  }
  const header = WINDOWS_HEADER_PATHS[canonicalField];
  if (header) return [...header];
  const m = moved(canonicalField, source);
  const own = `winlog.event_data.${eventDataName(canonicalField)}`;
  if (m && (layout === undefined || m.layouts.includes(layout))) {
    // A layout that moves the field deletes it from EventData: there is only the moved path.
    if (layout !== undefined || m.layouts.length === BOTH.length) return [m.path];
    return [own, m.path];
  }
  // 1102 and System 104 carry UserData, not EventData (winlog.user_data).
  return /^EventData_/.test(canonicalField) ? [`winlog.user_data.${eventDataName(canonicalField)}`, own] : [own, `winlog.user_data.${canonicalField}`];
}

/** How a moved path's value reads back; `text` for every unmoved path. */
export function readBack(canonicalField: string, source: FieldSource, path: string): Back {
  const m = moved(canonicalField, source);
  return m && m.path === path ? m.back : 'text';
}

export function toCanonical(source: EcsDoc): Mapped {
  const doc = expandDotted(source);
  const azure = obj(doc['azure']);
  if (azure['signinlogs'] !== undefined) return signIn(doc, obj(azure['signinlogs']));
  if (azure['auditlogs'] !== undefined) return audit(doc, obj(azure['auditlogs']));
  if (doc['winlog'] !== undefined) return windowsEvent(doc);
  return { ok: false, reason: 'neither winlog.* (Windows event) nor azure.signinlogs / azure.auditlogs (Entra): not a document tierzero maps' };
}

function windowsEvent(doc: EcsDoc): Mapped {
  const winlog = obj(doc['winlog']);
  const idText = scalarText(winlog['event_id']) ?? scalarText(get(doc, 'event.code'));
  if (idText === undefined || !/^\d{1,5}$/.test(idText.trim())) return { ok: false, reason: `winlog.event_id ${JSON.stringify(winlog['event_id'] ?? null)} is not a Windows event id` };
  const ms = Date.parse(scalarText(doc['@timestamp']) ?? scalarText(winlog['time_created']) ?? '');
  if (!Number.isFinite(ms)) return { ok: false, reason: `no usable @timestamp (${JSON.stringify(doc['@timestamp'] ?? null)})` };
  const channel = scalarText(winlog['channel']);
  if (channel === undefined) return { ok: false, reason: 'no winlog.channel' };
  const eventId = Number(idText);
  const record = scalarText(winlog['record_id']);
  const out: Record<string, unknown> = {
    TimeCreated: new Date(ms).toISOString(),
    Computer: scalarText(winlog['computer_name']) ?? scalarText(get(doc, 'host.name')),
    Channel: channel,
  };
  const provider = scalarText(winlog['provider_name']) ?? scalarText(get(doc, 'event.provider'));
  if (provider !== undefined) out['Provider'] = provider;
  out['EventID'] = eventId;
  out['EventRecordID'] = record !== undefined && /^\d+$/.test(record) ? Number(record) : null;
  const userId = scalarText(get(doc, 'winlog.user.identifier'));
  if (userId !== undefined) out['UserID'] = userId;
  for (const [k, v] of Object.entries(obj(winlog['user_data']))) {
    if (k === 'xml_name') continue;
    const value = unwrap(k, v);
    if (value !== undefined) out[canonicalName(k)] = value;
  }
  for (const [k, v] of Object.entries(obj(winlog['event_data']))) {
    const value = unwrap(k, v);
    if (value !== undefined) out[canonicalName(k)] = value;
  }
  const source: FieldSource = { kind: 'windows', channel, eventId };
  const fill = channel.toLowerCase() === SYSMON ? SYSMON_MOVED : WB7_AUTH_EVENTS.has(eventId) ? WB7_AUTH_MOVED : WB7_PROCESS_EVENTS.has(eventId) ? WB7_PROCESS_MOVED : {};
  for (const [field, m] of Object.entries(fill)) {
    if (out[field] !== undefined || (channel.toLowerCase() !== SYSMON && channel.toLowerCase() !== 'security')) continue;
    const v = back(get(doc, m.path), readBack(field, source, m.path));
    if (v !== undefined) out[field] = v;
  }
  // Sysmon's `User` ("NT AUTHORITY\SYSTEM") is split into user.domain and user.name and deleted.
  if (channel.toLowerCase() === SYSMON && out['User'] === undefined) {
    const name = scalarText(get(doc, 'user.name'));
    const domain = scalarText(get(doc, 'user.domain'));
    if (name !== undefined && domain !== undefined) out['User'] = `${domain}\\${name}`;
  }
  return { ok: true, value: out as WindowsEvent };
}

/** How Windows renders a list in one EventData item (4672's PrivilegeList, 4738's UserAccountControl). */
const LIST_SEPARATOR = '\r\n\t\t\t';

/**
 * A value as canonical text: arrays the pipelines split out of one whitespace-separated value
 * (`AccessMask`, `PrivilegeList`, `AccessList`) are joined back with the separator Windows
 * renders (the split lost which whitespace it was; every reader of those fields splits on any); Winlogbeat 7 writes `UserAccountControl` as the bare codes
 * of its `%%nnnn` list, so they get their `%%` back.
 */
function unwrap(field: string, v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(scalarText).filter((x): x is string => x !== undefined);
    if (items.length === 0) return undefined;
    if (field === 'UserAccountControl') return items.map((x) => (/^\d+$/.test(x) ? `%%${x}` : x)).join(LIST_SEPARATOR);
    return items.join(LIST_SEPARATOR);
  }
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v === null ? undefined : v;
}

function back(v: unknown, how: Back): string | undefined {
  const s = Array.isArray(v) ? scalarText(v[0]) : scalarText(v);
  if (s === undefined) return undefined;
  // Windows writes process ids in Security events as lower-case 0x-hex; Winlogbeat stored the number.
  if (how === 'hex' && /^\d+$/.test(s)) return `0x${Number(s).toString(16)}`;
  return s;
}

/** SigninLogs column → the Azure integration's fields it is read from (first present wins). */
const SIGN_IN_PATHS: Readonly<Record<string, readonly string[]>> = {
  TimeGenerated: ['@timestamp'],
  CreatedDateTime: ['azure.signinlogs.properties.created_at'],
  UserPrincipalName: ['azure.signinlogs.properties.user_principal_name'],
  UserId: ['azure.signinlogs.properties.user_id'],
  IPAddress: ['azure.signinlogs.properties.ip_address', 'source.ip'],
  ResultType: ['azure.signinlogs.result_type', 'azure.signinlogs.properties.status.error_code'],
  ResultDescription: ['azure.signinlogs.result_description'],
  AppDisplayName: ['azure.signinlogs.properties.app_display_name'],
  CorrelationId: ['azure.signinlogs.properties.correlation_id', 'azure.correlation_id'],
  Id: ['azure.signinlogs.properties.id'],
  AutonomousSystemNumber: ['azure.signinlogs.properties.autonomous_system_number', 'source.as.number'],
  AuthenticationRequirement: ['azure.signinlogs.properties.authentication_requirement'],
  ConditionalAccessStatus: ['azure.signinlogs.properties.conditional_access_status'],
  ClientAppUsed: ['azure.signinlogs.properties.client_app_used'],
  Status: ['azure.signinlogs.properties.status'],
  MfaDetail: ['azure.signinlogs.properties.mfa_detail'],
  AuthenticationDetails: ['azure.signinlogs.properties.authentication_details'],
  LocationDetails: ['geo'],
  DeviceDetail: ['azure.signinlogs.properties.device_detail'],
  Category: ['azure.signinlogs.category'],
};

/** AuditLogs column → the Azure integration's fields. */
const AUDIT_PATHS: Readonly<Record<string, readonly string[]>> = {
  TimeGenerated: ['@timestamp'],
  ActivityDateTime: ['azure.auditlogs.properties.activity_datetime'],
  OperationName: ['azure.auditlogs.operation_name', 'azure.auditlogs.properties.activity_display_name'],
  Result: ['azure.auditlogs.properties.result', 'event.outcome'],
  TargetResources: ['azure.auditlogs.properties.target_resources'],
  InitiatedBy: ['azure.auditlogs.properties.initiated_by'],
  CorrelationId: ['azure.auditlogs.properties.correlation_id', 'azure.correlation_id'],
  Id: ['azure.auditlogs.properties.id'],
  Category: ['azure.auditlogs.properties.category'],
};

function firstOf(doc: EcsDoc, paths: readonly string[] | undefined): unknown {
  for (const p of paths ?? []) {
    const v = get(doc, p);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** An Entra sign-in, the integration's snake_case fields back under SigninLogs' camelCase names. */
function signIn(doc: EcsDoc, s: Record<string, unknown>): Mapped {
  const col = (c: string): unknown => firstOf(doc, SIGN_IN_PATHS[c]);
  const upn = scalarText(col('UserPrincipalName'));
  if (upn === undefined) return { ok: false, reason: 'sign-in without azure.signinlogs.properties.user_principal_name' };
  const ms = Date.parse(scalarText(col('TimeGenerated')) ?? scalarText(col('CreatedDateTime')) ?? '');
  if (!Number.isFinite(ms)) return { ok: false, reason: 'sign-in without a usable @timestamp' };
  const status = obj(col('Status'));
  const mfa = obj(col('MfaDetail'));
  const geo = obj(col('LocationDetails'));
  const location = obj(geo['location']);
  const device = obj(col('DeviceDetail'));
  const details = col('AuthenticationDetails');
  const out: Record<string, unknown> = {
    TimeGenerated: new Date(ms).toISOString(),
    UserPrincipalName: upn,
    UserId: scalarText(col('UserId')),
    IPAddress: scalarText(col('IPAddress')),
    ResultType: scalarText(col('ResultType')),
    ResultDescription: scalarText(col('ResultDescription')),
    AppDisplayName: scalarText(col('AppDisplayName')),
    CorrelationId: scalarText(col('CorrelationId')),
    Id: scalarText(col('Id')),
    AutonomousSystemNumber: numeric(col('AutonomousSystemNumber')),
    AuthenticationRequirement: scalarText(col('AuthenticationRequirement')),
    ConditionalAccessStatus: scalarText(col('ConditionalAccessStatus')),
    ClientAppUsed: scalarText(col('ClientAppUsed')),
    Category: scalarText(s['category']),
    Status: compact({ errorCode: numeric(status['error_code']), failureReason: scalarText(status['failure_reason']), additionalDetails: scalarText(status['additional_details']) }),
    MfaDetail: compact({ authMethod: scalarText(mfa['auth_method']), authDetail: scalarText(mfa['auth_detail']) }),
    AuthenticationDetails: Array.isArray(details) ? details.map((d) => compact({
      authenticationMethod: scalarText(obj(d)['authentication_method']),
      authenticationStepResultDetail: scalarText(obj(d)['authentication_step_result_detail']),
      succeeded: typeof obj(d)['succeeded'] === 'boolean' ? obj(d)['succeeded'] : undefined,
      authenticationStepDateTime: scalarText(obj(d)['authentication_step_date_time']),
    }) ?? {}) : undefined,
    LocationDetails: compact({
      city: scalarText(geo['city_name']), state: scalarText(geo['region_name']), countryOrRegion: scalarText(geo['country_iso_code']),
      geoCoordinates: compact({ latitude: numeric(location['lat']), longitude: numeric(location['lon']) }),
    }),
    DeviceDetail: compact({
      deviceId: scalarText(device['device_id']), displayName: scalarText(device['display_name']), operatingSystem: scalarText(device['operating_system']),
      browser: scalarText(device['browser']), trustType: scalarText(device['trust_type']),
      isCompliant: typeof device['is_compliant'] === 'boolean' ? device['is_compliant'] : undefined,
      isManaged: typeof device['is_managed'] === 'boolean' ? device['is_managed'] : undefined,
    }),
  };
  return { ok: true, value: compact(out) as CloudSignIn };
}

/**
 * An Entra audit record. The integration keeps `initiated_by` in Graph's camelCase but turns
 * `target_resources` and its `modified_properties` into snake_case objects keyed "0", "1", …
 * (test-auditlogs.log-expected.json): they come back as lists in AuditLogs' shape.
 */
function audit(doc: EcsDoc, a: Record<string, unknown>): Mapped {
  const col = (c: string): unknown => firstOf(doc, AUDIT_PATHS[c]);
  const operation = scalarText(col('OperationName'));
  if (operation === undefined) return { ok: false, reason: 'audit record without azure.auditlogs.operation_name' };
  const ms = Date.parse(scalarText(col('TimeGenerated')) ?? scalarText(col('ActivityDateTime')) ?? '');
  if (!Number.isFinite(ms)) return { ok: false, reason: 'audit record without a usable @timestamp' };
  const targets = listOf(col('TargetResources')).map((t) => compact({
    id: scalarText(t['id']),
    displayName: scalarText(t['display_name']),
    userPrincipalName: scalarText(t['user_principal_name']),
    type: scalarText(t['type']),
    modifiedProperties: listOf(t['modified_properties']).map((p) => ({
      displayName: scalarText(p['display_name']), oldValue: scalarText(p['old_value']), newValue: scalarText(p['new_value']),
    })),
  }) ?? {});
  const result = scalarText(col('Result'));
  const out: Record<string, unknown> = {
    TimeGenerated: new Date(ms).toISOString(),
    OperationName: operation,
    Category: scalarText(col('Category')),
    Result: result,
    InitiatedBy: col('InitiatedBy') ?? {},
    TargetResources: targets,
    CorrelationId: scalarText(col('CorrelationId')),
    Id: scalarText(col('Id')),
  };
  void a;
  return { ok: true, value: compact(out) as EntraAuditRecord };
}

/**
 * The `_source` paths a pull must fetch for the plan's canonical fields: every path each one is
 * read from on any layout, and the header. Filtering `_source` keeps the page small (an
 * AttributeValue SDDL or a TaskContent XML is most of a document's bytes).
 */
export function sourceFields(plan: PullPlan): string[] {
  const out = new Set<string>(['@timestamp', 'event.ingested', 'event.code']);
  for (const s of plan.sources) {
    if (s.source.kind === 'windows') {
      for (const paths of Object.values(WINDOWS_HEADER_PATHS)) for (const p of paths) out.add(p);
      out.add('winlog.user_data.xml_name');
      for (const f of s.fields) {
        if (WINDOWS_HEADER_PATHS[f]) continue;
        for (const id of s.source.eventIds) for (const p of ecsReadPaths(f, { kind: 'windows', channel: s.source.channel, eventId: id })) out.add(p);
        if (s.source.channel === 'Microsoft-Windows-Sysmon/Operational' && f === 'User') ['user.name', 'user.domain'].forEach((p) => out.add(p));
      }
    } else {
      const table = s.source.table;
      out.add(table === 'SigninLogs' ? 'azure.signinlogs.category' : 'azure.auditlogs.operation_name');
      for (const f of s.fields) for (const p of ecsReadPaths(f, { kind: 'cloud', table })) out.add(p);
    }
  }
  return [...out].sort();
}

// ——— small readers ———

/**
 * `_source` as sent: a shipper may write `{"winlog": {"channel": …}}` or `{"winlog.channel": …}`
 * (both are valid and index the same); the map reads one shape, nested.
 */
function expandDotted(doc: EcsDoc): Record<string, unknown> {
  if (!Object.keys(doc).some((k) => k.includes('.')) && !Object.values(doc).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).some((k) => k.includes('.')))) return doc as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    const value = v !== null && typeof v === 'object' && !Array.isArray(v) ? expandDotted(v as EcsDoc) : v;
    const parts = k.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      const next = cur[p];
      cur = (next !== null && typeof next === 'object' && !Array.isArray(next) ? next : (cur[p] = {})) as Record<string, unknown>;
    }
    const last = parts[parts.length - 1] as string;
    const prev = cur[last];
    cur[last] = prev !== null && typeof prev === 'object' && !Array.isArray(prev) && value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...prev, ...value } : value;
  }
  return out;
}

export function get(doc: EcsDoc, path: string): unknown {
  // A document may hold `a.b` as a nested object or as a dotted key (both are valid _source).
  if (Object.hasOwn(doc, path)) return doc[path];
  let cur: unknown = doc;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const o = cur as Record<string, unknown>;
    const rest = parts.slice(i).join('.');
    if (i > 0 && Object.hasOwn(o, rest)) return o[rest];
    cur = o[parts[i] as string];
  }
  return cur;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A list, or an object keyed "0", "1", … (how the Azure integration stores arrays of objects). */
function listOf(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.map(obj);
  const o = obj(v);
  const keys = Object.keys(o).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
  return keys.map((k) => obj(o[k]));
}

function scalarText(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length === 1 ? scalarText(v[0]) : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

function numeric(v: unknown): number | undefined {
  const s = scalarText(v);
  return s !== undefined && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;
}

function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length ? (out as T) : undefined;
}
