/**
 * Kerberos encryption types whose tickets can be cracked offline: RC4-HMAC (0x17, and 0x18
 * "exportable") is keyed with the account's NT hash, unsalted; DES (0x1, 0x3) is broken outright.
 * AES (0x11/0x12, RFC 3962) is salted and slow to crack. RFC 3961/4757.
 */
const CRACKABLE_ETYPES: ReadonlySet<number> = new Set([0x1, 0x3, 0x17, 0x18]);

export function isCrackableEtype(etype: number | undefined): etype is number {
  return etype !== undefined && CRACKABLE_ETYPES.has(etype);
}

export function crackableEtypeName(etype: number): 'RC4' | 'DES' {
  return etype === 0x17 || etype === 0x18 ? 'RC4' : 'DES';
}

/**
 * AES etypes: aes128/aes256-cts-hmac-sha1-96 (0x11/0x12, RFC 3962) and the SHA-2 variants
 * (0x13/0x14, RFC 8009). Salted with the principal name and slow to crack offline.
 */
export const AES_ETYPES: ReadonlySet<number> = new Set([0x11, 0x12, 0x13, 0x14]);

export function isAesEtype(etype: number | undefined): boolean {
  return etype !== undefined && AES_ETYPES.has(etype);
}

/**
 * Pre-authentication that proves the client holds the account's key: PA-ENC-TIMESTAMP (2) and
 * FAST encrypted challenge (138). No pre-auth (0) is AS-REP roasting's business; PKINIT (15-17)
 * is a smartcard, not a hash (RFC 4120 §5.2.7, RFC 6113).
 */
const KEY_PREAUTH: ReadonlySet<number> = new Set([2, 138]);

export function isKeyPreAuth(preAuthType: number | undefined): boolean {
  return preAuthType !== undefined && KEY_PREAUTH.has(preAuthType);
}
