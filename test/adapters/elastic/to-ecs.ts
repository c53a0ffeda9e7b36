/**
 * The inverse of adapters/elastic/field-map.ts: a canonical record as the document Elastic's
 * shippers would index, in the Agent layout (System / Windows integrations, Winlogbeat 8) or the
 * Winlogbeat 7 layout, with `event.ingested`. Used by the Elastic tests and the bench to fill a
 * real node. It does what the shippers' pipelines do to the values (field-map.ts cites them):
 * Agent writes ids as strings and splits `AccessMask` / `PrivilegeList` into arrays; Winlogbeat 7
 * writes numeric ids, renames its logon and 4688 fields into ECS and splits `PrivilegeList` and
 * `UserAccountControl`; both move Sysmon's process and registry fields into ECS.
 */
import type { EcsLayout } from '../../../adapters/elastic/field-map';
import { isCloudSignIn } from '../../../core/events/windows-event';

type Doc = Record<string, unknown>;

const HEADER = new Set(['TimeCreated', 'Computer', 'Channel', 'Provider', 'EventID', 'EventRecordID', 'UserID']);
const SYSMON = 'microsoft-windows-sysmon/operational';
/** Events whose data Windows writes as UserData, which Winlogbeat keeps under winlog.user_data. */
const USER_DATA: Readonly<Record<string, Readonly<Record<number, string>>>> = { security: { 1102: 'LogFileCleared' }, system: { 104: 'ClearEventLogSucceeded' } };

/** The data stream (Agent) or index (Winlogbeat) a Windows channel's events land in. */
export function indexFor(record: Doc, layout: EcsLayout): string {
  if (record['EventID'] === undefined) {
    return isCloudSignIn(record) ? 'logs-azure.signinlogs-default' : 'logs-azure.auditlogs-default';
  }
  if (layout === 'winlogbeat') return 'winlogbeat-7.17.0';
  const channel = String(record['Channel'] ?? '').toLowerCase();
  if (channel === 'security') return 'logs-system.security-default';
  if (channel === 'system') return 'logs-system.system-default';
  if (channel === SYSMON) return 'logs-windows.sysmon_operational-default';
  return 'logs-windows.forwarded-default';
}

export function toEcs(record: Doc, layout: EcsLayout, ingested: string): Doc {
  if (record['EventID'] === undefined) return isCloudSignIn(record) ? signInDoc(record, ingested) : auditDoc(record, ingested);
  return windowsDoc(record, layout, ingested);
}

function windowsDoc(r: Doc, layout: EcsLayout, ingested: string): Doc {
  const channel = String(r['Channel'] ?? '');
  const lc = channel.toLowerCase();
  const id = Number(r['EventID']);
  const winlog: Doc = {
    channel,
    computer_name: r['Computer'],
    provider_name: r['Provider'],
    event_id: layout === 'agent' ? String(r['EventID']) : id,
    api: 'wineventlog',
  };
  if (r['EventRecordID'] !== null && r['EventRecordID'] !== undefined) winlog['record_id'] = layout === 'agent' ? String(r['EventRecordID']) : Number(r['EventRecordID']);
  if (r['UserID'] !== undefined) winlog['user'] = { identifier: r['UserID'] };
  const doc: Doc = {
    '@timestamp': r['TimeCreated'],
    event: { code: layout === 'agent' ? String(r['EventID']) : id, ingested, kind: 'event', provider: r['Provider'], created: ingested },
    host: { name: r['Computer'] },
    winlog,
  };
  if (layout === 'agent') {
    const dataset = indexFor(r, layout).replace(/^logs-/, '').replace(/-default$/, '');
    doc['data_stream'] = { type: 'logs', dataset, namespace: 'default' };
  } else doc['agent'] = { type: 'winlogbeat', version: '7.17.0' };
  const data: Doc = {};
  const userDataName = USER_DATA[lc]?.[id];
  const userData: Doc = userDataName ? { xml_name: userDataName } : {};
  for (const [k, v] of Object.entries(r)) {
    if (HEADER.has(k) || v === undefined || v === null) continue;
    const eventData = /^EventData_(.+)$/.exec(k);
    if (eventData) {
      userData[eventData[1] as string] = v;
      continue;
    }
    const param = /^Data_(\d+)$/.exec(k);
    const name = param ? `param${param[1]}` : k;
    if (userDataName) userData[name] = v;
    else data[name] = v;
  }
  if (lc === SYSMON) sysmon(data, doc);
  else if (lc === 'security' && layout === 'winlogbeat') winlogbeat7Security(id, data, doc);
  for (const field of ['AccessMask', 'PrivilegeList']) {
    const v = data[field];
    if (typeof v === 'string' && (layout === 'agent' || field === 'PrivilegeList')) data[field] = v.trim().split(/\s+/);
  }
  if (Object.keys(data).length) winlog['event_data'] = data;
  if (Object.keys(userData).length) winlog['user_data'] = userData;
  return doc;
}

