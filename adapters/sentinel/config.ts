import Ajv from 'ajv';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../core/config/config';
import type { SecretSource } from '../secret';
import { refuseInlineSecrets, sectionError } from '../section-errors';

/**
 * The `sentinel` section of tierzero.json. The core schema passes it through; this module
 * validates it completely and resolves defaults. Credentials are never values here: a client
 * secret is named by `clientSecretEnv` / `clientSecretFile`, a managed identity or a workload
 * identity (federated token file, as AKS and GitHub OIDC mount it) needs no secret at all.
 *
 * Endpoints (learn.microsoft.com):
 * - query: the Log Analytics query API, `https://api.loganalytics.io` in the public cloud
 *   (`.us` / `.cn` in sovereign clouds) — "Log Analytics API overview";
 * - ingestion: the data collection endpoint's (or DCR's own) logs-ingestion URL,
 *   `https://<dce>.<region>.ingest.monitor.azure.com` — "Logs Ingestion API in Azure Monitor";
 * - state: a blob in a storage account, `https://<account>.blob.core.windows.net`.
 */
export interface SentinelSettings {
  /** The Log Analytics workspace (customer) id, a GUID. */
  readonly workspaceId: string;
  readonly queryEndpoint: URL;
  /** Microsoft Entra authority: login.microsoftonline.com, or a sovereign cloud's (login.microsoftonline.us, …). */
  readonly authorityHost: URL;
  readonly credential: CredentialSettings;
  readonly ingestion: IngestionSettings;
  readonly state: BlobStateSettings;
  readonly query: QuerySettings;
  /** A PEM bundle trusted besides the system roots (a TLS-inspecting proxy); relative to the config file. */
  readonly caFile?: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

export type CredentialSettings =
  | { readonly kind: 'clientSecret'; readonly tenantId: string; readonly clientId: string; readonly secret: SecretSource }
  /** System-assigned when `clientId` is absent (a Function app's own identity). */
  | { readonly kind: 'managedIdentity'; readonly clientId?: string }
  | { readonly kind: 'workloadIdentity'; readonly tenantId: string; readonly clientId: string; readonly tokenFile: string };

export interface IngestionSettings {
  readonly endpoint: URL;
  /** The DCR's immutable id (`dcr-…`), not its ARM resource id. */
  readonly dcrImmutableId: string;
  readonly alertsStream: string;
  readonly scoresStream: string;
  /** Token audience of the ingestion endpoint: https://monitor.azure.com (public), .us, .cn. */
  readonly audience: string;
  /** Chunks the SDK uploads at once (its default is 5). */
  readonly maxConcurrency: number;
}

export interface BlobStateSettings {
  readonly accountUrl: URL;
  readonly container: string;
  readonly blob: string;
  /**
   * A storage account key, only for Azurite or an account where RBAC cannot be granted; the
   * credential (Storage Blob Data Contributor on the container) is used otherwise.
   */
  readonly accountKey?: SecretSource;
}

export interface QuerySettings {
  /** Records ingested in the last `settleSeconds` are left for the next pass (ingestion latency). */
  readonly settleSeconds: number;
  /** One query reads at most this much ingestion time; a partial answer halves it. */
  readonly sliceMinutes: number;
  /** First pass with no checkpoint: how far back in ingestion time to start. */
  readonly initialLookbackMinutes: number;
  /** One pass reads at most this much ingestion time, so a long outage is caught up over several passes. */
  readonly maxWindowMinutes: number;
  /** Event-time bound of the query (TimeGenerated): late arrivals older than this are not found. */
  readonly eventLookbackHours: number;
}

export const DEFAULT_ALERTS_STREAM = 'Custom-TierzeroAlerts_CL';
export const DEFAULT_SCORES_STREAM = 'Custom-TierzeroScores_CL';
/** The public cloud's Entra authority and its ingestion audience (KnownMonitorAudience in @azure/monitor-ingestion). */
export const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';
export const PUBLIC_MONITOR_AUDIENCE = 'https://monitor.azure.com';

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const guid = { type: 'string', pattern: GUID };
const httpsUrl = { type: 'string', pattern: '^https://[^\\s/?#]+(:\\d+)?(/[^\\s?#]*)?$' };
const envName = { type: 'string', minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const path = { type: 'string', minLength: 1 };
/** Stream names: `Custom-<table>` for custom tables (DCR streamDeclarations). */
const stream = { type: 'string', pattern: '^Custom-[A-Za-z][A-Za-z0-9_]{0,62}$' };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['workspaceId', 'credential', 'ingestion', 'state'],
  properties: {
    workspaceId: guid,
    queryEndpoint: httpsUrl,
    authorityHost: httpsUrl,
    caFile: path,
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
    credential: {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: { enum: ['clientSecret', 'managedIdentity', 'workloadIdentity'] },
        tenantId: guid,
        clientId: guid,
        clientSecretEnv: envName,
        clientSecretFile: path,
        tokenFile: path,
      },
    },
    ingestion: {
      type: 'object',
      additionalProperties: false,
      required: ['endpoint', 'dcrImmutableId'],
      properties: {
        endpoint: httpsUrl,
        // learn.microsoft.com "Structure of a data collection rule": immutableId is `dcr-` and 32 hex digits.
        dcrImmutableId: { type: 'string', pattern: '^dcr-[0-9a-fA-F]{32}$' },
        alertsStream: stream,
        scoresStream: stream,
        audience: httpsUrl,
        maxConcurrency: { type: 'integer', minimum: 1, maximum: 20 },
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      required: ['accountUrl'],
      properties: {
        accountUrl: { type: 'string', pattern: '^https?://[^\\s?#]+$' },
        // Container names: 3-63 lower-case letters, digits and single hyphens (learn.microsoft.com "Naming and referencing containers").
        container: { type: 'string', pattern: '^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$' },
        blob: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\\\]+$' },
        accountKeyEnv: envName,
      },
    },
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        settleSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        sliceMinutes: { type: 'integer', minimum: 1, maximum: 24 * 60 },
        initialLookbackMinutes: { type: 'integer', minimum: 1 },
        maxWindowMinutes: { type: 'integer', minimum: 1 },
        eventLookbackHours: { type: 'integer', minimum: 1 },
      },
    },
  },
};

