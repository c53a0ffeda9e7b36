import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/config/config';
import { INLINE_SECRET_KEYS, responseSchema } from './config-schema';
import { Secret } from '../core/config/secret';

export { ConfigError };

export interface ActiveDirectorySettings {
  readonly url: string;
  readonly baseDn: string;
  readonly bindDn: string;
  readonly bindPassword: Secret;
  readonly ca?: Buffer;
  readonly tlsServerName?: string;
  readonly timeoutMs: number;
  readonly breakGlassGroups: readonly string[];
}

export interface EntraSettings {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly authorityUrl: string;
  readonly graphUrl: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly maxRetryAfterSeconds: number;
  readonly breakGlassGroups: readonly string[];
}

/** Where a secret comes from; loaded only by the command that needs it (the token by the server). */
export type SecretSource = { readonly key: string; readonly env: string } | { readonly key: string; readonly file: string };

export interface ResponderSettings {
  readonly host: string;
  readonly port: number;
  readonly token?: SecretSource;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly returnGeneratedPasswords: boolean;
}

export interface ResponseSettings {
  readonly activeDirectory?: ActiveDirectorySettings;
  readonly entra?: EntraSettings;
  readonly protectedAccounts: readonly string[];
  readonly serviceAccounts: readonly string[];
  readonly circuitBreaker: { readonly maxActionsPerHour: number; readonly stateFile: string };
  readonly auditLog: string;
  readonly passwordLength: number;
  readonly responder: ResponderSettings;
}

export interface ResolveOptions {
  /** Relative paths (audit log, CA, secret files) resolve against the config file's folder. */
  readonly baseDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly readFile?: (path: string) => Buffer;
}

export const DEFAULTS = {
  adTimeoutMs: 10_000,
  authorityUrl: 'https://login.microsoftonline.com',
  graphUrl: 'https://graph.microsoft.com',
  graphTimeoutMs: 15_000,
  maxAttempts: 5,
  maxRetryAfterSeconds: 120,
  maxActionsPerHour: 20,
  stateFile: '.tierzero/response-breaker.json',
  auditLog: '.tierzero/response-audit.jsonl',
  passwordLength: 24,
  responderHost: '127.0.0.1',
  responderPort: 8787,
} as const;

/** Validates `response` (fails fast naming the exact key) and loads the AD and Entra secrets. */
export function resolveResponseConfig(raw: unknown, options: ResolveOptions): ResponseSettings {
  const section = raw ?? {};
  checkResponseSection(section);
  const c = section as RawResponse;
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p));
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(options.baseDir, p));
  const secret = (src: SecretSource | undefined, what: string, key: string): Secret => {
    if (!src) throw new ConfigError(key, `is required: name the ${what} with ${key}Env or ${key}File (never inline)`);
    return loadSecret(src, { env, readFile, path });
  };

  const ad = c.activeDirectory;
  const entra = c.entra;
  const responderHost = c.responder?.host ?? DEFAULTS.responderHost;
  return {
    ...(ad && {
      activeDirectory: {
        url: ad.url,
        baseDn: ad.baseDn,
        bindDn: ad.bindDn,
        bindPassword: secret(sourceOf(ad, 'bindPassword', 'response.activeDirectory'), 'service account password', 'response.activeDirectory.bindPassword'),
        ...(ad.caFile !== undefined && { ca: readOrFail(readFile, path(ad.caFile), 'response.activeDirectory.caFile') }),
        ...(ad.tlsServerName !== undefined && { tlsServerName: ad.tlsServerName }),
        timeoutMs: ad.timeoutMs ?? DEFAULTS.adTimeoutMs,
        breakGlassGroups: ad.breakGlassGroups ?? [],
      },
    }),
    ...(entra && {
      entra: {
        tenantId: entra.tenantId,
        clientId: entra.clientId,
        clientSecret: secret(sourceOf(entra, 'clientSecret', 'response.entra'), 'client secret', 'response.entra.clientSecret'),
        authorityUrl: stripSlash(entra.authorityUrl ?? DEFAULTS.authorityUrl),
        graphUrl: stripSlash(entra.graphUrl ?? DEFAULTS.graphUrl),
        timeoutMs: entra.timeoutMs ?? DEFAULTS.graphTimeoutMs,
        maxAttempts: entra.maxAttempts ?? DEFAULTS.maxAttempts,
        maxRetryAfterSeconds: entra.maxRetryAfterSeconds ?? DEFAULTS.maxRetryAfterSeconds,
        breakGlassGroups: entra.breakGlassGroups ?? [],
      },
    }),
    protectedAccounts: c.protectedAccounts ?? [],
    serviceAccounts: c.serviceAccounts ?? [],
    circuitBreaker: {
      maxActionsPerHour: c.circuitBreaker?.maxActionsPerHour ?? DEFAULTS.maxActionsPerHour,
      stateFile: path(c.circuitBreaker?.stateFile ?? DEFAULTS.stateFile),
    },
    auditLog: path(c.auditLog ?? DEFAULTS.auditLog),
    passwordLength: c.passwordLength ?? DEFAULTS.passwordLength,
    responder: {
      host: responderHost,
      port: c.responder?.port ?? DEFAULTS.responderPort,
      ...(c.responder && { token: sourceOf(c.responder, 'token', 'response.responder', path) }),
      ...(c.responder?.tls && { tls: { certFile: path(c.responder.tls.certFile), keyFile: path(c.responder.tls.keyFile) } }),
      returnGeneratedPasswords: c.responder?.returnGeneratedPasswords ?? false,
    },
  };
}

