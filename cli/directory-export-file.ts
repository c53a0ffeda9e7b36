import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/config/config';
import { DirectoryExportError, parseDirectoryExport } from '../core/identity/directory-export';

/**
 * `identities.directoryExport` names a file (a Graph `/users` export or UEBA
 * `IdentityInfo` rows), relative to the config file. The core reads no files, so the CLI reads
 * it here and inlines its identities into `identities.accounts` before validation.
 */
export async function withDirectoryExport(raw: unknown, configPath: string): Promise<unknown> {
  const identities = (raw as { identities?: { directoryExport?: unknown; accounts?: unknown } } | null)?.identities;
  if (!identities || typeof identities.directoryExport !== 'string') return raw;
  const path = resolve(dirname(configPath), identities.directoryExport);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError('identities.directoryExport', `names ${path}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let seeds;
  try {
    seeds = parseDirectoryExport(text, path);
  } catch (e) {
    if (e instanceof DirectoryExportError) throw new ConfigError('identities.directoryExport', `is not a directory export: ${e.message}`);
    throw e;
  }
  const accounts = Array.isArray(identities.accounts) ? identities.accounts : [];
  return { ...(raw as object), identities: { ...identities, accounts: [...accounts, ...seeds] } };
}
