import Ajv from 'ajv';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../core/config/config';
import type { SecretSource } from '../secret';
import { notAllowed, refuseInlineSecrets, sectionError } from '../section-errors';

/**
 * The `splunk` section of tierzero.json. The core schema passes it through; this module
 * validates it completely and resolves defaults. Credentials are never values here: each is
 * named by an `…Env` key (environment variable) or a `…File` key (a file holding only it), or
 * comes from Splunk itself (the session key a scripted input receives on stdin, the HEC token
 * in the app's `storage/passwords`).
 */
export interface SplunkSettings {
  /** Management port base URL, e.g. https://splunk.example:8089. */
  readonly url: URL;
  readonly app: string;
  readonly owner: string;
  readonly auth:
    | { readonly kind: 'password'; readonly username: string; readonly password: SecretSource }
    | { readonly kind: 'token'; readonly token: SecretSource }
    | { readonly kind: 'sessionKeyFromStdin' };
  readonly tls: TlsSettings;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly search: SearchSettings;
  readonly hec: HecSettings;
  readonly state: { readonly collection: string; readonly key: string; readonly fallbackFile: string; readonly leaseMs: number };
}

export interface TlsSettings {
  /** Off only when the operator said so explicitly (`insecureSkipTlsVerify`). */
  readonly verify: boolean;
  readonly caFile?: string;
  readonly serverName?: string;
}

export interface SearchSettings {
  /** Inline index lists; when absent the SPL uses the app's macros (`tierzero_windows_index`, …). */
  readonly windowsIndexes?: readonly string[];
  readonly entraIndexes?: readonly string[];
  /** Events indexed in the last `settleSeconds` are left for the next pass (not yet searchable everywhere). */
  readonly settleSeconds: number;
  /** The window starts this far before the checkpoint; the overlap is deduplicated on `_bkt`+`_cd`. */
  readonly overlapSeconds: number;
  /** First pass with no checkpoint: how far back in index time to start. */
  readonly initialLookbackMinutes: number;
  /** One pass reads at most this much index time, so a long outage is caught up over several passes. */
  readonly maxWindowMinutes: number;
  /** Event-time bound of the search (`earliest_time`): late arrivals older than this are not found. */
  readonly eventLookbackHours: number;
}

export interface HecSettings {
  readonly url: URL;
  readonly token: SecretSource | { readonly storagePassword: string };
  readonly index: string;
  readonly source: string;
  readonly host?: string;
  /** Fail when the token has indexer acknowledgement off (no ackId in the reply). */
  readonly requireAck: boolean;
  readonly ackTimeoutSeconds: number;
  readonly batchBytes: number;
  /** Before sending, ask Splunk which alert ids are already indexed and skip them. */
  readonly skipIndexed: boolean;
  readonly tls: TlsSettings;
}