function put(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Doc;
  cur[parts[parts.length - 1] as string] = value;
}

function move(data: Doc, doc: Doc, field: string, path: string, convert: (v: string) => unknown = (v) => v): void {
  const v = data[field];
  if (typeof v !== 'string' || v === '') return;
  const converted = convert(v);
  if (converted === undefined) return;
  put(doc, path, converted);
  delete data[field];
}

/** The sysmon_operational pipeline's renames (and its removal of the split `User`). */
function sysmon(data: Doc, doc: Doc): void {
  const decimal = (v: string): number | undefined => (/^\d+$/.test(v.trim()) ? Number(v) : undefined);
  move(data, doc, 'Image', 'process.executable');
  move(data, doc, 'CommandLine', 'process.command_line');
  move(data, doc, 'ParentImage', 'process.parent.executable');
  move(data, doc, 'ParentCommandLine', 'process.parent.command_line');
  move(data, doc, 'ProcessGuid', 'process.entity_id');
  move(data, doc, 'ParentProcessGuid', 'process.parent.entity_id');
  move(data, doc, 'CurrentDirectory', 'process.working_directory');
  move(data, doc, 'TargetObject', 'registry.path');
  move(data, doc, 'RuleName', 'rule.name');
  move(data, doc, 'ProcessId', 'process.pid', decimal);
  move(data, doc, 'ParentProcessId', 'process.parent.pid', decimal);
  const user = data['User'];
  if (typeof user === 'string') {
    const parts = user.split('\\');
    if (parts.length === 2) {
      put(doc, 'user.domain', parts[0]);
      put(doc, 'user.name', parts[1]);
    }
    delete data['User'];
  }
}

/** winlogbeat-security.js: renameCommonAuthFields, renameNewProcessFields, the UAC split. */
function winlogbeat7Security(id: number, data: Doc, doc: Doc): void {
  // Convert with type ip/long and fail_on_error: false leaves a value that does not convert in place.
  const ip = (v: string): string | undefined => (/^[0-9a-f:.]+$/i.test(v) && (v.includes('.') || v.includes(':')) ? v : undefined);
  const long = (v: string): number | undefined => (/^(0x[0-9a-f]+|\d+)$/i.test(v.trim()) ? Number(v.trim()) : undefined);
  if ([4624, 4625, 4634, 4647, 4648].includes(id)) {
    move(data, doc, 'IpAddress', 'source.ip', ip);
    move(data, doc, 'IpPort', 'source.port', long);
    move(data, doc, 'WorkstationName', 'source.domain');
    move(data, doc, 'ProcessName', 'process.executable');
    move(data, doc, 'ProcessId', 'process.pid', long);
  }
  if (id === 4688) {
    move(data, doc, 'NewProcessName', 'process.executable');
    move(data, doc, 'NewProcessId', 'process.pid', long);
    move(data, doc, 'ParentProcessName', 'process.parent.executable');
  }
  const uac = data['UserAccountControl'];
  if (data['NewUacValue'] !== undefined && typeof uac === 'string') data['UserAccountControl'] = uac.replace(/\s/g, '').split('%%').filter(Boolean);
}

// ——— Entra ———

function obj(v: unknown): Doc {
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Doc) : {};
    } catch {
      return {};
    }
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {};
}

function list(v: unknown): Doc[] {
  const parsed = typeof v === 'string' ? (() => { try { return JSON.parse(v) as unknown; } catch { return undefined; } })() : v;
  return Array.isArray(parsed) ? parsed.map(obj) : [];
}

