import Ajv, { type ErrorObject } from 'ajv';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../core/config/config';
import type { SecretSource } from '../secret';
import { notAllowed, refuseInlineSecrets, sectionError } from '../section-errors';
import { DEFAULT_ENTRA_INDEXES, DEFAULT_WINDOWS_INDEXES } from './pull-query';

/**
 * The `elastic` section of tierzero.json. The core schema passes it through (adapters/index.ts);
 * this module validates it completely and resolves defaults. Credentials are never values here:
 * each is named by an `…Env` key (environment variable) or a `…File` key (a file holding only it).
 *
 * TLS is verified by default, as for Splunk. Plain `http://` is accepted only for a loopback
 * node (a local test cluster, an SSH tunnel) or with `allowPlainHttp: true`, because an API key
 * or a basic-auth password would otherwise cross the network in the clear.
 */
export interface ElasticSettings {
  /** The cluster's HTTP endpoint, e.g. https://es.example:9200 (a path prefix behind a proxy is kept). */
  readonly url: URL;
  readonly auth:
    | { readonly kind: 'apiKey'; readonly apiKey: SecretSource }
    | { readonly kind: 'basic'; readonly username: string; readonly password: SecretSource }
    /** A cluster with security off: only allowed on loopback (the test node), never in production. */
    | { readonly kind: 'none' };
  readonly tls: { readonly verify: boolean; readonly caFile?: string; readonly serverName?: string };
  readonly timeoutMs: number;
  /** Tries in all for a 429/502/503/504 or a dropped connection (the shared policy, adapters/http/retry.ts). */
  readonly maxAttempts: number;
  readonly indices: { readonly windows: readonly string[]; readonly entra: readonly string[] };
  readonly search: SearchSettings;
  /** Alerts go to the data stream `logs-tierzero.alert-<namespace>` (ECS data stream naming). */
  readonly namespace: string;
  readonly alertDataStream: string;
  /** The latest score per identity, in the shape of Elastic's entity risk scoring (risk-doc.ts). */
  readonly riskIndex: string;
  readonly state: { readonly index: string; readonly deploymentId: string };
  readonly bulk: { readonly maxBytes: number; readonly maxDocs: number };
  /** Install the index templates on the first pass (templates.ts): on unless the admin installs them. */
  readonly installTemplates: boolean;
}

export interface SearchSettings {
  /** Documents ingested in the last `settleSeconds` are left for the next pass (refresh interval, replicas). */
  readonly settleSeconds: number;
  /** First pass with no checkpoint: how far back in `event.ingested` to start. */
  readonly initialLookbackMinutes: number;
  /** Hits per `search_after` page. */
  readonly pageSize: number;
  /** Point-in-time keep-alive between pages (`1m`, `5m`). */
  readonly pitKeepAlive: string;
}

/**
 * Elastic Agent's System and Windows integrations, and Winlogbeat: pull-query.ts holds the list
 * (one home). Besides the three streams issue 10 names it has the System channel's and Sysmon's
 * own streams, which the plan also pulls from (7045, 5805/5827–5831, 104; Sysmon 1 and 13):
 * without them an Agent estate would leave those detectors blind.
 */
export const DEFAULT_WINDOWS_INDICES = DEFAULT_WINDOWS_INDEXES;
/** The azure integration's Entra ID sign-in and audit log data streams. */
export const DEFAULT_ENTRA_INDICES = DEFAULT_ENTRA_INDEXES;
export const ALERT_DATASET = 'tierzero.alert';

const envName = { type: 'string', minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const path = { type: 'string', minLength: 1 };
/** An index pattern: lower case, no characters Elasticsearch forbids in index names (`\ / ? " < > | space , #`). */
const indexPattern = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-z0-9_*.][a-z0-9_*.+-]*$' };
const indexName = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-z0-9_][a-z0-9_.+-]*$' };
const indexList = { type: 'array', minItems: 1, maxItems: 50, items: indexPattern };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$' },
    allowPlainHttp: { type: 'boolean', description: 'Accept http:// to a non-loopback host. Credentials then cross the network in the clear.' },
    apiKeyEnv: envName,
    apiKeyFile: path,
    username: { type: 'string', minLength: 1, maxLength: 256 },
    passwordEnv: envName,
    passwordFile: path,
    caFile: { ...path, description: 'PEM CA bundle that signed the cluster certificate (relative to the config file)' },
    tlsServerName: { type: 'string', minLength: 1 },
    insecureSkipTlsVerify: { type: 'boolean', description: 'Accept any certificate. Never in production.' },
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
    indices: {
      type: 'object', additionalProperties: false,
      properties: { windows: indexList, entra: indexList },
    },
    search: {
      type: 'object', additionalProperties: false,
      properties: {
        settleSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        initialLookbackMinutes: { type: 'integer', minimum: 1, maximum: 525_600 },
        pageSize: { type: 'integer', minimum: 1, maximum: 10_000 },
        pitKeepAlive: { type: 'string', pattern: '^[1-9][0-9]{0,3}(s|m)$' },
      },
    },
    // ECS data stream naming: namespace is lower case, no `-`, at most 100 bytes (ecs field reference, data_stream.namespace).
    namespace: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9_]+$' },
    riskIndex: indexName,
    state: {
      type: 'object', additionalProperties: false,
      properties: { index: indexName, deploymentId: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:-]+$' } },
    },
    bulk: {
      type: 'object', additionalProperties: false,
      properties: {
        maxBytes: { type: 'integer', minimum: 1024, maximum: 50 * 1024 * 1024 },
        maxDocs: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    },
    installTemplates: { type: 'boolean' },
  },
};

