import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';

/**
 * A credential (Splunk password, authentication token, session key, HEC token). It prints as
 * where it came from, never as its value, and every value is registered so `redact` can mask
 * it in any text that leaves the process (errors, logs), should Splunk ever echo it back.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string, readonly origin: string) {
    this.#value = value;
    if (value.length >= MIN_LENGTH) registered.add(value);
  }

  /** The raw value: call only where it is sent (Authorization header, login form). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return `[secret from ${this.origin}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

const registered = new Set<string>();
/** Shorter strings would mask ordinary words; no credential we hold is this short. */
const MIN_LENGTH = 6;

export function redact(text: string): string {
  let out = text;
  for (const s of registered) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}

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
