import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stripBom } from '../core/config/bom';
import { ConfigError, resolveResponseConfig, type ResponseSettings } from './config';

/** Reads tierzero.json and resolves its `response` section (paths relative to the file). */
export function loadResponseSettings(configPath: string, env: NodeJS.ProcessEnv = process.env): ResponseSettings {
  const path = resolve(configPath);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `names ${path}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripBom(text));
  } catch (err) {
    throw new ConfigError('--config', `names ${path}, which is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('--config', `names ${path}, which must hold a JSON object`);
  const response = (parsed as Record<string, unknown>).response;
  if (response === undefined) throw new ConfigError('response', `is missing from ${path}: the playbooks need at least response.activeDirectory or response.entra`);
  const settings = resolveResponseConfig(response, { baseDir: dirname(path), env });
  if (!settings.activeDirectory && !settings.entra) throw new ConfigError('response', 'needs response.activeDirectory, response.entra, or both');
  return settings;
}
