import { xmlEscape } from '../../../adapters/sentinel/kql';
import { columnType } from '../../../adapters/sentinel/tables';

/**
 * The inverse of adapters/sentinel/field-map.ts: a canonical Windows event (the shape of
 * ../shared/datasets) as the row Sentinel's connectors would store it — in `SecurityEvent`
 * (Security log only: typed columns filled and the whole `<EventData>` XML in `EventData`, as the
 * Azure Monitor Agent writes it) or in `WindowsEvent` (any channel: EventData as a dynamic bag,
 * the System block in `RawEventData`). Used by the parity tests and the bench.
 */
export type Canonical = Readonly<Record<string, unknown>>;

const HEADER = new Set(['TimeCreated', 'Computer', 'Channel', 'Provider', 'EventID', 'EventRecordID', 'UserID']);

/** The EventData items of a canonical event: every non-System field; `EventData_X` is item X. */
export function eventDataItems(e: Canonical): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(e)) {
    if (HEADER.has(k) || v === null || v === undefined) continue;
    out.push([k.startsWith('EventData_') ? k.slice('EventData_'.length) : k, typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return out;
}

export function securityEventRow(e: Canonical, itemId?: string): Record<string, unknown> {
  const items = eventDataItems(e);
  const row: Record<string, unknown> = {
    TimeGenerated: String(e['TimeCreated']),
    Computer: e['Computer'] ?? '',
    Channel: 'Security',
    EventSourceName: e['Provider'] ?? 'Microsoft-Windows-Security-Auditing',
    EventID: Number(e['EventID']),
    Activity: `${Number(e['EventID'])}`,
    SourceSystem: 'OpsManager',
    EventData: `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">${items.map(([k, v]) => (v === '' ? `<Data Name="${k}" />` : `<Data Name="${k}">${xmlEscape(v)}</Data>`)).join('')}</EventData>`,
    ...(itemId ? { _ItemId: itemId } : {}),
  };
  for (const [k, v] of items) {
    const type = columnType('SecurityEvent', k);
    if (type === undefined || k in row) continue;
    if (type === 'string') row[k] = v;
    else if ((type === 'int' || type === 'long') && /^-?\d+$/.test(v)) row[k] = Number(v);
    else if (type === 'guid' && /^\{?[0-9a-f-]{36}\}?$/i.test(v)) row[k] = v.replace(/[{}]/g, '');
  }
  return row;
}

export function windowsEventRow(e: Canonical, itemId?: string): Record<string, unknown> {
  const bag = Object.fromEntries(eventDataItems(e));
  const rid = e['EventRecordID'];
  const system = [
    `<Provider Name="${xmlEscape(String(e['Provider'] ?? ''))}" />`,
    `<EventID>${Number(e['EventID'])}</EventID>`,
    `<TimeCreated SystemTime="${xmlEscape(String(e['TimeCreated']))}" />`,
    ...(rid !== null && rid !== undefined ? [`<EventRecordID>${Number(rid)}</EventRecordID>`] : []),
    `<Channel>${xmlEscape(String(e['Channel'] ?? ''))}</Channel>`,
    `<Computer>${xmlEscape(String(e['Computer'] ?? ''))}</Computer>`,
    ...(e['UserID'] !== undefined ? [`<Security UserID="${xmlEscape(String(e['UserID']))}" />`] : ['<Security />']),
  ].join('');
  return {
    TimeGenerated: String(e['TimeCreated']),
    TimeCreated: String(e['TimeCreated']),
    Computer: e['Computer'] ?? '',
    Channel: e['Channel'] ?? null,
    Provider: e['Provider'] ?? '',
    EventID: Number(e['EventID']),
    ...(e['UserID'] !== undefined ? { SystemUserId: e['UserID'] } : {}),
    EventData: bag,
    RawEventData: `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>${system}</System></Event>`,
    ...(itemId ? { _ItemId: itemId } : {}),
  };
}

/** A canonical sign-in as a SigninLogs row (its columns are the canonical names). */
export function signInRow(e: Canonical, table: 'SigninLogs' | 'AADNonInteractiveUserSignInLogs' = 'SigninLogs'): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    const type = columnType(table, k);
    if (type === undefined || v === undefined) continue;
    row[k] = type === 'string' && typeof v === 'object' && v !== null ? JSON.stringify(v) : type === 'string' && typeof v === 'number' ? String(v) : v;
  }
  return row;
}

export function auditRow(e: Canonical): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (columnType('AuditLogs', k) !== undefined && v !== undefined) row[k] = v;
  return row;
}

/** Which table a canonical Windows event lands in, in the "SecurityEvent shape" of a workspace. */
export function securityShapeTable(e: Canonical): 'SecurityEvent' | 'WindowsEvent' {
  return String(e['Channel'] ?? '').toLowerCase() === 'security' ? 'SecurityEvent' : 'WindowsEvent';
}