/** Keys that would hold a secret itself, with the key to use instead. */
const INLINE_SECRETS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  sentinel: { clientSecret: 'credential.clientSecretEnv', accountKey: 'state.accountKeyEnv', connectionString: 'state.accountKeyEnv' },
  'sentinel.credential': { clientSecret: 'clientSecretEnv or clientSecretFile', secret: 'clientSecretEnv or clientSecretFile', password: 'clientSecretEnv or clientSecretFile', token: 'tokenFile (workload identity)' },
  'sentinel.state': { accountKey: 'accountKeyEnv, or no key: grant Storage Blob Data Contributor', connectionString: 'accountUrl with accountKeyEnv', sasToken: 'the credential (Storage Blob Data Contributor)' },
};

let check: ReturnType<Ajv['compile']> | undefined;

/** Validates `raw` (the `sentinel` section) and resolves defaults; paths resolve against `configDir`. */
export function resolveSentinelSettings(raw: unknown, configDir: string): SentinelSettings {
  refuseInlineSecrets(raw, 'sentinel', INLINE_SECRETS.sentinel ?? {});
  if (raw && typeof raw === 'object') {
    refuseInlineSecrets((raw as { credential?: unknown }).credential, 'sentinel.credential', INLINE_SECRETS['sentinel.credential'] ?? {});
    refuseInlineSecrets((raw as { state?: unknown }).state, 'sentinel.state', INLINE_SECRETS['sentinel.state'] ?? {});
  }
  check ??= new Ajv({ allErrors: false, strict: true }).compile(schema);
  if (!check(raw)) throw sectionError('sentinel', (check.errors ?? [])[0], patternMeaning);
  const c = raw as RawSection;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(configDir, p));
  const q = c.query ?? {};
  const authorityHost = new URL(c.authorityHost ?? PUBLIC_AUTHORITY);
  return {
    workspaceId: c.workspaceId.toLowerCase(),
    queryEndpoint: new URL(c.queryEndpoint ?? 'https://api.loganalytics.io'),
    authorityHost,
    credential: credentialOf(c.credential, at),
    ingestion: {
      endpoint: new URL(c.ingestion.endpoint),
      dcrImmutableId: c.ingestion.dcrImmutableId,
      alertsStream: c.ingestion.alertsStream ?? DEFAULT_ALERTS_STREAM,
      scoresStream: c.ingestion.scoresStream ?? DEFAULT_SCORES_STREAM,
      audience: (c.ingestion.audience ?? PUBLIC_MONITOR_AUDIENCE).replace(/\/+$/, ''),
      maxConcurrency: c.ingestion.maxConcurrency ?? 5,
    },
    state: {
      accountUrl: new URL(c.state.accountUrl),
      container: c.state.container ?? 'tierzero',
      blob: c.state.blob ?? 'engine-state.json',
      ...(c.state.accountKeyEnv !== undefined ? { accountKey: { env: c.state.accountKeyEnv } } : {}),
    },
    query: {
      // Log Analytics ingestion latency is typically 20 s to 3 min (learn.microsoft.com
      // "Log data ingestion time in Azure Monitor"): five minutes leaves the tail room.
      settleSeconds: q.settleSeconds ?? 300,
      sliceMinutes: q.sliceMinutes ?? 60,
      initialLookbackMinutes: q.initialLookbackMinutes ?? 60,
      maxWindowMinutes: q.maxWindowMinutes ?? 24 * 60,
      eventLookbackHours: q.eventLookbackHours ?? 7 * 24,
    },
    ...(c.caFile !== undefined ? { caFile: at(c.caFile) } : {}),
    timeoutMs: c.timeoutMs ?? 120_000,
    maxAttempts: c.maxAttempts ?? 5,
  };
}

