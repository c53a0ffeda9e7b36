import type { CloudSignIn, EntraAuditRecord, WindowsEvent } from '../../core/events/windows-event';
import { EVENT_BAG_COLUMN, EVENT_XML_COLUMN, INGESTED_COLUMN, TABLE_COLUMN } from './pull-query';
import { columnType, SECURITY_EVENT_DATA_NAMES, type TableName } from './tables';

/**
 * Rows of the pull queries (pull-query.ts) → the canonical raw shapes (DESIGN §4). The only
 * place that knows how each Sentinel table holds a Windows event or an Entra record:
 * - SecurityEvent: the System fields as columns (`EventSourceName` is the provider), every
 *   EventData item in the `EventData` XML (`<EventData><Data Name="X">v</Data>…`, or the
 *   `<UserData>` element of events such as 1102), typed columns where the XML lacks an item;
 *   the table keeps no record number.
 * - WindowsEvent: the System fields as columns (`SystemUserId` is the System block's user),
 *   EventData as a dynamic bag, the record number out of `RawEventData` (the query extracts it).
 * - SigninLogs / AADNonInteractiveUserSignInLogs / AuditLogs: the canonical cloud records are
 *   these tables' own columns (core/events/windows-event.ts), so only types change: datetimes to
 *   ISO text, empty strings dropped.
 */
export type Row = Readonly<Record<string, unknown>>;

export type Mapped =
  | { readonly ok: true; readonly value: WindowsEvent | CloudSignIn | EntraAuditRecord }
  | { readonly ok: false; readonly reason: string };

/** System fields of the canonical event: an EventData item of the same name is kept as `EventData_<name>`. */
const SYSTEM_FIELDS = new Set(['TimeCreated', 'Computer', 'Channel', 'Provider', 'EventID', 'EventRecordID', 'UserID']);

export function canonicalDataName(name: string): string {
  return SYSTEM_FIELDS.has(name) ? `EventData_${name}` : name;
}

export function toCanonical(row: Row): Mapped {
  const table = row[TABLE_COLUMN];
  switch (table) {
    case 'SecurityEvent': return securityEvent(row);
    case 'WindowsEvent': return windowsEvent(row);
    case 'SigninLogs': case 'AADNonInteractiveUserSignInLogs': return signIn(row, table);
    case 'AuditLogs': return audit(row);
    default: return { ok: false, reason: `row from ${JSON.stringify(table ?? null)}, not a table tierzero maps` };
  }
}

function header(row: Row, time: unknown, provider: unknown, channel: string | undefined): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const ms = time instanceof Date ? time.getTime() : Date.parse(String(time ?? ''));
  if (!Number.isFinite(ms)) return { ok: false, reason: `no usable time (TimeGenerated ${JSON.stringify(row['TimeGenerated'] ?? null)})` };
  const id = row['EventID'];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 65535) return { ok: false, reason: `EventID ${JSON.stringify(id ?? null)} is not a Windows event id` };
  const out: Record<string, unknown> = {
    TimeCreated: new Date(ms).toISOString(),
    Computer: text(row['Computer']) ?? '',
    Channel: channel ?? '',
    EventID: id,
  };
  const p = text(provider);
  if (p !== undefined) out['Provider'] = p;
  return { ok: true, value: out };
}

function securityEvent(row: Row): Mapped {
  // The table is the Security log; older agents leave Channel empty.
  const head = header(row, row['TimeGenerated'], row['EventSourceName'], text(row['Channel']) ?? 'Security');
  if (!head.ok) return head;
  const out = head.value;
  out['EventRecordID'] = null;
  const xml = row[EVENT_XML_COLUMN];
  const items = typeof xml === 'string' && xml.trim() !== '' ? parseEventDataXml(xml) : undefined;
  if (items === null) return { ok: false, reason: 'SecurityEvent EventData is not the event\'s EventData XML' };
  for (const [k, v] of items ?? []) out[canonicalDataName(k)] = v;
  for (const [k, v] of Object.entries(row)) {
    if (!SECURITY_EVENT_DATA_NAMES.has(k) || k in out || v === null || v === undefined || v === '') continue;
    out[k] = typeof v === 'string' ? v : String(v);
  }
  return { ok: true, value: out as WindowsEvent };
}

