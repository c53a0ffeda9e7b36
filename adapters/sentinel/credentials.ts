import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { AzureAuthorityHosts, ClientSecretCredential, ManagedIdentityCredential, WorkloadIdentityCredential } from '@azure/identity';
import { readSecret, SecretUnavailableError } from '../secret';
import type { SentinelSettings } from './config';

/**
 * The one Entra credential a pass uses for every Azure call (query, ingestion, blob state),
 * built from the `sentinel.credential` settings with Microsoft's own @azure/identity, so token
 * caching, refresh before expiry and the managed-identity endpoints (App Service / Functions
 * IDENTITY_ENDPOINT, IMDS) are Microsoft's code, not ours.
 *
 * The client secret is read from its env var or file here and handed to the credential only:
 * it is registered with the process's secret registry (core/config/secret.ts) by `readSecret`,
 * so no log line, error or audit record can carry it.
 */
export interface AzureClientOptions {
  /** Extra CA roots (`sentinel.caFile`) on top of the system store; undefined when not set. */
  readonly tlsOptions?: { readonly ca: readonly string[] };
}

/** A credential could not be built: the secret is missing, or the token file is unreadable. */
export class CredentialUnavailableError extends Error {
  override name = 'CredentialUnavailableError';
}

/**
 * Authorities MSAL knows: for any other (a private cloud, a test's loopback authority) instance
 * discovery is turned off, since MSAL would otherwise ask login.microsoftonline.com whether the
 * authority is genuine (msal-common `Authority.resolveEndpointsAsync`).
 */
const KNOWN_AUTHORITIES = new Set<string>([AzureAuthorityHosts.AzurePublicCloud, AzureAuthorityHosts.AzureGovernment, AzureAuthorityHosts.AzureChina].map((h) => new URL(h).origin));

export async function clientOptions(s: SentinelSettings): Promise<AzureClientOptions> {
  if (s.caFile === undefined) return {};
  let pem: string;
  try {
    pem = await readFile(s.caFile, 'utf8');
  } catch (e) {
    throw new CredentialUnavailableError(`sentinel.caFile: cannot read ${s.caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Node's `ca` replaces the trust store rather than adding to it: keep the system roots.
  return { tlsOptions: { ca: [...rootCertificates, pem] } };
}

export async function sentinelCredential(s: SentinelSettings, env: NodeJS.ProcessEnv, options: AzureClientOptions = {}): Promise<TokenCredential> {
  const c = s.credential;
  const authority = {
    authorityHost: s.authorityHost.origin,
    ...(KNOWN_AUTHORITIES.has(s.authorityHost.origin) ? {} : { disableInstanceDiscovery: true }),
    ...(options.tlsOptions ? { tlsOptions: { ca: [...options.tlsOptions.ca] } } : {}),
  };
  switch (c.kind) {
    case 'clientSecret': {
      let secret;
      try {
        secret = await readSecret(c.secret, `client secret of app ${c.clientId}`, env);
      } catch (e) {
        if (e instanceof SecretUnavailableError) throw new CredentialUnavailableError(`sentinel.credential: ${e.message}`);
        throw e;
      }
      return new ClientSecretCredential(c.tenantId, c.clientId, secret.reveal(), authority);
    }
    case 'managedIdentity':
      return c.clientId === undefined ? new ManagedIdentityCredential(authority) : new ManagedIdentityCredential({ clientId: c.clientId, ...authority });
    case 'workloadIdentity':
      return new WorkloadIdentityCredential({ tenantId: c.tenantId, clientId: c.clientId, tokenFilePath: c.tokenFile, ...authority });
  }
}