/**
 * Everything about `response` that can be checked without reading a secret or a file: no
 * inline secret, the schema (passwordLength ≥ 16, https URLs, …), TLS for a non-loopback
 * responder. `detect` and `doctor` run it too, so a config is judged the same by every command.
 */
export function checkResponseSection(raw: unknown): void {
  const section = raw ?? {};
  refuseInlineSecrets(section);
  validate(section);
  const responder = (section as RawResponse).responder;
  if (!isLoopback(responder?.host ?? DEFAULTS.responderHost) && !responder?.tls) {
    throw new ConfigError('response.responder.host', 'is not a loopback address: set response.responder.tls too, or the bearer token crosses the network in clear text');
  }
}

/** Reads a secret from its environment variable or file; the error names the key, never a value. */
export function loadSecret(
  src: SecretSource,
  io: { env?: NodeJS.ProcessEnv; readFile?: (p: string) => Buffer; path?: (p: string) => string } = {},
): Secret {
  if ('env' in src) {
    const value = (io.env ?? process.env)[src.env];
    if (value === undefined || value === '') throw new ConfigError(`${src.key}Env`, `names environment variable ${src.env}, which is not set`);
    return new Secret(value, `environment variable ${src.env}`);
  }
  const file = io.path ? io.path(src.file) : src.file;
  const value = readOrFail(io.readFile ?? ((p: string) => readFileSync(p)), file, `${src.key}File`).toString('utf8').replace(/\r?\n$/, '');
  if (value === '') throw new ConfigError(`${src.key}File`, `names ${file}, which is empty`);
  return new Secret(value, `file ${file}`);
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

interface RawResponse {
  activeDirectory?: { url: string; baseDn: string; bindDn: string; bindPasswordEnv?: string; bindPasswordFile?: string; caFile?: string; tlsServerName?: string; timeoutMs?: number; breakGlassGroups?: string[] };
  entra?: { tenantId: string; clientId: string; clientSecretEnv?: string; clientSecretFile?: string; authorityUrl?: string; graphUrl?: string; timeoutMs?: number; maxAttempts?: number; maxRetryAfterSeconds?: number; breakGlassGroups?: string[] };
  protectedAccounts?: string[];
  serviceAccounts?: string[];
  circuitBreaker?: { maxActionsPerHour?: number; stateFile?: string };
  auditLog?: string;
  passwordLength?: number;
  responder?: { host?: string; port?: number; tokenEnv?: string; tokenFile?: string; tls?: { certFile: string; keyFile: string }; returnGeneratedPasswords?: boolean };
}

function sourceOf(obj: object, base: string, prefix: string, path?: (p: string) => string): SecretSource | undefined {
  const o = obj as Record<string, unknown>;
  const env = o[`${base}Env`];
  const file = o[`${base}File`];
  const key = `${prefix}.${base}`;
  if (typeof env === 'string' && typeof file === 'string') throw new ConfigError(key + 'Env', `and ${key}File are both set: keep one`);
  if (typeof env === 'string') return { key, env };
  if (typeof file === 'string') return { key, file: path ? path(file) : file };
  return undefined;
}

function refuseInlineSecrets(section: unknown): void {
  if (!isObject(section)) return;
  for (const [dotted, use] of Object.entries(INLINE_SECRET_KEYS)) {
    const [parent, child] = dotted.split('.') as [string, string];
    const p = section[parent];
    if (isObject(p) && child in p) throw new ConfigError(`response.${dotted}`, `must not hold a secret inline: use ${use}`);
  }
}

let check: ReturnType<Ajv['compile']> | undefined;

function validate(section: unknown): void {
  if (!check) {
    const ajv = new Ajv({ allErrors: false, strict: true, strictTypes: false });
    ajv.addFormat('ldap-url', { type: 'string', validate: (s: string) => /^ldaps?:\/\/[^\s/:]+(:\d{1,5})?\/?$/i.test(s) });
    ajv.addFormat('service-url', { type: 'string', validate: isServiceUrl });
    check = ajv.compile(responseSchema);
  }
  if (check(section)) return;
  const first = (check.errors ?? [])[0];
  if (first) throw toConfigError(first);
}

/** https only, except plain http to a loopback emulator (tests, local proxies). */
function isServiceUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname));
  } catch {
    return false;
  }
}

function toConfigError(e: ErrorObject): ConfigError {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const key = path ? `response.${path}` : 'response';
  switch (e.keyword) {
    case 'additionalProperties':
      return new ConfigError(`${key}.${String((e.params as { additionalProperty: string }).additionalProperty)}`, 'is not a known key');
    case 'required':
      return new ConfigError(`${key}.${String((e.params as { missingProperty: string }).missingProperty)}`, 'is required');
    case 'format':
      return new ConfigError(
        key,
        (e.params as { format: string }).format === 'ldap-url'
          ? 'must be an ldaps:// or ldap:// URL (ldap:// is always upgraded with StartTLS)'
          : 'must be an https:// URL (http:// only to a loopback address)',
      );
    default:
      return new ConfigError(key, e.message ?? 'is invalid');
  }
}

function readOrFail(readFile: (p: string) => Buffer, path: string, key: string): Buffer {
  try {
    return readFile(path);
  } catch (err) {
    throw new ConfigError(key, `names ${path}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
