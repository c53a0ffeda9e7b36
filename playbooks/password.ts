import { randomInt } from 'node:crypto';
import { registerSecret } from '../core/config/secret';

/**
 * A containment password: nobody needs to remember it, it only has to lock the attacker out and
 * satisfy any domain policy. Drawn with `crypto.randomInt` (CSPRNG, unbiased), it holds every
 * character class AD's complexity rule counts, and no `"` so the quoted unicodePwd value stays
 * unambiguous. Registered as a secret at birth: it can be shown once, never logged.
 */
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!#$%&*+-=?@^_~';
const ALL = UPPER + LOWER + DIGITS + SYMBOLS;

export const MIN_PASSWORD_LENGTH = 16;

export function generatePassword(length = 24): string {
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > 256) {
    throw new RangeError(`password length must be an integer from ${MIN_PASSWORD_LENGTH} to 256`);
  }
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(ALL));
  // Fisher–Yates, so the guaranteed classes are not always in the first four places.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  const password = chars.join('');
  registerSecret(password);
  return password;
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] as string;
}