const name = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' };
const envName = { type: 'string', minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const path = { type: 'string', minLength: 1 };
const indexList = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9_*][A-Za-z0-9_*-]*$' } };
const tls = {
  caFile: { ...path, description: 'PEM CA bundle that signed the Splunk certificate (relative to the config file)' },
  tlsServerName: { type: 'string', minLength: 1, description: 'Name expected in the certificate (Splunk default certs: SplunkServerDefaultCert)' },
  insecureSkipTlsVerify: { type: 'boolean', description: 'Accept any certificate. Never in production.' },
};

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'hec'],
  properties: {
    url: { type: 'string', pattern: '^https?://[^\\s/]+(:\\d+)?/?$' },
    app: name,
    owner: name,
    username: { type: 'string', minLength: 1, maxLength: 256 },
    passwordEnv: envName,
    passwordFile: path,
    tokenEnv: envName,
    tokenFile: path,
    sessionKeyFromStdin: { type: 'boolean' },
    ...tls,
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
    search: {
      type: 'object',
      additionalProperties: false,
      properties: {
        windowsIndexes: indexList,
        entraIndexes: indexList,
        settleSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        overlapSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        initialLookbackMinutes: { type: 'integer', minimum: 1 },
        maxWindowMinutes: { type: 'integer', minimum: 1 },
        eventLookbackHours: { type: 'integer', minimum: 1 },
      },
    },
    hec: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^https?://[^\\s/]+(:\\d+)?/?$' },
        tokenEnv: envName,
        tokenFile: path,
        tokenStoragePassword: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^:`\\s]+$' },
        index: name,
        source: name,
        host: { type: 'string', minLength: 1, maxLength: 200 },
        requireAck: { type: 'boolean' },
        ackTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
        batchBytes: { type: 'integer', minimum: 1024, maximum: 100 * 1024 * 1024 },
        skipIndexed: { type: 'boolean' },
        ...tls,
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      properties: {
        collection: name, key: name, fallbackFile: path,
        leaseSeconds: { type: 'integer', minimum: 10, maximum: 3600, description: 'Longest a commit holds the KV store commit lease before another pass may take it over' },
      },
    },
  },
};

const INLINE_SECRET_KEYS: Record<string, string> = {
  password: 'passwordEnv or passwordFile',
  token: 'tokenEnv or tokenFile',
  sessionKey: 'sessionKeyFromStdin (scripted input) or a token',
  hecToken: 'hec.tokenEnv, hec.tokenFile or hec.tokenStoragePassword',
};
let check: ReturnType<Ajv['compile']> | undefined;

/** Validates `raw` (the `splunk` section) and resolves defaults; paths resolve against `configDir`. */
export function resolveSplunkSettings(raw: unknown, configDir: string): SplunkSettings {
  refuseInlineSecrets(raw, 'splunk', INLINE_SECRET_KEYS);
  if (raw && typeof raw === 'object' && 'hec' in raw) refuseInlineSecrets((raw as { hec: unknown }).hec, 'splunk.hec', INLINE_SECRET_KEYS);
  check ??= new Ajv({ allErrors: false, strict: true }).compile(schema);
  if (!check(raw)) throw sectionError('splunk', (check.errors ?? [])[0], (key, e) => (key.endsWith('url') ? 'must be a URL like https://host:port' : notAllowed(e)));
  const c = raw as Record<string, never> & RawSection;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(configDir, p));
  const search = c.search ?? {};
  const hec = c.hec;
  return {
    url: new URL(c.url),
    app: c.app ?? 'tierzero',
    owner: c.owner ?? 'nobody',
    auth: authOf(c, at),
    tls: tlsOf(c, at),
    timeoutMs: c.timeoutMs ?? 300_000,
    maxAttempts: c.maxAttempts ?? 5,
    search: {
      ...(search.windowsIndexes ? { windowsIndexes: search.windowsIndexes } : {}),
      ...(search.entraIndexes ? { entraIndexes: search.entraIndexes } : {}),
      settleSeconds: search.settleSeconds ?? 60,
      overlapSeconds: search.overlapSeconds ?? 10,
      initialLookbackMinutes: search.initialLookbackMinutes ?? 60,
      maxWindowMinutes: search.maxWindowMinutes ?? 24 * 60,
      eventLookbackHours: search.eventLookbackHours ?? 7 * 24,
    },
    hec: {
      url: new URL(hec.url),
      token: one('splunk.hec', [
        hec.tokenEnv !== undefined && { env: hec.tokenEnv },
        hec.tokenFile !== undefined && { file: at(hec.tokenFile) },
        hec.tokenStoragePassword !== undefined && { storagePassword: hec.tokenStoragePassword },
      ], 'needs exactly one of tokenEnv, tokenFile, tokenStoragePassword'),
      index: hec.index ?? 'tierzero',
      source: hec.source ?? 'tierzero',
      ...(hec.host !== undefined ? { host: hec.host } : {}),
      requireAck: hec.requireAck ?? false,
      ackTimeoutSeconds: hec.ackTimeoutSeconds ?? 300,
      batchBytes: hec.batchBytes ?? 512 * 1024,
      skipIndexed: hec.skipIndexed ?? true,
      tls: tlsOf(hec, at),
    },
    state: {
      collection: c.state?.collection ?? 'tierzero_state',
      key: c.state?.key ?? 'engine',
      fallbackFile: at(c.state?.fallbackFile ?? '.tierzero/splunk-state.json'),
      leaseMs: (c.state?.leaseSeconds ?? 300) * 1000,
    },
  };
}

interface RawTls { caFile?: string; tlsServerName?: string; insecureSkipTlsVerify?: boolean }
interface RawSection extends RawTls {
  url: string; app?: string; owner?: string; username?: string; passwordEnv?: string; passwordFile?: string;
  tokenEnv?: string; tokenFile?: string; sessionKeyFromStdin?: boolean; timeoutMs?: number; maxAttempts?: number;
  search?: { windowsIndexes?: string[]; entraIndexes?: string[]; settleSeconds?: number; overlapSeconds?: number; initialLookbackMinutes?: number; maxWindowMinutes?: number; eventLookbackHours?: number };
  hec: RawTls & { url: string; tokenEnv?: string; tokenFile?: string; tokenStoragePassword?: string; index?: string; source?: string; host?: string; requireAck?: boolean; ackTimeoutSeconds?: number; batchBytes?: number; skipIndexed?: boolean };
  state?: { collection?: string; key?: string; fallbackFile?: string; leaseSeconds?: number };
}

function authOf(c: RawSection, at: (p: string) => string): SplunkSettings['auth'] {
  const password = c.passwordEnv !== undefined || c.passwordFile !== undefined;
  const token = c.tokenEnv !== undefined || c.tokenFile !== undefined;
  const kinds = [password || c.username !== undefined, token, c.sessionKeyFromStdin === true].filter(Boolean).length;
  if (kinds !== 1) throw new ConfigError('splunk', 'needs exactly one way to authenticate: username with passwordEnv/passwordFile, tokenEnv/tokenFile, or sessionKeyFromStdin');
  if (c.sessionKeyFromStdin) return { kind: 'sessionKeyFromStdin' };
  if (token) {
    return { kind: 'token', token: one('splunk', [c.tokenEnv !== undefined && { env: c.tokenEnv }, c.tokenFile !== undefined && { file: at(c.tokenFile) }], 'needs only one of tokenEnv, tokenFile') };
  }
  if (c.username === undefined) throw new ConfigError('splunk.username', 'is required with passwordEnv/passwordFile');
  const source = one('splunk', [c.passwordEnv !== undefined && { env: c.passwordEnv }, c.passwordFile !== undefined && { file: at(c.passwordFile) }], 'needs exactly one of passwordEnv, passwordFile with username');
  return { kind: 'password', username: c.username, password: source };
}

function tlsOf(c: RawTls, at: (p: string) => string): TlsSettings {
  return {
    verify: c.insecureSkipTlsVerify !== true,
    ...(c.caFile !== undefined ? { caFile: at(c.caFile) } : {}),
    ...(c.tlsServerName !== undefined ? { serverName: c.tlsServerName } : {}),
  };
}

function one<T>(key: string, options: readonly (T | false)[], expected: string): T {
  const set = options.filter((o): o is T => o !== false);
  if (set.length !== 1 || set[0] === undefined) throw new ConfigError(key, expected);
  return set[0];
}

