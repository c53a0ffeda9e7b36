import { isJsonRecord } from '../json-record';
import { table } from '../migrate-v4-rows';

/**
 * asrep_roasting: `{since, sources: {account: {source: time}}, sweeps: {source: {account: time}}, oldUac: {key: {value, time}}}`
 * becomes the tables `sources` (keyed `account\tsource`, each row the time), `sweeps`
 * (`[latest, [account, time, …]]`) and `oldUac` (`[time, value]`).
 */
export function migrateAsrepRoasting(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['sources']) || !isJsonRecord(section['sweeps']) || !isJsonRecord(section['oldUac'])) return section;
  const sources = table();
  for (const [account, bySource] of Object.entries(section['sources'])) {
    if (!isJsonRecord(bySource)) return section;
    for (const [source, time] of Object.entries(bySource)) {
      sources.keys.push(`${account}\t${source}`);
      sources.rows.push(time);
    }
  }
  const sweeps = table();
  for (const [source, byAccount] of Object.entries(section['sweeps'])) {
    if (!isJsonRecord(byAccount)) return section;
    const times = Object.values(byAccount);
    sweeps.keys.push(source);
    sweeps.rows.push([Math.max(0, ...times.map((t) => (typeof t === 'number' ? t : 0))), Object.entries(byAccount).flat()]);
  }
  const oldUac = table();
  for (const [key, u] of Object.entries(section['oldUac'])) {
    if (!isJsonRecord(u)) return section;
    oldUac.keys.push(key);
    oldUac.rows.push([u['time'], u['value']]);
  }
  return { ...(section['since'] !== undefined ? { since: section['since'] } : {}), sources, sweeps, oldUac };
}
