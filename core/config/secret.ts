import { inspect } from 'node:util';

/**
 * Secrets (bind password, client secret, responder token, SIEM credentials, tokens,
 * generated passwords) are registered here the moment they enter the process: one registry for
 * the whole process, so whichever edge writes a text masks every secret, in every encoded form. Every outward text — audit lines,
 * error messages, HTTP error bodies, CLI errors — passes through `scrubSecrets`, so a secret
 * that slips into a platform message (or a bug of ours) is masked rather than written down.
 */
/** Each registered secret with every form it can take in a text, longest first. */
const registered = new Map<string, readonly string[]>();
const MASK = '[REDACTED]';
/** Shorter values would mask ordinary words; every secret we hold is far longer. */
const MIN_LENGTH = 6;

export function registerSecret(value: string): void {
  if (value.length >= MIN_LENGTH && !registered.has(value)) registered.set(value, encodedForms(value));
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const forms of registered.values()) for (const f of forms) if (out.includes(f)) out = out.split(f).join(MASK);
  return out;
}

/**
 * The forms a secret takes when a platform echoes it back — a token endpoint that returns the
 * request body (`client_secret=abc8Q%7E…`), a JSON error quoting it, a Basic auth header:
 *  - URL-encoded as `encodeURIComponent` does and as a form body does (URLSearchParams:
 *    `~` → `%7E`, space → `+`), with upper- and lower-case hex (RFC 3986 §2.1 allows both);
 *  - JSON-escaped, also with `\/` (PHP, Java) and escaped twice (JSON quoted inside JSON);
 *  - base64 and base64url, at each of the 3 byte alignments, so the secret is found inside a
 *    longer encoded value (`base64(user:secret)`) — only the characters that depend on the
 *    secret's bytes alone, which any encoding of it at that offset contains.
 */
export function encodedForms(value: string): readonly string[] {
  const forms = new Set<string>([value]);
  const percent = [encodeURIComponent(value), new URLSearchParams([['', value]]).toString().slice(1)];
  for (const p of percent) {
    forms.add(p);
    forms.add(p.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  }
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  forms.add(json.replace(/\//g, '\\/'));
  forms.add(JSON.stringify(json).slice(1, -1));
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i holds bits [6i, 6i+6); the secret's bits are [8·offset, 8·(offset+n)).
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length)) / 6) - 1;
    const inner = b64.slice(first, last + 1);
    if (inner.length >= MIN_LENGTH) {
      forms.add(inner);
      forms.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
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
