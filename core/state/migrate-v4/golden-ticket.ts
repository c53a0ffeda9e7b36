import { isJsonRecord, type JsonRecord } from '../json-record';
import { migrateDeferredTickets } from './deferred-tickets';

/**
 * golden_ticket's verdict state, v4 → v5 (its name↔SID pairs are moved by
 * core/state/migrate-v4-accounts.ts, which calls this on the rest): `unknownNames`
 * {name: time} becomes the table of when each name was last called unknown (`unknownCount`
 * was its size), and the waiting tickets their compact tuples. `realms` and `since` are kept.
 */
export function migrateGoldenTicket(section: JsonRecord): JsonRecord {
  const { unknownNames, unknownCount: _count, missingTgt, ...rest } = section;
  return {
    ...rest,
    ...(unknownNames !== undefined ? { unknownNames: isJsonRecord(unknownNames) ? { keys: Object.keys(unknownNames), rows: Object.values(unknownNames) } : unknownNames } : {}),
    ...(missingTgt !== undefined ? { missingTgt: migrateDeferredTickets(missingTgt) } : {}),
  };
}
