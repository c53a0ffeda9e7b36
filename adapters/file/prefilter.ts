import type { EventFilter } from '../../core/events/normalize';

/**
 * Reads `Channel` and `EventID` straight from a line of canonical JSON, without parsing it,
 * so lines no enabled detector needs (Sysmon noise, 5156 …) never pay for `JSON.parse`:
 * the file adapter's version of pushing the query down. Returns `channel:id` when the line
 * can be skipped, undefined when it must be parsed (wanted, or not recognisably an event).
 *
 * Safe because canonical events have no nested `"EventID":` (an EventData item of that name
 * is stored as `EventData_EventID`) and a value containing it would be escaped (`\"EventID\"`).
 */
export function skippable(line: string, wanted: EventFilter): string | undefined {
  // A truncated or garbled line must reach the parser, to be quarantined with its reason.
  if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(lastNonSpace(line)) !== 0x7d) return undefined;
  const id = line.indexOf('"EventID":');
  if (id < 0) return undefined;
  let i = id + 10;
  while (line.charCodeAt(i) === 0x20) i++;
  if (line.charCodeAt(i) === 0x22) i++;
  let eventId = 0;
  let digits = 0;
  for (let c = line.charCodeAt(i); c >= 0x30 && c <= 0x39 && digits < 6; c = line.charCodeAt(++i), digits++) eventId = eventId * 10 + (c - 0x30);
  if (digits === 0 || eventId > 65535) return undefined;
  const ch = line.indexOf('"Channel":"');
  if (ch < 0) return undefined;
  const start = ch + 11;
  const end = line.indexOf('"', start);
  if (end < 0) return undefined;
  const channel = channelAt(line, start, end);
  if (channel.includes('\\')) return undefined;
  if (wanted(channel, eventId)) {
    // Wanted only when a text appears (5140 on print$, Sysmon 13 on one registry value): the
    // necessary condition of the pull plan's `where`, tested on the raw line.
    const needs = wanted.textNeeds?.(channel, eventId);
    return needs === undefined || needs.test(line) ? undefined : `${channel}:${eventId}`;
  }
  return `${channel}:${eventId}`;
}

/** The usual channels without allocating: nearly every line is one of these. */
const COMMON_CHANNELS = ['Security', 'System', 'Microsoft-Windows-Sysmon/Operational', 'security'].map((c) => [c, c.toLowerCase()] as const);

function channelAt(line: string, start: number, end: number): string {
  for (const [raw, lower] of COMMON_CHANNELS) {
    if (end - start === raw.length && line.startsWith(raw, start)) return lower;
  }
  return line.slice(start, end).toLowerCase();
}

function lastNonSpace(s: string): number {
  let i = s.length - 1;
  while (i > 0 && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x0d || s.charCodeAt(i) === 0x09)) i--;
  return i;
}
