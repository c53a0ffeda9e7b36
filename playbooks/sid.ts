/**
 * Binary ↔ string SIDs (MS-DTYP 2.4.2.2). LDAP returns `objectSid` as bytes; operators and
 * Graph's `onPremisesSecurityIdentifier` use the S-1-… form. Searching by the binary form works
 * on every AD and Samba version, where string SIDs in filters are an extension.
 */
export function sidFromBytes(bytes: Buffer): string {
  if (bytes.length < 8) throw new RangeError(`SID is ${bytes.length} bytes, shorter than its 8-byte header`);
  const revision = bytes.readUInt8(0);
  const count = bytes.readUInt8(1);
  if (bytes.length !== 8 + 4 * count) throw new RangeError(`SID declares ${count} sub-authorities but is ${bytes.length} bytes`);
  const authority = bytes.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(bytes.readUInt32LE(8 + 4 * i));
  return `S-${revision}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

export function sidToBytes(sid: string): Buffer {
  const parts = sid.toUpperCase().split('-');
  if (parts[0] !== 'S' || parts.length < 3) throw new RangeError(`not a SID: ${sid}`);
  const nums = parts.slice(1).map((p) => {
    if (!/^\d+$/.test(p)) throw new RangeError(`not a SID: ${sid}`);
    return Number(p);
  });
  const [revision, authority, ...subs] = nums as [number, number, ...number[]];
  if (subs.length > 15 || revision > 255 || authority > 2 ** 48 - 1 || subs.some((s) => s > 0xffffffff)) {
    throw new RangeError(`not a SID: ${sid}`);
  }
  const out = Buffer.alloc(8 + 4 * subs.length);
  out.writeUInt8(revision, 0);
  out.writeUInt8(subs.length, 1);
  out.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(s, 8 + 4 * i));
  return out;
}
