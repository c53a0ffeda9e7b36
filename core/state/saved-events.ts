import type { EventOrigin } from '../events/event-origin';
import { asSid, type Account } from '../events/fields';
import type { SavedReader } from './saved-value';

/**
 * Compact codecs for the two event pieces detector state keeps most: an evidence origin as
 * `[time, host, eventId, recordId]` and an account as `[name, domain, sid]` (null for absent),
 * a third of the JSON of the same objects with their field names.
 */
export type SavedOrigin = readonly [number, string, number, number | null];
export type SavedAccount = readonly [string, string | null, string | null];

export function encodeOrigin(o: EventOrigin): SavedOrigin {
  return [o.time, o.host, o.eventId, o.recordId];
}

export function decodeOrigin(v: unknown, read: SavedReader, path: string): EventOrigin {
  const [time, host, eventId, recordId] = read.tuple(v, path, 4);
  return {
    time: read.number(time, `${path}.0`),
    host: read.string(host, `${path}.1`),
    eventId: read.count(eventId, `${path}.2`),
    recordId: recordId === null ? null : read.number(recordId, `${path}.3`),
  };
}

export function encodeAccount(a: Account): SavedAccount {
  return [a.name, a.domain ?? null, a.sid ?? null];
}

export function decodeAccount(v: unknown, read: SavedReader, path: string): Account {
  const [name, domain, sid] = read.tuple(v, path, 3);
  const d = read.optional(domain, `${path}.1`, (x, p) => read.string(x, p));
  const s = read.optional(sid, `${path}.2`, (x, p) => asSid(read.string(x, p)) ?? read.fail(p, 'must be a SID'));
  return { name: read.string(name, `${path}.0`), ...(d !== undefined ? { domain: d } : {}), ...(s !== undefined ? { sid: s } : {}) };
}
