import { strict as assert } from 'node:assert';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileChunks, type ReadHandle } from '../../../adapters/file/file-chunks';

const dir = mkdtempSync(join(tmpdir(), 'tz-chunks-'));
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => 0x61 + (i % 26)));

/** Copies of the chunks (the reader reuses its buffers, so a kept view would change under us). */
async function chunksOf(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of source) out.push(Buffer.from(c));
  return out;
}

/** A handle over `data` that logs what happens to it, reading at most `max` bytes a call. */
function fakeHandle(data: Buffer, log: string[], max = Infinity): ReadHandle {
  return {
    read: async (buffer, offset, length, position) => {
      log.push(`read ${position}+${length}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      const n = data.copy(buffer, offset, position, Math.min(position + length, position + max, data.length));
      log.push(`read ${position} done`);
      return { bytesRead: n };
    },
    close: async () => {
      log.push('close');
    },
  };
}

describe('file chunks', () => {
  it('reads the bytes from start to end inclusive, in reads of the buffer size', async () => {
    const path = join(dir, 'span.bin');
    writeFileSync(path, bytes(100));
    const chunks = await chunksOf(fileChunks(path, 10, 49, { bufferBytes: 16 }));
    assert.deepEqual(chunks.map((c) => c.length), [16, 16, 8]);
    assert.deepEqual(Buffer.concat(chunks), bytes(100).subarray(10, 50));
  });

  it('counts the bytes it has handed out', async () => {
    const path = join(dir, 'count.bin');
    writeFileSync(path, bytes(40));
    const source = fileChunks(path, 0, 39, { bufferBytes: 16 });
    const seen: number[] = [];
    for await (const c of source) seen.push(c.length, source.bytesRead());
    assert.deepEqual(seen, [16, 16, 16, 32, 8, 40]);
  });

  it('reuses two buffers, each chunk a view into one of them', async () => {
    const path = join(dir, 'reuse.bin');
    writeFileSync(path, bytes(64));
    // Small buffers may share Node's allocation pool: a buffer is its memory and where in it.
    const memory = new Map<ArrayBufferLike, number>();
    const places = new Set<string>();
    for await (const c of fileChunks(path, 0, 63, { bufferBytes: 8 })) {
      if (!memory.has(c.buffer)) memory.set(c.buffer, memory.size);
      places.add(`${memory.get(c.buffer)}@${c.byteOffset}`);
    }
    assert.equal(places.size, 2);
  });

  it('stops at the end of a file that shrank while being read', async () => {
    const path = join(dir, 'shrinks.bin');
    writeFileSync(path, bytes(100));
    const got: Buffer[] = [];
    for await (const c of fileChunks(path, 0, 99, { bufferBytes: 10 })) {
      got.push(Buffer.from(c));
      if (got.length === 1) truncateSync(path, 25);
    }
    assert.deepEqual(Buffer.concat(got), bytes(25));
  });

  it('reads on from where a short read stopped', async () => {
    const data = bytes(50);
    const log: string[] = [];
    const chunks = await chunksOf(fileChunks('fake', 0, 49, { bufferBytes: 16, open: async () => fakeHandle(data, log, 5) }));
    assert.deepEqual(Buffer.concat(chunks), data);
    assert.ok(chunks.every((c) => c.length === 5));
  });

  it('has the next read in flight while the consumer works on a chunk', async () => {
    const log: string[] = [];
    const source = fileChunks('fake', 0, 29, { bufferBytes: 10, open: async () => fakeHandle(bytes(30), log) });
    for await (const c of source) log.push(`got ${c.length}`);
    assert.deepEqual(log.slice(0, 4), ['read 0+10', 'read 0 done', 'read 10+10', 'got 10']);
  });

  it('waits for the read in flight before closing when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const c of fileChunks('fake', 0, 99, { bufferBytes: 10, open: async () => fakeHandle(bytes(100), log) })) {
      log.push(`got ${c.length}`);
      break;
    }
    assert.deepEqual(log, ['read 0+10', 'read 0 done', 'read 10+10', 'got 10', 'read 10 done', 'close']);
  });

  it('closes the handle and throws when a read fails', async () => {
    const log: string[] = [];
    const failing: ReadHandle = {
      read: async (buffer, offset, length, position) => {
        if (position > 0) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        return { bytesRead: bytes(length).copy(buffer, offset) };
      },
      close: async () => {
        log.push('close');
      },
    };
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const c of fileChunks('fake', 0, 99, { bufferBytes: 10, open: async () => failing })) got.push(c.length);
    }, /EIO/);
    assert.deepEqual(got, [10]);
    assert.deepEqual(log, ['close']);
  });

  it('opens nothing for an empty span', async () => {
    const opened: string[] = [];
    const chunks = await chunksOf(fileChunks('fake', 10, 9, { open: async (p) => { opened.push(p); throw new Error('opened'); } }));
    assert.deepEqual(chunks, []);
    assert.deepEqual(opened, []);
  });
});
