import { ConfigError } from './config-error';

interface AjvErrorLike {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: unknown;
  readonly message?: string;
}

/**
 * The first ajv error of a config section as the key a user must fix
 * (`identities.accounts[2].sid must be a SID`), for sections validated by their own module.
 */
export function sectionError(section: string, e: AjvErrorLike | undefined): ConfigError {
  const path = `${section}${(e?.instancePath ?? '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
  const params = (e?.params ?? {}) as { additionalProperty?: string; allowedValues?: unknown[]; format?: string };
  switch (e?.keyword) {
    case 'additionalProperties':
      return new ConfigError(`${path}.${String(params.additionalProperty)}`, 'is not a known key');
    case 'enum':
      return new ConfigError(path, `must be one of ${JSON.stringify(params.allowedValues)}`);
    case 'format':
      return new ConfigError(path, params.format === 'ip-or-cidr' ? 'must be an IP address or CIDR range (e.g. 203.0.113.0/24)' : `must be a ${params.format}`);
    case 'pattern':
      return new ConfigError(path, /sid$/i.test(path) ? 'must be a SID (S-1-5-21-…)' : 'must be a GUID');
    default:
      return new ConfigError(path, e?.message ?? 'is invalid');
  }
}