const INLINE_SECRET_KEYS: Record<string, string> = {
  apiKey: 'apiKeyEnv or apiKeyFile',
  password: 'passwordEnv or passwordFile',
  token: 'apiKeyEnv or apiKeyFile',
};
let check: ReturnType<Ajv['compile']> | undefined;

interface RawSection {
  url: string; allowPlainHttp?: boolean; apiKeyEnv?: string; apiKeyFile?: string; username?: string; passwordEnv?: string; passwordFile?: string;
  caFile?: string; tlsServerName?: string; insecureSkipTlsVerify?: boolean; timeoutMs?: number; maxAttempts?: number;
  indices?: { windows?: string[]; entra?: string[] };
  search?: { settleSeconds?: number; initialLookbackMinutes?: number; pageSize?: number; pitKeepAlive?: string };
  namespace?: string; riskIndex?: string; state?: { index?: string; deploymentId?: string };
  bulk?: { maxBytes?: number; maxDocs?: number }; installTemplates?: boolean;
}

/** Validates `raw` (the `elastic` section) and resolves defaults; paths resolve against `configDir`. Reads no secret. */
export function resolveElasticSettings(raw: unknown, configDir: string): ElasticSettings {
  refuseInlineSecrets(raw, 'elastic', INLINE_SECRET_KEYS);
  check ??= new Ajv({ allErrors: false, strict: true }).compile(schema);
  if (!check(raw)) throw sectionError('elastic', (check.errors ?? [])[0], elasticPattern);
  const c = raw as RawSection;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(configDir, p));
  const url = new URL(c.url);
  // `https://user:secret@host` would put a password in the config file (and in any log of the URL).
  if (url.username !== '' || url.password !== '') throw new ConfigError('elastic.url', 'must not hold credentials: use apiKeyEnv/apiKeyFile, or username with passwordEnv/passwordFile');
  const loopback = isLoopback(url.hostname);
  if (url.protocol === 'http:' && !loopback && c.allowPlainHttp !== true) {
    throw new ConfigError('elastic.url', 'must be https:// (credentials would cross the network in the clear); set elastic.allowPlainHttp to accept http:// anyway');
  }
  const auth = authOf(c, at);
  if (auth.kind === 'none' && !loopback) throw new ConfigError('elastic', 'needs credentials: apiKeyEnv/apiKeyFile, or username with passwordEnv/passwordFile');
  const namespace = c.namespace ?? 'default';
  return {
    url,
    auth,
    tls: {
      verify: c.insecureSkipTlsVerify !== true,
      ...(c.caFile !== undefined ? { caFile: at(c.caFile) } : {}),
      ...(c.tlsServerName !== undefined ? { serverName: c.tlsServerName } : {}),
    },
    timeoutMs: c.timeoutMs ?? 120_000,
    maxAttempts: c.maxAttempts ?? 5,
    indices: { windows: c.indices?.windows ?? [...DEFAULT_WINDOWS_INDICES], entra: c.indices?.entra ?? [...DEFAULT_ENTRA_INDICES] },
    search: {
      settleSeconds: c.search?.settleSeconds ?? 60,
      initialLookbackMinutes: c.search?.initialLookbackMinutes ?? 60,
      pageSize: c.search?.pageSize ?? 5000,
      pitKeepAlive: c.search?.pitKeepAlive ?? '5m',
    },
    namespace,
    alertDataStream: `logs-${ALERT_DATASET}-${namespace}`,
    riskIndex: c.riskIndex ?? `tierzero-risk-score-latest-${namespace}`,
    state: { index: c.state?.index ?? 'tierzero-state', deploymentId: c.state?.deploymentId ?? namespace },
    bulk: { maxBytes: c.bulk?.maxBytes ?? 5 * 1024 * 1024, maxDocs: c.bulk?.maxDocs ?? 1000 },
    installTemplates: c.installTemplates ?? true,
  };
}

/** 127.0.0.0/8, ::1 and `localhost` (which resolves only to those without asking DNS, RFC 6761 §6.3). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function authOf(c: RawSection, at: (p: string) => string): ElasticSettings['auth'] {
  const apiKey = c.apiKeyEnv !== undefined || c.apiKeyFile !== undefined;
  const basic = c.username !== undefined || c.passwordEnv !== undefined || c.passwordFile !== undefined;
  if (apiKey && basic) throw new ConfigError('elastic', 'needs one way to authenticate: apiKeyEnv/apiKeyFile, or username with passwordEnv/passwordFile, not both');
  if (apiKey) return { kind: 'apiKey', apiKey: one('elastic', [c.apiKeyEnv !== undefined && { env: c.apiKeyEnv }, c.apiKeyFile !== undefined && { file: at(c.apiKeyFile) }], 'needs only one of apiKeyEnv, apiKeyFile') };
  if (!basic) return { kind: 'none' };
  if (c.username === undefined) throw new ConfigError('elastic.username', 'is required with passwordEnv/passwordFile');
  const password = one('elastic', [c.passwordEnv !== undefined && { env: c.passwordEnv }, c.passwordFile !== undefined && { file: at(c.passwordFile) }], 'needs exactly one of passwordEnv, passwordFile with username');
  return { kind: 'basic', username: c.username, password };
}

function one<T>(key: string, options: readonly (T | false)[], expected: string): T {
  const set = options.filter((o): o is T => o !== false);
  if (set.length !== 1 || set[0] === undefined) throw new ConfigError(key, expected);
  return set[0];
}

function elasticPattern(key: string, e: ErrorObject): string {
  if (key.endsWith('url')) return 'must be a URL like https://host:9200';
  if (key === 'elastic.namespace') return 'must be lower-case letters, digits and _ (a data stream namespace has no -)';
  return notAllowed(e);
}
