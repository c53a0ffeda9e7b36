/** A config a user can fix: names the key and what was expected. */
export class ConfigError extends Error {
  constructor(readonly key: string, readonly expected: string) {
    super(`config: ${key || '(root)'} ${expected}`);
    this.name = 'ConfigError';
  }
}
