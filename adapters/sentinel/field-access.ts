import { kqlName, kqlString, type FieldAccess, type FieldExpr } from './kql';
import { columnType, type TableName } from './tables';

/**
 * How each table holds a canonical field (core/events/windows-event.ts names), as the KQL
 * string expression `compilePredicate` (kql.ts) compares — for pull push-down and for the
 * native analytic rules alike.
 */

/** The System-block fields of the canonical Windows event, and where each table keeps them. */
const SECURITY_EVENT_HEADER: Readonly<Record<string, string>> = {
  TimeCreated: 'tostring(TimeGenerated)',
  Computer: 'Computer',
  Channel: 'Channel',
  EventID: 'tostring(EventID)',
  Provider: 'EventSourceName',
};

const WINDOWS_EVENT_HEADER: Readonly<Record<string, string>> = {
  TimeCreated: 'tostring(TimeCreated)',
  Computer: 'Computer',
  Channel: 'Channel',
  EventID: 'tostring(EventID)',
  Provider: 'Provider',
  UserID: 'SystemUserId',
  EventRecordID: WINDOWS_EVENT_RECORD_ID(),
};

/** WindowsEvent has no record-number column; the event's XML (`RawEventData`) has `<EventRecordID>`. */
function WINDOWS_EVENT_RECORD_ID(): string {
  return `extract(${kqlString('<EventRecordID>([0-9]+)</EventRecordID>')}, 1, RawEventData)`;
}
export const WINDOWS_EVENT_RECORD_ID_EXPR = WINDOWS_EVENT_RECORD_ID();

/**
 * The canonical flattening renames an EventData item that collides with a System field
 * (`Channel` in System 104 becomes `EventData_Channel`): the row holds it under its own name.
 */
export function eventDataName(field: string): string {
  return field.startsWith('EventData_') ? field.slice('EventData_'.length) : field;
}

/** `<Data Name="X">value</Data>` out of SecurityEvent's `EventData` XML. */
export function securityEventXmlField(field: string): string {
  const name = eventDataName(field);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`${JSON.stringify(field)} is not an EventData name`);
  return `extract(${kqlString(`<Data Name=["']${name}["']>([^<]*)<`)}, 1, EventData)`;
}

/** SecurityEvent: the System fields and typed columns by name, every other EventData item from the XML. */
export const securityEventAccess: FieldAccess = (field) => {
  const header = SECURITY_EVENT_HEADER[field];
  if (header !== undefined) return { expr: header };
  if (field === 'EventRecordID' || field === 'UserID') return undefined;
  return typedColumn('SecurityEvent', field) ?? { expr: securityEventXmlField(field), xml: true };
};

/** WindowsEvent: the System fields as columns, EventData items from the dynamic bag. */
export const windowsEventAccess: FieldAccess = (field) => {
  const header = WINDOWS_EVENT_HEADER[field];
  if (header !== undefined) return { expr: header };
  return { expr: `tostring(EventData${member(eventDataName(field))})` };
};

/** The Entra tables: canonical cloud fields are their column names. */
export function columnAccess(table: TableName): FieldAccess {
  return (field) => typedColumn(table, field);
}

function typedColumn(table: TableName, field: string): FieldExpr | undefined {
  const type = columnType(table, field);
  if (type === undefined) return undefined;
  return { expr: type === 'string' ? kqlName(field) : `tostring(${kqlName(field)})` };
}

/** `.Name`, or `['Name']` where a bare member would not parse. */
function member(name: string): string {
  const n = kqlName(name);
  return n.startsWith('[') ? n : `.${n}`;
}
