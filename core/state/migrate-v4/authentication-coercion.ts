import { isJsonRecord } from '../json-record';
import { account, countedDaysRows, origin, recordRows, table } from '../migrate-v4-rows';

/**
 * authentication_coercion: `{since, sources: {key: {days, lastSeen}}, served: {key: {sources, lastSeen}}, printServers: {host: time},
 * pending: {machine$: {source: {source, target, pipe, keys, actor, time, event}}}}` becomes the tables `sources`
 * (`[lastSeen, days as a day set, day count]`), `served` (`[lastSeen, sources]`), `printServers`
 * (when last seen) and `pending` (`[latest open, [[source, target, pipe, origin, actor], …]]`).
 */
export function migrateAuthenticationCoercion(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['sources']) || !isJsonRecord(section['served']) || !isJsonRecord(section['pending'])) return section;
  const printIn = section['printServers'] ?? {};
  if (!isJsonRecord(printIn)) return section;
  const sources = countedDaysRows(section['sources']);
  const served = recordRows(section['served'], (r) => [r['lastSeen'], r['sources']]);
  if (!sources || !served) return section;
  const printServers = table();
  for (const [host, time] of Object.entries(printIn)) {
    printServers.keys.push(host);
    printServers.rows.push(time);
  }
  const pending = table();
  for (const [machine, bySource] of Object.entries(section['pending'])) {
    if (!isJsonRecord(bySource)) return section;
    const opens = Object.values(bySource);
    if (!opens.every(isJsonRecord)) return section;
    pending.keys.push(machine);
    pending.rows.push([
      Math.max(...opens.map((o) => (typeof o['time'] === 'number' ? o['time'] : 0)), 0),
      opens.map((o) => [o['source'], o['target'], o['pipe'], origin(o['event']), o['actor'] === undefined ? null : account(o['actor'])]),
    ]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources, served, printServers, pending };
}
