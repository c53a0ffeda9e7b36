import { findPlatform, platformNames, platformsIn, type PlatformEntry } from '../adapters/index';
import { ConfigError } from '../core/config/config';
import { UsageError } from './args';

/**
 * Which registered platform a config is for: the one whose section it has, or the one
 * `--platform` names when it has several. Shared by `run` and `doctor --config`.
 */
export function choosePlatform(raw: unknown, flag: string | undefined): PlatformEntry {
  const present = platformsIn(raw);
  const names = platformNames();
  if (flag !== undefined) {
    const entry = findPlatform(flag);
    if (!entry) throw new UsageError(`--platform must be one of ${names.join(', ')}`);
    if (!present.includes(entry)) throw new ConfigError(flag, `section is missing: --platform ${flag} needs it`);
    return entry;
  }
  if (present.length === 0) throw new ConfigError('(root)', `names no platform: add a ${names.map((p) => `"${p}"`).join(' or ')} section`);
  if (present.length > 1) throw new ConfigError('(root)', `has sections for ${present.map((p) => p.name).join(' and ')}: choose one with --platform`);
  return present[0] as PlatformEntry;
}
