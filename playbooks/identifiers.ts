import { InvalidIdentifierError } from './errors';

/**
 * How an operator or a SIEM names the target. Each kind is looked up differently: a SID is the
 * only identifier shared by AD and a synced Entra user, so it is preferred whenever it is known.
 */
export type UserIdentifier =
  | { readonly kind: 'sid'; readonly sid: string }
  | { readonly kind: 'upn'; readonly upn: string }
  | { readonly kind: 'sam'; readonly sam: string; readonly domain?: string }
  | { readonly kind: 'objectId'; readonly objectId: string };

const SID = /^S-1-\d{1,15}(-\d{1,10}){1,15}$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LENGTH = 256;

/**
 * Classifies `input`. Characters that mean something in an LDAP filter or OData literal are
 * deliberately NOT rejected here: every lookup escapes its values, and a name like
 * `*)(objectClass=*` must simply match nothing.
 */
export function parseUserIdentifier(input: string): UserIdentifier {
  const value = input.trim();
  if (value === '') throw new InvalidIdentifierError(input, 'it is empty');
  if (value.length > MAX_LENGTH) throw new InvalidIdentifierError(input, `it is longer than ${MAX_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidIdentifierError(input, 'it contains control characters');
  if (SID.test(value)) return { kind: 'sid', sid: value.toUpperCase() };
  if (GUID.test(value)) return { kind: 'objectId', objectId: value.toLowerCase() };
  const slash = value.indexOf('\\');
  if (slash > 0 && slash < value.length - 1) return { kind: 'sam', domain: value.slice(0, slash), sam: value.slice(slash + 1) };
  if (value.includes('@')) return { kind: 'upn', upn: value };
  return { kind: 'sam', sam: value };
}

export function describeIdentifier(id: UserIdentifier): string {
  switch (id.kind) {
    case 'sid':
      return id.sid;
    case 'upn':
      return id.upn;
    case 'objectId':
      return id.objectId;
    case 'sam':
      return id.domain ? `${id.domain}\\${id.sam}` : id.sam;
  }
}

/** The RID is the last sub-authority of a SID: 500 is the built-in Administrator, 502 krbtgt. */
export function ridOf(sid: string): number | undefined {
  const last = sid.split('-').pop();
  return last === undefined || !/^\d+$/.test(last) ? undefined : Number(last);
}
