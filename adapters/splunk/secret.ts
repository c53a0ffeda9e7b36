/** Moved to adapters/secret.ts (every platform reads credentials the same way); kept so older imports still resolve. */
export { readSecret, Secret, SecretUnavailableError, type SecretSource } from '../secret';
