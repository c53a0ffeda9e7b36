import type { ErrorObject } from 'ajv';
import { ConfigError } from '../core/config/config';

/**
 * How every platform section reports a bad key: the dotted key from the section's name down, and
 * what is wrong with it, in the same words for Splunk, Elastic and Sentinel (DESIGN §6: bad config
 * fails fast naming the key).
 */

/** A key named like a secret holding the secret itself: refuse, naming the key to use instead, never echoing it. */
export function refuseInlineSecrets(raw: unknown, where: string, keys: Readonly<Record<string, string>>): void {
  if (!raw || typeof raw !== 'object') return;
  for (const [k, instead] of Object.entries(keys)) {
    if (k in raw) throw new ConfigError(`${where}.${k}`, `must not hold a secret in config: use ${instead}`);
  }
}

/** What a failed `pattern` means for this key, in the section's own terms. */
export type PatternMeaning = (key: string, e: ErrorObject) => string;

/** ajv's first error on the section as a ConfigError naming the key (`elastic.state.index`). */
export function sectionError(section: string, e: ErrorObject | undefined, patternMeaning: PatternMeaning): ConfigError {
  if (!e) return new ConfigError(section, 'is invalid');
  const key = `${section}${e.instancePath.replace(/\//g, '.')}`;
  switch (e.keyword) {
    case 'additionalProperties':
      return new ConfigError(`${key}.${String((e.params as { additionalProperty: string }).additionalProperty)}`, 'is not a known key');
    case 'required':
      return new ConfigError(`${key}.${String((e.params as { missingProperty: string }).missingProperty)}`, 'is required');
    case 'pattern':
      return new ConfigError(key, patternMeaning(key, e));
    case 'enum':
      return new ConfigError(key, `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`);
    default:
      return new ConfigError(key, e.message ?? 'is invalid');
  }
}

/** The fallback meaning of a failed pattern: ajv's own words. */
export function notAllowed(e: ErrorObject): string {
  return `has characters that are not allowed (${e.message ?? ''})`;
}
