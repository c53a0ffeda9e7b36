import { readFile } from 'node:fs/promises';
import { Secret } from '../core/config/secret';

export { Secret };

/** Where a secret is read from: an environment variable or a file holding only the secret. */
export type SecretSource = { readonly env: string } | { readonly file: string };

export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

export async function readSecret(source: SecretSource, what: string, env: NodeJS.ProcessEnv): Promise<Secret> {
  if ('env' in source) {
    const value = env[source.env];
    if (value === undefined || value === '') throw new SecretUnavailableError(`${what}: environment variable ${source.env} is not set`);
    return new Secret(value, `$${source.env}`);
  }
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (e) {
    throw new SecretUnavailableError(`${what}: cannot read ${source.file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new SecretUnavailableError(`${what}: ${source.file} is empty`);
  return new Secret(value, source.file);
}
