/**
 * An IPv4 address as a number, for the compact estate tables (machines, logon sessions): a
 * typed column's 4 or 8 bytes instead of a ~40-byte string per row (issue 13). Only the canonical
 * dotted quad (no leading zeros) is read, so formatting gives back the very text that was
 * logged; anything else (IPv6, `::ffff:` forms the normalisers left) stays text.
 */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A dotted-quad IPv4 address in canonical form (no leading zeros, so it formats back to the same text) as its number. */
export function parseIpv4(ip: string): number | undefined {
  if (!IPV4.test(ip)) return undefined;
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

export function formatIpv4(n: number): string {
  return `${Math.floor(n / 16_777_216)}.${Math.floor(n / 65_536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}
