import { asSid } from '../events/fields';

/**
 * The identifiers one person is known by, as keys: `oid:` Entra object id, `sid:` AD SID,
 * `upn:` user principal name, `sam:` sAMAccountName. The domain is left out of `sam:` keys,
 * as everywhere else in tierzero, because logs write it as NetBIOS, FQDN or not at all.
 */

export type IdentityKey = string;

export const KEY_PREFERENCE = ['oid:', 'sid:', 'upn:', 'sam:'] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function oidKey(objectId: string | undefined): IdentityKey | undefined {
  const s = objectId?.trim().toLowerCase().replace(/^\{|\}$/g, '');
  return s && GUID.test(s) ? `oid:${s}` : undefined;
}

export function sidKey(sid: string | undefined): IdentityKey | undefined {
  const s = asSid(sid);
  return s ? `sid:${s}` : undefined;
}

export function upnKey(upn: string | undefined): IdentityKey | undefined {
  const s = upn?.trim().toLowerCase();
  return s && /^[^@\s]+@[^@\s]+$/.test(s) ? `upn:${s}` : undefined;
}

/** `CORP\jdoe`, `jdoe` → `sam:jdoe`; a UPN is not a sAMAccountName and gives none. */
export function samKey(name: string | undefined): IdentityKey | undefined {
  let s = name?.trim().toLowerCase();
  if (!s || s.includes('@')) return undefined;
  const slash = s.lastIndexOf('\\');
  if (slash >= 0) s = s.slice(slash + 1);
  return s && s !== '-' ? `sam:${s}` : undefined;
}

/**
 * Keys of an account as an event or alert names it: its SID, and its name as a UPN when it
 * has the form of one (cloud events, `user@realm` Kerberos names are split before this) or
 * as a sAMAccountName otherwise.
 */
export function accountKeys(a: { readonly name: string; readonly sid?: string | undefined }): IdentityKey[] {
  const keys: IdentityKey[] = [];
  const sid = sidKey(a.sid);
  // A well-known SID (S-1-5-18 SYSTEM, S-1-5-32-544 Administrators …) is the same on every
  // machine and is logged beside each machine's own name: linking it would merge them all.
  if (sid && (accountSid(sid) || asSid(a.name) !== undefined)) keys.push(sid);
  if (a.name.includes('@')) {
    const upn = upnKey(a.name);
    if (upn) keys.push(upn);
  } else if (asSid(a.name) === undefined) {
    const sam = samKey(a.name);
    if (sam) keys.push(sam);
  }
  return keys;
}

export function preferredKey(keys: readonly IdentityKey[]): IdentityKey | undefined {
  for (const prefix of KEY_PREFERENCE) {
    const k = keys.find((x) => x.startsWith(prefix));
    if (k) return k;
  }
  return keys[0];
}

export function keyValue(key: IdentityKey): string {
  return key.slice(key.indexOf(':') + 1);
}

/** A domain or machine account's SID (S-1-5-21-…-RID): unique to one account. */
function accountSid(key: IdentityKey): boolean {
  return /^sid:S-1-5-21-\d+-\d+-\d+-\d+$/.test(key);
}