function clean(o: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** A SigninLogs row as the azure integration's signinlogs data stream writes it (snake case under azure.signinlogs). */
function signInDoc(r: Doc, ingested: string): Doc {
  const status = obj(r['Status']);
  const mfa = obj(r['MfaDetail']);
  const loc = obj(r['LocationDetails']);
  const geo = obj(loc['geoCoordinates']);
  const device = obj(r['DeviceDetail']);
  const resultType = r['ResultType'] ?? status['errorCode'];
  const properties = clean({
    user_principal_name: r['UserPrincipalName'],
    user_id: r['UserId'],
    ip_address: r['IPAddress'],
    app_display_name: r['AppDisplayName'],
    correlation_id: r['CorrelationId'],
    id: r['Id'],
    created_at: r['CreatedDateTime'],
    authentication_requirement: r['AuthenticationRequirement'],
    conditional_access_status: r['ConditionalAccessStatus'],
    client_app_used: r['ClientAppUsed'],
    status: clean({ error_code: resultType === undefined ? undefined : Number(resultType), failure_reason: status['failureReason'], additional_details: status['additionalDetails'] }),
    mfa_detail: Object.keys(mfa).length ? clean({ auth_method: mfa['authMethod'], auth_detail: mfa['authDetail'] }) : undefined,
    authentication_details: r['AuthenticationDetails'] === undefined ? undefined : list(r['AuthenticationDetails']).map((d) => clean({
      authentication_method: d['authenticationMethod'], authentication_step_result_detail: d['authenticationStepResultDetail'], succeeded: d['succeeded'], authentication_step_date_time: d['authenticationStepDateTime'],
    })),
    device_detail: Object.keys(device).length ? clean({
      device_id: device['deviceId'], display_name: device['displayName'], operating_system: device['operatingSystem'], browser: device['browser'],
      trust_type: device['trustType'], is_compliant: device['isCompliant'], is_managed: device['isManaged'],
    }) : undefined,
  });
  return clean({
    '@timestamp': r['TimeGenerated'] ?? r['CreatedDateTime'],
    event: { ingested, kind: 'event', category: ['authentication'], action: 'Sign-in activity' },
    data_stream: { type: 'logs', dataset: 'azure.signinlogs', namespace: 'default' },
    source: clean({ ip: r['IPAddress'], as: r['AutonomousSystemNumber'] === undefined ? undefined : { number: Number(r['AutonomousSystemNumber']) } }),
    geo: Object.keys(loc).length ? clean({
      city_name: loc['city'], region_name: loc['state'], country_iso_code: loc['countryOrRegion'],
      location: geo['latitude'] !== undefined && geo['longitude'] !== undefined ? { lat: geo['latitude'], lon: geo['longitude'] } : undefined,
    }) : undefined,
    azure: {
      correlation_id: r['CorrelationId'],
      signinlogs: clean({ category: r['Category'] ?? 'SignInLogs', result_type: resultType === undefined ? undefined : String(resultType), result_description: r['ResultDescription'], properties }),
    },
  });
}

/** An AuditLogs row as the auditlogs data stream writes it: target_resources keyed "0", "1", … in snake case. */
function auditDoc(r: Doc, ingested: string): Doc {
  const keyed = <T>(items: readonly T[], f: (x: T) => Doc): Doc => Object.fromEntries(items.map((x, i) => [String(i), f(x)]));
  const targets = keyed(list(r['TargetResources']), (t) => clean({
    id: t['id'], display_name: t['displayName'], user_principal_name: t['userPrincipalName'], type: t['type'],
    modified_properties: keyed(list(t['modifiedProperties']), (p) => clean({ display_name: p['displayName'], old_value: p['oldValue'], new_value: p['newValue'] })),
  }));
  return clean({
    '@timestamp': r['TimeGenerated'] ?? r['ActivityDateTime'],
    event: clean({ ingested, kind: 'event', action: r['OperationName'], outcome: r['Result'] }),
    data_stream: { type: 'logs', dataset: 'azure.auditlogs', namespace: 'default' },
    azure: {
      correlation_id: r['CorrelationId'],
      auditlogs: {
        operation_name: r['OperationName'],
        category: 'AuditLogs',
        properties: clean({
          activity_datetime: r['ActivityDateTime'], result: r['Result'], id: r['Id'], correlation_id: r['CorrelationId'], category: r['Category'],
          initiated_by: obj(r['InitiatedBy']), target_resources: targets,
        }),
      },
    },
  });
}
