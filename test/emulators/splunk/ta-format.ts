import { CLASSIC_LAYOUTS, CLASSIC_SYSTEM_LAYOUTS, INSERTION_STRINGS, type ClassicLayout } from '../../../adapters/splunk/classic-layouts';
import { taFieldName } from '../../../adapters/splunk/field-map';
import { flattenJson, type NewEvent } from './event-store';
import type { FieldValue } from './spl-eval';

/**
 * The reverse of adapters/splunk/field-map.ts, for tests: canonical events (the dev datasets'
 * shape) as the Splunk Add-on for Windows would index them, so the same data can be loaded
 * into the emulator and pulled back through the adapter.
 * - XmlWinEventLog (`renderXml = true`): System fields by their XML names, EventCode, and
 *   every EventData item under its own name.
 * - WinEventLog (classic): header keys (LogName, ComputerName, RecordNumber, …), the rendered
 *   `Message`, and the TA's "Label: value" extractions (`Account_Name` with one value per
 *   occurrence, in message order). Time has whole seconds, as the classic header does.
 */
const HEADER = new Set(['TimeCreated', 'Computer', 'Channel', 'Provider', 'EventID', 'EventRecordID', 'UserID']);

export interface Placement {
  readonly index: string;
  /** Epoch seconds. */
  readonly indexTime: number;
}

export function asXmlWinEventLog(ev: Record<string, unknown>, p: Placement): NewEvent {
  const time = Date.parse(String(ev['TimeCreated']));
  const channel = String(ev['Channel'] ?? 'Security');
  const fields: Record<string, FieldValue> = {
    EventCode: String(ev['EventID']),
    EventID: String(ev['EventID']),
    Computer: String(ev['Computer']),
    Channel: channel,
    // Windows writes 100 ns precision: `2019-05-08T02:10:43.4870000Z`.
    SystemTime: `${new Date(time).toISOString().slice(0, -1)}0000Z`,
    ...(ev['EventRecordID'] !== null && ev['EventRecordID'] !== undefined ? { EventRecordID: String(ev['EventRecordID']) } : {}),
    ...(ev['UserID'] !== undefined ? { UserID: String(ev['UserID']) } : {}),
    ...(ev['Provider'] !== undefined ? { Name: String(ev['Provider']) } : {}),
  };
  for (const [k, v] of Object.entries(ev)) if (!HEADER.has(k) && v !== undefined && v !== null) fields[k] = String(v);
  return {
    index: p.index, sourcetype: 'XmlWinEventLog', source: `XmlWinEventLog:${channel}`, host: String(ev['Computer']),
    time, indexTime: p.indexTime, fields, raw: `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>${String(ev['EventID'])}</EventID></System></Event>`,
  };
}

export function asWinEventLog(ev: Record<string, unknown>, p: Placement): NewEvent {
  const time = Math.floor(Date.parse(String(ev['TimeCreated'])) / 1000) * 1000;
  const channel = String(ev['Channel'] ?? 'Security');
  const eventId = Number(ev['EventID']);
  const layout = (channel.toLowerCase() === 'security' ? CLASSIC_LAYOUTS : channel.toLowerCase() === 'system' ? CLASSIC_SYSTEM_LAYOUTS : {})[eventId];
  const fields: Record<string, FieldValue> = {
    LogName: channel,
    EventCode: String(eventId),
    EventType: '0',
    ComputerName: String(ev['Computer']),
    SourceName: String(ev['Provider'] ?? 'Microsoft Windows security auditing.'),
    Type: 'Information',
    ...(ev['EventRecordID'] !== null && ev['EventRecordID'] !== undefined ? { RecordNumber: String(ev['EventRecordID']) } : {}),
    ...(ev['UserID'] !== undefined ? { Sid: String(ev['UserID']), SidType: '1' } : {}),
  };
  if (layout) {
    fields['Message'] = renderMessage(ev, layout);
    for (const [name, values] of labelFields(ev, layout)) fields[name] = values.length === 1 ? (values[0] as string) : values;
  } else {
    // Events without a message template in the table (Sysmon): "Name: value" lines, extracted under their own names.
    for (const [k, v] of Object.entries(ev)) if (!HEADER.has(k) && v !== undefined && v !== null) fields[k] = String(v);
  }
  return { index: p.index, sourcetype: 'WinEventLog', source: `WinEventLog:${channel}`, host: String(ev['Computer']), time, indexTime: p.indexTime, fields };
}

