import type { AlertAccount, AlertHost, EntityRole } from './alert';
import type { Account } from '../events/fields';

/** An event account as an alert entity. */
export function accountEntity(a: Account, role: EntityRole): AlertAccount {
  return { name: a.name, role, ...(a.domain ? { domain: a.domain } : {}), ...(a.sid ? { sid: a.sid } : {}) };
}

/** A host entity from whatever the event knows: a name, an address, or both. */
export function hostEntity(role: EntityRole, name?: string, ip?: string): AlertHost | undefined {
  if (!name && !ip) return undefined;
  return { role, ...(name ? { name } : {}), ...(ip ? { ip } : {}) };
}

export function present<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

/** `CORP\jdoe` for descriptions; the bare name when the domain is unknown. */
export function qualified(a: Account): string {
  return a.domain ? `${a.domain}\\${a.name}` : a.name;
}
