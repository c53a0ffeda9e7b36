/**
 * IP and CIDR matching for exclusions (`10.0.0.0/8`, `fe80::/10`, or a single address).
 * Written here rather than taken from `node:net` so the core stays platform-free.
 */
export interface AddressMatcher {
  matches(ip: string): boolean;
}

interface Range {
  readonly v6: boolean;
  readonly base: bigint;
  readonly mask: bigint;
}

export function compileAddresses(entries: readonly string[]): AddressMatcher {
  const ranges = entries.map(parseRange);
  return {
    matches(ip: string): boolean {
      const parsed = parseAddress(ip);
      if (!parsed) return false;
      return ranges.some((r) => r.v6 === parsed.v6 && (parsed.value & r.mask) === r.base);
    },
  };
}

/** Whether `entry` is a valid address or CIDR; the config validator uses it to name bad keys. */
export function isAddressOrCidr(entry: string): boolean {
  try {
    parseRange(entry);
    return true;
  } catch {
    return false;
  }
}

function parseRange(entry: string): Range {
  const [addr, bitsText] = entry.split('/');
  const parsed = parseAddress(addr ?? '');
  if (!parsed) throw new Error(`not an IP address: ${entry}`);
  const width = parsed.v6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) throw new Error(`bad prefix length in ${entry}`);
  const all = (1n << BigInt(width)) - 1n;
  const mask = bits === 0 ? 0n : (all << BigInt(width - bits)) & all;
  return { v6: parsed.v6, base: parsed.value & mask, mask };
}

function parseAddress(text: string): { v6: boolean; value: bigint } | undefined {
  let s = text.trim().toLowerCase();
  if (s.startsWith('::ffff:') && s.includes('.')) s = s.slice(7);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!/^[0-9a-f:]+$/.test(s) || !s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return { v6: true, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}
