import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stripBom } from '../core/config/bom';
import { ConfigError, resolveConfig, type ResolvedConfig } from '../core/config/config';
import { platformSections, platformsIn } from '../adapters/index';
import { DECLARATIONS } from '../core/detectors/registry';
import { checkResponseSection } from '../playbooks/config';
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
    raw = JSON.parse(stripBom(text));
  } catch (e) {
    throw new ConfigError(path, `is not valid JSON: ${(e as Error).message}`);
  }
  return withDirectoryExport(raw, path);
}

/**
 * The whole config judged as every command judges it: the core keys, every registered platform's
 * section (adapters/index.ts) and the `response` section, checked without reading any secret —
 * so `detect` rejects an inline password or `passwordLength: 8` just as `respond` and `run` do.
 */
export function resolveWholeConfig(raw: unknown, configPath: string | undefined): ResolvedConfig {
  const config = resolveConfig(raw, DECLARATIONS, platformSections());
  const sections = (raw ?? {}) as Record<string, unknown>;
  if (sections['response'] !== undefined) checkResponseSection(sections['response']);
  for (const p of platformsIn(raw)) p.checkSection(sections[p.name], dirname(configPath ?? '.'));
  return config;
}

export async function loadConfig(path: string | undefined): Promise<ResolvedConfig> {
  return resolveWholeConfig(await readConfigFile(path), path);
}
