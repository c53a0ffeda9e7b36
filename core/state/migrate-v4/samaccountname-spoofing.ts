import { account, migrateRecords, origin } from '../migrate-v4-rows';

/** samaccountname_spoofing: `{runs: {computer: {actor, names, created, spnsCleared, spoofedDcName, steps, last}}}` becomes the table `runs` (`[last, actor, names, created, spnsCleared, spoofedDcName, steps]`). */
export function migrateSamaccountnameSpoofing(section: unknown): unknown {
  return migrateRecords(section, 'runs', (r) => [
    r['last'], account(r['actor']), r['names'], r['created'] === undefined ? null : origin(r['created']),
    r['spnsCleared'] === undefined ? null : origin(r['spnsCleared']), r['spoofedDcName'] ?? null, r['steps'],
  ]);
}
