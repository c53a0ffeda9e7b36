import { isJsonRecord } from '../json-record';
import { account, origin } from '../migrate-v4-rows';

/**
 * A version 4 SkewQueue (`[{due, item: the whole 4769 event}]`) as core/state/saved-tickets.ts
 * saves it: `[due, origin, account, ip, serviceName]`. An entry of another shape is carried as
 * it is, for the restore to refuse naming its index.
 */
export function migrateDeferredTickets(queue: unknown): unknown {
  if (!Array.isArray(queue)) return queue;
  return queue.map((d: unknown) => {
    if (!isJsonRecord(d) || !isJsonRecord(d['item'])) return d;
    const t = d['item'];
    return [d['due'], origin(t), account(t['account']), t['ip'] ?? null, t['serviceName']];
  });
}
