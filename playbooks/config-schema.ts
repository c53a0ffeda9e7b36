/**
 * JSON Schema of the `response` section of tierzero.json (the core schema passes it through).
 * Secrets are never values here: each is named by an `…Env` (environment variable) or `…File`
 * (a file holding only the secret) key, and config.ts refuses inline secrets by name.
 */
const secretSource = (envKey: string, fileKey: string, what: string): Record<string, object> => ({
  [envKey]: { type: 'string', minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: `Environment variable holding the ${what}` },
  [fileKey]: { type: 'string', minLength: 1, description: `File holding only the ${what} (trailing newline ignored)` },
});

const dnList = { type: 'array', items: { type: 'string', minLength: 3 } };

export const responseSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    activeDirectory: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'baseDn', 'bindDn'],
      properties: {
        url: { type: 'string', format: 'ldap-url', description: 'ldaps://host[:636] (implicit TLS) or ldap://host[:389] (always upgraded with StartTLS)' },
        baseDn: { type: 'string', minLength: 3, description: 'Where users are searched, e.g. DC=corp,DC=example' },
        bindDn: { type: 'string', minLength: 3, description: 'DN of the delegated service account' },
        ...secretSource('bindPasswordEnv', 'bindPasswordFile', 'service account password'),
        caFile: { type: 'string', minLength: 1, description: 'PEM CA bundle that signed the DC certificate (default: the system store)' },
        tlsServerName: { type: 'string', minLength: 1, description: 'Name expected in the DC certificate when the URL host differs' },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 300000 },
        breakGlassGroups: { ...dnList, description: 'DNs of groups whose members (nested too) are never touched' },
      },
    },
    entra: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'clientId'],
      properties: {
        tenantId: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9.-]+$' },
        clientId: { type: 'string', minLength: 1 },
        ...secretSource('clientSecretEnv', 'clientSecretFile', 'app client secret'),
        authorityUrl: { type: 'string', format: 'service-url', description: 'Default https://login.microsoftonline.com' },
        graphUrl: { type: 'string', format: 'service-url', description: 'Default https://graph.microsoft.com' },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 300000 },
        maxAttempts: { type: 'integer', minimum: 1, maximum: 10, description: 'Tries per Graph call, counting the first' },
        maxRetryAfterSeconds: { type: 'integer', minimum: 1, maximum: 3600, description: 'Longest Retry-After honoured before giving up' },
        breakGlassGroups: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Object ids of Entra groups whose members are never touched' },
      },
    },
    protectedAccounts: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'sAMAccountName, DOMAIN\\sam, UPN, SID, DN or Entra object id' },
    serviceAccounts: { type: 'array', items: { type: 'string', minLength: 1 }, description: "The engine's own accounts (SIEM readers, sync accounts); never touched" },
    circuitBreaker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxActionsPerHour: { type: 'integer', minimum: 1, maximum: 10000 },
        stateFile: { type: 'string', minLength: 1 },
      },
    },
    auditLog: { type: 'string', minLength: 1, description: 'Append-only JSON-lines audit file' },
    passwordLength: { type: 'integer', minimum: 16, maximum: 256 },
    responder: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1, description: 'Listen address (default 127.0.0.1)' },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        ...secretSource('tokenEnv', 'tokenFile', 'bearer token callers must present'),
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certFile', 'keyFile'],
          properties: { certFile: { type: 'string', minLength: 1 }, keyFile: { type: 'string', minLength: 1 } },
        },
        returnGeneratedPasswords: { type: 'boolean', description: 'Return reset passwords in HTTP responses (default false)' },
      },
    },
  },
} as const;

/** Keys that would hold a secret inline, refused with a pointer to the …Env/…File form. */
export const INLINE_SECRET_KEYS: Readonly<Record<string, string>> = {
  'activeDirectory.bindPassword': 'bindPasswordEnv or bindPasswordFile',
  'activeDirectory.password': 'bindPasswordEnv or bindPasswordFile',
  'entra.clientSecret': 'clientSecretEnv or clientSecretFile',
  'entra.secret': 'clientSecretEnv or clientSecretFile',
  'responder.token': 'tokenEnv or tokenFile',
  'responder.bearerToken': 'tokenEnv or tokenFile',
};
