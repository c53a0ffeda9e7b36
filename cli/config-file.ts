import { readFile } from 'node:fs/promises';
import { ConfigError, resolveConfig, type ResolvedConfig } from '../core/config/config';
import { platformSections } from '../adapters/index';
import { DECLARATIONS } from '../core/detectors/registry';
import { withDirectoryExport } from './directory-export-file';

/** Reads a JSON config file; a missing or unparsable file is a ConfigError naming the file. */
export async function readConfigFile(path: string | undefined): Promise<unknown> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, `is not valid JSON: ${(e as Error).message}`);
  }
  return withDirectoryExport(raw, path);
}

export async function loadConfig(path: string | undefined): Promise<ResolvedConfig> {
  return resolveWithPlatforms(await readConfigFile(path));
}

/** The core config, with every registered platform's section accepted beside it. */
export function resolveWithPlatforms(raw: unknown): ResolvedConfig {
  return resolveConfig(raw, DECLARATIONS, platformSections());
}
