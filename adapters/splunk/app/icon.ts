import { deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];

const APP_BLUE: Rgb = [0x1a, 0x5f, 0x9e];

/**
 * The alert actions' icons (alert_actions.conf icon_path, which Splunk resolves under
 * appserver/static/; 48×48 as Splunk's custom alert action docs advise): the app's glyph on a
 * colour per action, so the three read apart in ES's adaptive response picker.
 */
export const ALERT_ACTION_ICONS: Readonly<Record<string, Rgb>> = {
  tierzero_suspend: [0xb0, 0x2a, 0x2a],
  tierzero_revoke_sessions: [0xc2, 0x6a, 0x12],
  tierzero_reset_password: [0x2e, 0x7d, 0x32],
};

/**
 * The app icons Splunk Web shows (static/appIcon.png 36×36, appIcon_2x.png 72×72): a filled
 * square with a lighter inner bar, drawn here so the repository holds no binary files.
 */
export function appIcon(size: number, background: Rgb = APP_BLUE): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const inner = x > size * 0.25 && x < size * 0.75 && y > size * 0.2 && y < size * 0.35;
      const stem = x > size * 0.42 && x < size * 0.58 && y >= size * 0.35 && y < size * 0.8;
      const [r, g, b] = inner || stem ? [0xf2, 0xf4, 0xf5] : background;
      row.writeUInt8(r, 1 + x * 3);
      row.writeUInt8(g, 2 + x * 3);
      row.writeUInt8(b, 3 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.writeUInt8(8, 8);
  ihdr.writeUInt8(2, 9);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([len, body, crc]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
