import type { KerberosServiceTicket } from '../events/identity-event';
import { MAX_DEFERRED, type Deferred } from '../estate/kerberos-coverage';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin, type SavedAccount, type SavedOrigin } from './saved-events';
import type { SavedReader } from './saved-value';

/**
 * The service tickets golden_ticket and pass_the_ticket hold while their verdict waits out DC
 * clock skew (core/estate/kerberos-coverage.ts, SkewQueue), saved as
 * `[due, origin, account, ip, serviceName]`: what the deferred verdict reads and its alert
 * reports. Only successful tickets that named no transited services are queued (both
 * detectors return before the queue otherwise), so the restored ticket says status 0 and no
 * delegation; its options were read before it was queued and are not kept.
 */
export type SavedDeferredTicket = readonly [number, SavedOrigin, SavedAccount, string | null, string];

export function encodeDeferredTickets(queue: readonly Deferred<KerberosServiceTicket>[]): SavedDeferredTicket[] {
  return queue.map(({ due, item }) => [due, encodeOrigin(item), encodeAccount(item.account), item.ip ?? null, item.serviceName]);
}

/** A saved queue (undefined: none yet), each ticket checked: a bad one throws naming `<path>.<i>.<field>`. */
export function decodeDeferredTickets(v: unknown, read: SavedReader, path: string): Deferred<KerberosServiceTicket>[] {
  if (v === undefined) return [];
  return read.list(v, path, MAX_DEFERRED, (x, p) => {
    const [due, origin, account, ip, serviceName] = read.tuple(x, p, 5);
    const where = decodeOrigin(origin, read, `${p}.1`);
    const address = read.optional(ip, `${p}.3`, (y, q) => read.string(y, q));
    const item: KerberosServiceTicket = {
      kind: 'kerberos_service_ticket', ...where, account: decodeAccount(account, read, `${p}.2`),
      ...(address !== undefined ? { ip: address } : {}), serviceName: read.string(serviceName, `${p}.4`), status: 0,
    };
    return { due: read.number(due, `${p}.0`), item };
  });
}
