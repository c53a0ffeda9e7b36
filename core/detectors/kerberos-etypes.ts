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
