import { isJsonRecord } from '../json-record';
import { recordRows } from '../migrate-v4-rows';
import { migrateDeferredTickets } from './deferred-tickets';

/**
 * pass_the_ticket: `accounts` {account: {lastSeen, roaming, forwardedAt?}} becomes the table of
 * `[lastSeen, roaming, forwardedAt]` (the roaming days carried as the same day set, so no
 * roaming habit is learned again), `sources` {address: {accounts, lastSeen}} the table of
 * `[lastSeen, accounts]` (the learned front-ends), and the waiting tickets their compact tuples.
 * A part of another shape is carried as it is, for the restore to refuse naming it.
 */
export function migratePassTheTicket(section: unknown): unknown {
  if (!isJsonRecord(section)) return section;
  const { accounts, sources, unexplained, ...rest } = section;
  const accountRows = recordRows(accounts, (a) => [a['lastSeen'], a['roaming'], a['forwardedAt'] ?? null]);
  const sourceRows = recordRows(sources, (s) => [s['lastSeen'], s['accounts']]);
  return {
    ...rest,
    ...(accounts !== undefined ? { accounts: accountRows ?? accounts } : {}),
    ...(sources !== undefined ? { sources: sourceRows ?? sources } : {}),
    ...(unexplained !== undefined ? { unexplained: migrateDeferredTickets(unexplained) } : {}),
  };
}
