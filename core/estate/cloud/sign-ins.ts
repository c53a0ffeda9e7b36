import type { SavedReader } from '../../state/saved-value';
import type { AlertAccount, AlertHost } from '../../alerts/alert';
import type { CloudSignInEvent } from '../../events/identity-event';

/** Helpers the cloud detectors share: entities, duplicate records, and a readable place. */

export function userEntity(ev: CloudSignInEvent, role: AlertAccount['role']): AlertAccount {
  return { name: ev.upn, role };
}

export function sourceEntity(ev: CloudSignInEvent): AlertHost | undefined {
  return ev.ip ? { ip: ev.ip, role: 'source', ...(ev.deviceName ? { name: ev.deviceName } : {}) } : undefined;
}

/** `Paris, FR (AS3215)`: how an analyst reads a sign-in's origin. */
export function placeOf(s: { city?: string; country?: string; asn?: number; ip?: string }): string {
  const where = [s.city, s.country].filter(Boolean).join(', ') || s.ip || 'an unknown place';
  return s.asn !== undefined ? `${where} (AS${s.asn})` : where;
}

/** The identity of one sign-in record: its `Id`, or what makes it unique when an export dropped it. */
export function recordKey(ev: CloudSignInEvent): string {
  return ev.signInId ?? `${ev.upn}|${ev.time}|${ev.ip ?? ''}|${ev.resultType}`;
}

/**
 * Record keys seen recently, oldest first, so the same sign-in exported twice (both the
 * interactive and the non-interactive table, or an overlapping re-export) is counted once.
 */
/** Sign-in records remembered to drop the same record read twice (overlapping pulls). */
const DEFAULT_SEEN = 20_000;

export class SeenRecords {
  private readonly set: Set<string>;

  constructor(private readonly keys: string[] = [], private readonly cap = DEFAULT_SEEN) {
    this.set = new Set(keys);
  }

  /** True the first time a key is offered, false for a duplicate. */
  add(key: string): boolean {
    if (this.set.has(key)) return false;
    this.set.add(key);
    this.keys.push(key);
    if (this.keys.length > this.cap) {
      const dropped = this.keys.splice(0, this.keys.length - this.cap);
      for (const k of dropped) this.set.delete(k);
    }
    return true;
  }

  toJSON(): string[] {
    return this.keys;
  }

  /** The keys as toJSON saved them, read through `read` at `seen`: a bad one throws naming it. */
  static restore(saved: unknown, read: SavedReader, cap = DEFAULT_SEEN): SeenRecords {
    return new SeenRecords(read.list(saved ?? [], 'seen', cap, (x, p) => read.string(x, p)), cap);
  }
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}