/** The Entra sign-in as the Event Hub input of the Microsoft Cloud Services add-on indexes it. */
export function asAzureMonitorAad(s: Record<string, unknown>, p: Placement): NewEvent {
  const time = Date.parse(String(s['TimeGenerated']));
  const loc = (s['LocationDetails'] ?? {}) as Record<string, unknown>;
  const geo = (loc['geoCoordinates'] ?? {}) as Record<string, unknown>;
  const dev = (s['DeviceDetail'] ?? {}) as Record<string, unknown>;
  const status = (s['Status'] ?? {}) as Record<string, unknown>;
  const mfa = (s['MfaDetail'] ?? {}) as Record<string, unknown>;
  const props: Record<string, unknown> = {
    id: s['Id'], createdDateTime: s['TimeGenerated'], userPrincipalName: s['UserPrincipalName'], userId: s['UserId'],
    ipAddress: s['IPAddress'], appDisplayName: s['AppDisplayName'], correlationId: s['CorrelationId'],
    'status.errorCode': s['ResultType'], 'status.failureReason': s['ResultDescription'], autonomousSystemNumber: s['AutonomousSystemNumber'],
    'status.additionalDetails': status['additionalDetails'], clientAppUsed: s['ClientAppUsed'],
    'mfaDetail.authMethod': mfa['authMethod'], 'mfaDetail.authDetail': mfa['authDetail'],
    'location.city': loc['city'], 'location.countryOrRegion': loc['countryOrRegion'],
    'location.geoCoordinates.latitude': geo['latitude'], 'location.geoCoordinates.longitude': geo['longitude'],
    'deviceDetail.deviceId': dev['deviceId'], 'deviceDetail.operatingSystem': dev['operatingSystem'],
  };
  const fields: Record<string, FieldValue> = { category: String(s['Category'] ?? 'SignInLogs'), operationName: 'Sign-in activity', time: String(s['TimeGenerated']) };
  for (const [k, v] of Object.entries(props)) if (v !== undefined && v !== null) fields[`properties.${k}`] = String(v);
  return { index: p.index, sourcetype: 'azure:monitor:aad', source: 'eventhub://tenant.servicebus.windows.net/insights-logs-signinlogs', host: 'eventhub', time, indexTime: p.indexTime, fields };
}

/**
 * An Entra audit record (AuditLogs columns) as the Event Hub input indexes it: Azure Monitor's
 * envelope around the Graph `directoryAudit` under `properties`, as `_raw`, with the fields
 * KV_MODE=json extracts from it (`properties.targetResources{}.userPrincipalName`, …).
 */
export function asAzureMonitorAadAudit(a: Record<string, unknown>, p: Placement): NewEvent {
  const time = Date.parse(String(a['TimeGenerated']));
  const json = (v: unknown): unknown => (typeof v === 'string' && /^\s*[[{]/.test(v) ? JSON.parse(v) : v);
  const properties = {
    id: a['Id'], category: a['Category'] ?? 'UserManagement', correlationId: a['CorrelationId'], result: a['Result'] ?? 'success',
    activityDisplayName: a['OperationName'], activityDateTime: a['ActivityDateTime'] ?? a['TimeGenerated'], loggedByService: 'Core Directory',
    initiatedBy: json(a['InitiatedBy']), targetResources: json(a['TargetResources']),
  };
  const envelope = {
    time: a['TimeGenerated'], resourceId: '/tenants/00000000-0000-0000-0000-000000000000/providers/Microsoft.aadiam', operationName: a['OperationName'],
    operationVersion: '1.0', category: 'AuditLogs', resultSignature: 'None', correlationId: a['CorrelationId'], level: 'Informational', properties,
  };
  const fields: Record<string, FieldValue> = { ...flattenJson(envelope) };
  return { index: p.index, sourcetype: 'azure:monitor:aad', source: 'eventhub://tenant.servicebus.windows.net/insights-logs-auditlogs', host: 'eventhub', time, indexTime: p.indexTime, fields, raw: JSON.stringify(envelope) };
}

function value(ev: Record<string, unknown>, field: string): string {
  const v = ev[field];
  if (v === undefined || v === null || v === '') return '-';
  let s = String(v);
  for (const [code, text] of Object.entries(INSERTION_STRINGS)) s = s.split(code).join(text);
  return s;
}

export function renderMessage(ev: Record<string, unknown>, layout: ClassicLayout): string {
  const lines = [layout.message, ''];
  for (const sec of layout.sections) {
    if (sec.title) lines.push(`${sec.title}:`);
    for (const it of sec.items) lines.push(`${sec.title ? '\t' : ''}${it.label}:\t\t${value(ev, it.field)}`);
    lines.push('');
  }
  return lines.join('\r\n');
}

function labelFields(ev: Record<string, unknown>, layout: ClassicLayout): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const sec of layout.sections) {
    for (const it of sec.items) {
      const name = taFieldName(it.label);
      // Auto-KV keeps a value's first line only.
      out.set(name, [...(out.get(name) ?? []), value(ev, it.field).split(/\r?\n/)[0] as string]);
    }
  }
  return out;
}