interface RawSection {
  workspaceId: string; queryEndpoint?: string; authorityHost?: string; caFile?: string; timeoutMs?: number; maxAttempts?: number;
  credential: { kind: CredentialSettings['kind']; tenantId?: string; clientId?: string; clientSecretEnv?: string; clientSecretFile?: string; tokenFile?: string };
  ingestion: { endpoint: string; dcrImmutableId: string; alertsStream?: string; scoresStream?: string; audience?: string; maxConcurrency?: number };
  state: { accountUrl: string; container?: string; blob?: string; accountKeyEnv?: string };
  query?: { settleSeconds?: number; sliceMinutes?: number; initialLookbackMinutes?: number; maxWindowMinutes?: number; eventLookbackHours?: number };
}

/** Each kind takes its own keys and no other, so a half-switched credential fails naming the stray key. */
const CREDENTIAL_KEYS: Readonly<Record<CredentialSettings['kind'], readonly string[]>> = {
  clientSecret: ['tenantId', 'clientId', 'clientSecretEnv', 'clientSecretFile'],
  managedIdentity: ['clientId'],
  workloadIdentity: ['tenantId', 'clientId', 'tokenFile'],
};

function credentialOf(c: RawSection['credential'], at: (p: string) => string): CredentialSettings {
  for (const k of Object.keys(c)) {
    if (k !== 'kind' && !CREDENTIAL_KEYS[c.kind].includes(k)) throw new ConfigError(`sentinel.credential.${k}`, `is not used by kind ${c.kind}`);
  }
  const need = (k: 'tenantId' | 'clientId' | 'tokenFile'): string => {
    const v = c[k];
    if (v === undefined) throw new ConfigError(`sentinel.credential.${k}`, `is required with kind ${c.kind}`);
    return v;
  };
  switch (c.kind) {
    case 'clientSecret': {
      const sources = [c.clientSecretEnv !== undefined && { env: c.clientSecretEnv }, c.clientSecretFile !== undefined && { file: at(c.clientSecretFile) }].filter((s): s is SecretSource => s !== false);
      if (sources.length !== 1 || !sources[0]) throw new ConfigError('sentinel.credential', 'needs exactly one of clientSecretEnv, clientSecretFile with kind clientSecret');
      return { kind: 'clientSecret', tenantId: need('tenantId'), clientId: need('clientId'), secret: sources[0] };
    }
    case 'managedIdentity':
      return { kind: 'managedIdentity', ...(c.clientId !== undefined ? { clientId: c.clientId } : {}) };
    case 'workloadIdentity':
      return { kind: 'workloadIdentity', tenantId: need('tenantId'), clientId: need('clientId'), tokenFile: at(need('tokenFile')) };
  }
}

function patternMeaning(key: string): string {
  if (/(Id|tenantId|clientId)$/.test(key) && !key.endsWith('dcrImmutableId')) return 'must be a GUID like 00000000-0000-0000-0000-000000000000';
  if (key.endsWith('dcrImmutableId')) return 'must be the DCR\'s immutable id, dcr- and 32 hex digits (the DCR\'s JSON view, properties.immutableId)';
  if (/Stream$/.test(key)) return 'must be a custom stream name like Custom-TierzeroAlerts_CL';
  if (key.endsWith('container')) return 'must be a container name: 3-63 lower-case letters, digits and single hyphens';
  if (key.endsWith('accountUrl')) return 'must be a URL like https://account.blob.core.windows.net';
  if (/(Endpoint|endpoint|Host|audience)$/.test(key)) return 'must be an https URL like https://host';
  return 'has characters that are not allowed';
}
