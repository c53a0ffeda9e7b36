import { open } from 'node:fs/promises';

/**
 * A plain file's bytes from `start` to `end` (inclusive), read with one file handle into two
 * reused buffers: the next read is in flight while the consumer works on the current chunk.
 * `createReadStream` allocated a fresh 256 KiB Buffer per chunk; reading the 638 MB 1 M-event
 * workload that way cost 330–580 ms CPU, reused 1 MiB buffers 113–119 ms (issue 13).
 *
 * Each chunk is a view into a buffer that is read into again as soon as the consumer asks for
 * the next chunk: a consumer must copy whatever it keeps past its next `next()` (LineSplitter
 * and JsonArraySplitter copy a torn line's or item's bytes; whole ones become strings at once).
 */
export const READ_BUFFER_BYTES = 1024 * 1024;

/** What the reader needs of a `FileHandle` (tests give one whose `read` fails). */
export interface ReadHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

export type OpenRead = (path: string) => Promise<ReadHandle>;

export const openRead: OpenRead = (path) => open(path, 'r');

export interface FileChunks extends AsyncIterable<Buffer> {
  /** Bytes handed to the consumer so far. */
  bytesRead(): number;
}

export function fileChunks(path: string, start: number, end: number, options: { bufferBytes?: number; open?: OpenRead } = {}): FileChunks {
  let delivered = 0;
  const wanted = end - start + 1;
  // A small file gets a buffer its size, and only one: 500 merged 2 KB files cost 1 MB, not 1 GB.
  const size = Math.max(1, Math.min(options.bufferBytes ?? READ_BUFFER_BYTES, wanted));
  const openIt = options.open ?? openRead;
  async function* chunks(): AsyncGenerator<Buffer> {
    if (wanted <= 0) return;
    const handle = await openIt(path);
    const buffers = wanted > size ? [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] : [Buffer.allocUnsafe(size)];
    let position = start;
    let which = 0;
    // Settles, never rejects: a read failing while the consumer works on the previous chunk
    // would otherwise be an unhandled rejection before anyone awaits it.
    const readInto = (buffer: Buffer): Promise<Read> | undefined => {
      const length = Math.min(buffer.length, end + 1 - position);
      if (length <= 0) return undefined;
      const at = position;
      position += length;
      return handle.read(buffer, 0, length, at).then((r) => ({ buffer, at, n: r.bytesRead }), (error: unknown) => ({ error }));
    };
    let inFlight = readInto(buffers[0] as Buffer);
    try {
      while (inFlight) {
        const read = await inFlight;
        inFlight = undefined;
        if ('error' in read) throw read.error;
        // 0 bytes before `end`: the file shrank while being read (copytruncate); the rest is gone.
        if (read.n === 0) break;
        // A short read goes on from where it stopped; no other read is in flight to overtake it.
        position = read.at + read.n;
        which = (which + 1) % buffers.length;
        if (buffers.length > 1) inFlight = readInto(buffers[which] as Buffer);
        delivered += read.n;
        yield read.buffer.subarray(0, read.n);
        // The consumer asked for the next chunk: it is done with this one, whose buffer is free.
        if (buffers.length === 1) inFlight = readInto(read.buffer);
      }
    } finally {
      // An early `return` of the consumer: the read in flight must end before the handle closes.
      await inFlight;
      await handle.close();
    }
  }
  const it = chunks();
  return { [Symbol.asyncIterator]: () => it, bytesRead: () => delivered };
}

type Read = { readonly buffer: Buffer; readonly at: number; readonly n: number } | { readonly error: unknown };
