/**
 * An IPv4 address as a number, for the compact estate tables (machines, logon sessions): a
 * typed column's 4 or 8 bytes instead of a ~40-byte string per row (issue 13). Only the canonical
 * dotted quad (no leading zeros) is read, so formatting gives back the very text that was
 * logged; anything else (IPv6, `::ffff:` forms the normalisers left) stays text.
 */
/**
 * A dotted-quad IPv4 address in canonical form (no leading zeros, so it formats back to the
 * same text) as its number; else undefined. Read char by char: it runs on every 4624.
 */
export function parseIpv4(ip: string): number | undefined {
  if (ip.length < 7 || ip.length > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46; // a final '.' closes the last octet
    if (c === 46) {
      if (digits === 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // a leading zero
      octet = octet * 10 + (c - 48);
      digits++;
      if (digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return dots === 4 ? value : undefined;
}

export function formatIpv4(n: number): string {
  return `${Math.floor(n / 16_777_216)}.${Math.floor(n / 65_536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}
