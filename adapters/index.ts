/* eslint-disable @typescript-eslint/no-require-imports -- adapters load on demand, like commands */
import type { Platform } from './platform';

/**
 * The one registry of platforms. The config key is the platform's name; `tierzero run`,
 * `package` and `doctor --config` and the config schema read this list and name no platform
 * themselves. Adding Elastic or Sentinel is one entry here. Only the entry is loaded up front:
 * the adapter (its SDK, its packager's esbuild) loads when a command needs it.
 */
export interface PlatformEntry {
  /** The config section key, the `--platform` value and `tierzero package <name>`. */
  readonly name: string;
  readonly title: string;
  /**
   * What the core config schema checks the section against. The adapter validates the section in
   * full when it opens (naming each key, refusing inline secrets), so here it is the envelope.
   */
  readonly configSchema: object;
  /**
   * The section checked in full, as `open` would check it but reading no secret: every command
   * that takes the config (`detect` and `eval` too) refuses a bad section, naming the key.
   */
  readonly checkSection: (section: unknown, configDir: string) => void;
  readonly load: () => Platform;
}

export const PLATFORMS: readonly PlatformEntry[] = [
  {
    name: 'splunk',
    title: 'Splunk Enterprise / Splunk Cloud',
    configSchema: { type: 'object', description: 'Splunk platform (tierzero run, doctor --config, package): validated in full by adapters/splunk/config.ts' },
    checkSection: (section, configDir) => {
      (require('./splunk/config') as typeof import('./splunk/config')).resolveSplunkSettings(section, configDir);
    },
    load: () => (require('./splunk/run-adapter') as typeof import('./splunk/run-adapter')).platform,
  },
  {
    name: 'elastic',
    title: 'Elasticsearch / Elastic Security',
    configSchema: { type: 'object', description: 'Elastic platform (tierzero run, doctor --config, package): validated in full by adapters/elastic/config.ts' },
    checkSection: (section, configDir) => {
      (require('./elastic/config') as typeof import('./elastic/config')).resolveElasticSettings(section, configDir);
    },
    load: () => (require('./elastic/run-adapter') as typeof import('./elastic/run-adapter')).platform,
  },
  {
    name: 'sentinel',
    title: 'Microsoft Sentinel (Log Analytics workspace)',
    configSchema: { type: 'object', description: 'Microsoft Sentinel platform (tierzero run, doctor --config, package): validated in full by adapters/sentinel/config.ts' },
    checkSection: (section, configDir) => {
      (require('./sentinel/config') as typeof import('./sentinel/config')).resolveSentinelSettings(section, configDir);
    },
    load: () => (require('./sentinel/run-adapter') as typeof import('./sentinel/run-adapter')).platform,
  },
];

export function platformNames(): string[] {
  return PLATFORMS.map((p) => p.name);
}

export function findPlatform(name: string): PlatformEntry | undefined {
  return PLATFORMS.find((p) => p.name === name);
}

/** Config sections the core schema accepts beside its own, one per platform. */
export function platformSections(): Record<string, object> {
  return Object.fromEntries(PLATFORMS.map((p) => [p.name, p.configSchema]));
}

/** The platforms whose section a config has. */
export function platformsIn(raw: unknown): PlatformEntry[] {
  if (raw === null || typeof raw !== 'object') return [];
  return PLATFORMS.filter((p) => p.name in raw);
}
