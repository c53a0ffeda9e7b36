import { ConfigError, resolveConfig } from '../../core/config/config';
import { DECLARATIONS } from '../../core/detectors/registry';

/** The ConfigError a raw config raises; fails the test when it is accepted. */
export function configError(raw: unknown): ConfigError {
  try {
    resolveConfig(raw, DECLARATIONS);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
