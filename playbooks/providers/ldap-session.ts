import {
  Client,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  ResultCodeError,
  UnwillingToPerformError,
  type ClientOptions,
} from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import type { ActiveDirectorySettings } from '../config';
import { DirectoryBindError, DirectoryError, MissingPermissionError, PasswordPolicyError } from '../errors';

export type ClientFactory = (options: ClientOptions) => Client;

/**
 * Opens an encrypted, bound LDAP connection as the service account. Never plain text: AD refuses
 * `unicodePwd` writes without encryption (MS-ADTS 3.1.1.3.1.5.1), Samba refuses simple binds
 * without it, and the bind password must not cross the wire in clear.
 * - `ldaps://` → implicit TLS, tlsOptions on the client.
 * - `ldap://` → StartTLS before the bind. ldapts 8 quirk: tlsOptions go to `startTLS()`; given
 *   to the constructor they force implicit TLS on port 389 and the server resets the connection.
 */
export async function openLdap(settings: ActiveDirectorySettings, factory: ClientFactory = (o) => new Client(o)): Promise<Client> {
  const tls: ConnectionOptions = {
    minVersion: 'TLSv1.2',
    ...(settings.ca && { ca: [settings.ca] }),
    ...(settings.tlsServerName && { servername: settings.tlsServerName }),
  };
  const implicit = settings.url.toLowerCase().startsWith('ldaps://');
  const client = factory({
    url: settings.url,
    timeout: settings.timeoutMs,
    connectTimeout: settings.timeoutMs,
    ...(implicit && { tlsOptions: tls }),
  });
  try {
    if (!implicit) await client.startTLS(tls);
    await client.bind(settings.bindDn, settings.bindPassword.reveal());
    return client;
  } catch (err) {
    await client.unbind().catch(() => undefined);
    if (err instanceof InvalidCredentialsError) throw new DirectoryBindError(settings.bindDn, err.message);
    throw toDirectoryError(err, `connect to ${settings.url} and bind`, 'a reachable DC whose certificate your CA trusts');
  }
}

/**
 * Maps an ldapts failure to the error an operator can act on. `neededRight` names the AD right
 * to delegate when the DC answers insufficientAccessRights (50).
 */
export function toDirectoryError(err: unknown, operation: string, neededRight: string): Error {
  if (err instanceof InsufficientAccessError) return new MissingPermissionError('activeDirectory', operation, neededRight, `LDAP 50: ${err.message}`);
  if (err instanceof ConstraintViolationError && operation.includes('password')) return new PasswordPolicyError(err.message);
  if (err instanceof UnwillingToPerformError && operation.includes('password')) {
    return new DirectoryError(operation, err.code, `${err.message} (the DC refuses password writes it considers unprotected or against policy)`);
  }
  if (err instanceof ResultCodeError) return new DirectoryError(operation, err.code, err.message);
  const e = err as NodeJS.ErrnoException;
  return new DirectoryError(operation, undefined, `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`);
}