function windowsEvent(row: Row): Mapped {
  const head = header(row, row['TimeCreated'] ?? row['TimeGenerated'], row['Provider'], text(row['Channel']));
  if (!head.ok) return head;
  const out = head.value;
  const rid = text(row['EventRecordID']);
  out['EventRecordID'] = rid !== undefined && /^\d+$/.test(rid) ? Number(rid) : null;
  const user = text(row['SystemUserId']);
  if (user !== undefined) out['UserID'] = user;
  const bag = row[EVENT_BAG_COLUMN];
  if (bag !== null && bag !== undefined && (typeof bag !== 'object' || Array.isArray(bag))) return { ok: false, reason: 'WindowsEvent EventData is not a property bag' };
  for (const [k, v] of Object.entries((bag ?? {}) as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    out[canonicalDataName(k)] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return { ok: true, value: out as WindowsEvent };
}

function signIn(row: Row, table: TableName): Mapped {
  const out = cloudColumns(row, table);
  if (typeof out['UserPrincipalName'] !== 'string') return { ok: false, reason: `${table} row without UserPrincipalName` };
  if (typeof out['TimeGenerated'] !== 'string') return { ok: false, reason: `${table} row without a usable TimeGenerated` };
  return { ok: true, value: out as CloudSignIn };
}

function audit(row: Row): Mapped {
  const out = cloudColumns(row, 'AuditLogs');
  if (typeof out['OperationName'] !== 'string') return { ok: false, reason: 'AuditLogs row without OperationName' };
  if (typeof out['TimeGenerated'] !== 'string') return { ok: false, reason: 'AuditLogs row without a usable TimeGenerated' };
  // Always present, so the core recognises the record and reports a missing target itself.
  if (out['TargetResources'] === undefined) out['TargetResources'] = [];
  return { ok: true, value: out as EntraAuditRecord };
}

function cloudColumns(row: Row, table: TableName): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === TABLE_COLUMN || k === INGESTED_COLUMN || k === '_ItemId' || v === null || v === undefined || v === '') continue;
    if (columnType(table, k) === undefined) continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

/**
 * The items of an event's EventData XML, in document order: `<Data Name="X">v</Data>` (empty
 * `<Data Name="X"/>` is the empty string), and for UserData events each leaf element of the
 * UserData payload by its tag. Unnamed `<Data>` items are numbered as the canonical export
 * numbers them (`Data_1`, …). Null when the text is no such document.
 */
export function parseEventDataXml(xml: string): Map<string, string> | null {
  const out = new Map<string, string>();
  const s = xml.trim();
  if (!s.startsWith('<')) return null;
  if (/^<(?:\w+:)?UserData\b/.test(s)) {
    const leaf = /<((?:\w+:)?\w+)(?:\s[^>]*)?>([^<]*)<\/\1>|<((?:\w+:)?\w+)(?:\s[^>]*)?\/>/g;
    for (let m = leaf.exec(s); m; m = leaf.exec(s)) {
      const tag = (m[1] ?? m[3] ?? '').replace(/^\w+:/, '');
      if (tag === 'UserData') continue;
      out.set(tag, m[1] !== undefined ? unescapeXml(m[2] ?? '') : '');
    }
    return out;
  }
  const data = /<Data(?:\s+Name\s*=\s*(["'])(.*?)\1)?\s*(?:\/>|>([\s\S]*?)<\/Data>)/g;
  let unnamed = 0;
  for (let m = data.exec(s); m; m = data.exec(s)) {
    const name = m[2] !== undefined ? unescapeXml(m[2]) : `Data_${++unnamed}`;
    out.set(name, m[3] !== undefined ? unescapeXml(m[3]) : '');
  }
  return out;
}

export function unescapeXml(v: string): string {
  return v.replace(/&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g, (_, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
    if (dec) return String.fromCodePoint(Number(dec));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[named as string] as string;
  });
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = typeof v === 'string' ? v : String(v);
  return s === '' ? undefined : s;
}
