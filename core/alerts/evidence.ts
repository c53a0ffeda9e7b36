import type { EventOrigin } from '../events/identity-event';

/** Just the origin of an event, for evidence lists kept in state (small, JSON-serialisable). */
export function originOf(e: EventOrigin): EventOrigin {
  return { time: e.time, host: e.host, eventId: e.eventId, recordId: e.recordId };
}

/** `7 s`, `12 min`, `1.5 h`: how long an activity took, for descriptions. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  return ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`;
}
