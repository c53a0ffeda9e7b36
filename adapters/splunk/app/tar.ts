import { gzipSync } from 'node:zlib';

/**
 * A gzipped ustar archive written by hand: the system `tar` on macOS adds `._*` AppleDouble
 * files and extended headers, which AppInspect rejects (no dot-files, no __MACOSX), and we want
 * the same bytes from the same inputs. Entries keep their order; directories end with `/`.
 */
export interface TarEntry {
  readonly path: string;
  /** Undefined for a directory. */
  readonly data?: Buffer;
  readonly mode: number;
}

export function tarGz(entries: readonly TarEntry[], mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    blocks.push(header(e, data.length, mtime));
    if (data.length) {
      blocks.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(e: TarEntry, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  const dir = e.data === undefined;
  const path = dir && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long paths at a slash: prefix (155 bytes) + name (100 bytes).
    const cut = path.lastIndexOf('/', path.length - 2);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for ustar: ${path}`);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.fill(' ', 148, 156);
  h.write(dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
  return h;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\u0000`;
}
