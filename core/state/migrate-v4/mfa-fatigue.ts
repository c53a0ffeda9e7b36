import { isJsonRecord } from '../json-record';
import { table } from '../migrate-v4-rows';

/** mfa_fatigue's refused outcomes, in the order its table saves them by (core/detectors/mfa_fatigue.ts). */
const MFA_FAILURES = ['denied', 'timeout', 'failed', 'wrong_code'];

/**
 * mfa_fatigue: `{users: {upn: {prompts: [{t, outcome, ip}], lastSeen}}, seen}` becomes the table
 * `users` (`[lastSeen, [[t, outcome index, ip], …]]`); `seen` stays. An outcome that is not a
 * refusal is carried as it is, for the restore to refuse.
 */
export function migrateMfaFatigue(section: unknown): unknown {
  if (!isJsonRecord(section) || !isJsonRecord(section['users'])) return section;
  const users = table();
  for (const [upn, u] of Object.entries(section['users'])) {
    if (!isJsonRecord(u) || !Array.isArray(u['prompts'])) return section;
    users.keys.push(upn);
    users.rows.push([u['lastSeen'], u['prompts'].map((p) => {
      if (!isJsonRecord(p)) return p;
      const code = MFA_FAILURES.indexOf(p['outcome'] as string);
      return [p['t'], code >= 0 ? code : p['outcome'], p['ip'] ?? null];
    })]);
  }
  return { users, ...(section['seen'] !== undefined ? { seen: section['seen'] } : {}) };
}
