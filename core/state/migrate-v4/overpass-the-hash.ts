import { isJsonRecord, type JsonRecord } from '../json-record';
import { account, origin } from '../migrate-v4-rows';

/**
 * overpass_the_hash's verdict state, v4 → v5 (its etype days are moved into the Kerberos ledger
 * by core/state/migrate-v4-kerberos.ts, which calls this on the rest): `org` {aes, weak} becomes
 * `[aes, weak]` (the estate's mix carried exactly, so the orgAesPercent judgement is unchanged),
 * the new-credentials logons `[host, origin]` and the uncorroborated RC4 TGTs
 * `[ip, origin, account, etype, preAuthType, why]`. A part of another shape is carried as it
 * is, for the restore to refuse naming it.
 */
export function migrateOverpassTheHash(section: JsonRecord): JsonRecord {
  const { org, newCredentials, weakTgts, ...rest } = section;
  return {
    ...rest,
    ...(org !== undefined ? { org: isJsonRecord(org) ? [org['aes'], org['weak']] : org } : {}),
    ...(newCredentials !== undefined ? { newCredentials: list(newCredentials, (n) => [n['host'], origin(n['origin'])]) } : {}),
    ...(weakTgts !== undefined ? { weakTgts: list(weakTgts, weakTgt) } : {}),
  };
}

function weakTgt(w: JsonRecord): unknown {
  const ev = w['ev'];
  if (!isJsonRecord(ev)) return w;
  return [w['ip'], origin(ev), account(ev['account']), ev['encryptionType'] ?? null, ev['preAuthType'] ?? null, w['why']];
}

/** Each record of a list as `row(record)`; anything else as it is. */
function list(v: unknown, row: (r: JsonRecord) => unknown): unknown {
  return Array.isArray(v) ? v.map((x: unknown) => (isJsonRecord(x) ? row(x) : x)) : v;
}
