import { integer, text, timestamp } from './fields';
import type { EventOrigin } from './identity-event';
import type { Builder } from './draft';
import { normalizeCloud } from './normalize-cloud';
import type { EventFilter, NormalizeResult } from './normalize-result';
import { boundedJson } from './bounded-text';
import { securityLogCleared, systemLogCleared } from './normalize-eventlog';
import { NETLOGON_BUILDERS } from './normalize-netlogon';
import { KERBEROS_BUILDERS } from './normalize-kerberos';
import { LOGON_BUILDERS } from './normalize-logon';
import { ACCOUNT_BUILDERS } from './normalize-accounts';
import { DIRECTORY_BUILDERS } from './normalize-directory';
import { EXECUTION_BUILDERS, SERVICE_BUILDERS, SYSMON_PROCESS_BUILDERS } from './normalize-execution';
import { SHARE_BUILDERS } from './normalize-shares';
import { registryValueModified, sysmonRegistryValueSet } from './normalize-registry';

/**
 * Canonical raw record → typed IdentityEvent. A record is *malformed* when it is not a
 * canonical event at all (not an object, no usable time, an EventID that is not a Windows
 * event id); a valid event that no detector models is *unmodelled* and simply not used.
 */
export type { EventFilter, NormalizeResult } from './normalize-result';

export const acceptAll: EventFilter = () => true;

export function normalize(record: unknown, wanted: EventFilter = acceptAll): NormalizeResult {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return malformed(`expected a JSON object, got ${describe(record)}`);
  }
  const r = record as Record<string, unknown>;
  return normalizeCloud(r, wanted) ?? normalizeWindows(r, wanted);
}

function normalizeWindows(r: Record<string, unknown>, wanted: EventFilter): NormalizeResult {
  const eventId = integer(r['EventID']);
  if (eventId === undefined) return malformed(`EventID ${describe(r['EventID'])} is not a number`);
  // Windows event ids are 16-bit; anything else is not an event id (it is often a record id or junk).
  if (eventId < 0 || eventId > 65535) return malformed(`EventID ${eventId} is outside 0-65535`);
  // Some exporters drop Channel (seen: NXLog records with `"Channel": null`). Security and
  // System event ids do not overlap each other or Sysmon's, so the id says which log it was.
  const channel = channelOf(r['Channel']) ?? (SECURITY[eventId] ? 'security' : SYSTEM[eventId] ? 'system' : 'unknown');
  const time = timestamp(r['TimeCreated']);
  if (time === undefined) return malformed(`TimeCreated ${describe(r['TimeCreated'])} is not a timestamp`);
  const computer = text(r['Computer']);
  if (computer === undefined) return malformed('missing Computer');
  const build = channel === 'security' ? SECURITY[eventId] : channel === 'system' ? SYSTEM[eventId] : channel === SYSMON_CHANNEL ? SYSMON[eventId] : undefined;
  if (build === undefined || !wanted(channel, eventId)) return { status: 'unmodelled', channel, eventId };
  const origin: EventOrigin = { time, host: computer, eventId, recordId: integer(r['EventRecordID']) ?? null };
  const event = build(r, origin);
  if (event === null) return { status: 'unmodelled', channel, eventId };
  if (typeof event === 'string') return malformed(`${eventId}: ${event}`);
  return { status: 'event', event };
}

const SECURITY: Record<number, Builder> = {
  1102: securityLogCleared,
  4657: registryValueModified,
  ...KERBEROS_BUILDERS,
  ...LOGON_BUILDERS,
  ...ACCOUNT_BUILDERS,
  ...DIRECTORY_BUILDERS,
  ...EXECUTION_BUILDERS,
  ...SHARE_BUILDERS,
};

const SYSTEM: Record<number, Builder> = {
  104: systemLogCleared,
  ...NETLOGON_BUILDERS,
  ...SERVICE_BUILDERS,
};

const SYSMON_CHANNEL = 'microsoft-windows-sysmon/operational';

const SYSMON: Record<number, Builder> = {
  ...SYSMON_PROCESS_BUILDERS,
  13: sysmonRegistryValueSet,
};

/** The channel lower case; the usual ones without building a lower-case copy per event. */
function channelOf(value: unknown): string | undefined {
  if (value === 'Security') return 'security';
  if (value === 'Microsoft-Windows-Sysmon/Operational') return SYSMON_CHANNEL;
  if (value === 'System') return 'system';
  return text(value)?.toLowerCase();
}

function malformed(reason: string): NormalizeResult {
  return { status: 'malformed', reason };
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  // Bounded and non-recursive: the value is attacker-shaped (issue 12, item 12: `[object Object]`).
  if (typeof v === 'object') return boundedJson(v, 60);
  return `${typeof v} ${String(v)}`;
}

/** The Security/System EventIDs the normaliser models, for declarations and tests. */
export const MODELLED_EVENT_IDS = {
  security: Object.keys(SECURITY).map(Number),
  system: Object.keys(SYSTEM).map(Number),
  sysmon: Object.keys(SYSMON).map(Number),
} as const;
