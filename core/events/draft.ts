import { account, type Account } from './fields';
import type { EventOrigin, IdentityEvent } from './identity-event';

/**
 * What every Windows event builder shares. A builder returns the event, a reason the record is
 * malformed, or `null` when the record is another provider's event under the same id (System
 * 104 is written by several providers; only the Eventlog one is a log clear).
 */
export type Builder = (r: Record<string, unknown>, o: EventOrigin) => IdentityEvent | string | null;

/**
 * Optional fields are assigned one by one rather than spread from `{[key]: value}` pieces:
 * computed-key spreads cost ~10x and leave the event in V8's slow dictionary mode, which every
 * detector then pays for on every property read.
 */
export type Draft = Record<string, unknown>;

export function put(target: Draft, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

export function origin(o: EventOrigin, kind: IdentityEvent['kind']): Draft {
  return { time: o.time, host: o.host, eventId: o.eventId, recordId: o.recordId, kind };
}

/** The draft has the shape of its kind by construction in its builder; this is the one cast. */
export function done(e: Draft): IdentityEvent {
  return e as unknown as IdentityEvent;
}

export const subject = (r: Record<string, unknown>): Account | undefined =>
  account(r['SubjectUserName'], r['SubjectDomainName'], r['SubjectUserSid']);

/**
 * Whether the record comes from `provider`. A record without a `Provider` (some exporters drop
 * it) is given the benefit of the doubt here; the builder then checks the event's own shape.
 */
export function fromProvider(r: Record<string, unknown>, ...providers: string[]): boolean | undefined {
  const p = r['Provider'];
  if (typeof p !== 'string' || p.trim() === '') return undefined;
  const name = p.trim().toLowerCase();
  return providers.some((x) => x.toLowerCase() === name);
}

/**
 * The insertion strings of an event whose EventData items have no names (classic providers such
 * as NETLOGON): `Data_1`, `Data_2`… or one `Data` holding `<string>…</string>` elements, or
 * `param1`, `param2`… as some forwarders write them.
 */
const MAX_INSERTION_STRINGS = 16;

export function insertionStrings(r: Record<string, unknown>): string[] {
  const one = r['Data'];
  if (typeof one === 'string') {
    const tagged = [...one.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => (m[1] ?? '').trim());
    return tagged.length ? tagged : [one.trim()];
  }
  const out: string[] = [];
  for (const prefix of ['Data_', 'param']) {
    for (let i = 1; i <= MAX_INSERTION_STRINGS && typeof r[`${prefix}${i}`] === 'string'; i++) out.push(String(r[`${prefix}${i}`]).trim());
    if (out.length) return out;
  }
  return out;
}

/** The account an event is about (Target*), as most Security events name it. */
export const target = (r: Record<string, unknown>): Account | undefined =>
  account(r['TargetUserName'], r['TargetDomainName'], r['TargetUserSid'] ?? r['TargetSid']);
