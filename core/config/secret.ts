import { inspect } from 'node:util';

/**
 * Secrets (bind password, client secret, responder token, SIEM credentials, tokens,
 * generated passwords) are registered here the moment they enter the process: one registry for
 * the whole process, so whichever edge writes a text masks every secret. Every outward text — audit lines,
 * error messages, HTTP error bodies, CLI errors — passes through `scrubSecrets`, so a secret
 * that slips into a platform message (or a bug of ours) is masked rather than written down.
 */
const registered = new Set<string>();
const MASK = '[REDACTED]';
/** Shorter values would mask ordinary words; every secret we hold is far longer. */
const MIN_LENGTH = 6;

export function registerSecret(value: string): void {
  if (value.length >= MIN_LENGTH) registered.add(value);
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of registered) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** A secret value that prints as its origin, never its content (JSON, inspect, template strings). */
export class Secret {
  readonly #value: string;

  constructor(value: string, readonly origin: string) {
    this.#value = value;
    registerSecret(value);
  }

  /** The raw value: call only at the point of use (bind, token request, comparison). */
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
