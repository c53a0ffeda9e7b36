import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write-then-rename with fsync on the file and its directory: a crash leaves either the old
 * file or the new one, never half of either.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await writeChunksAtomic(path, [data]);
}

/**
 * A document produced piece by piece, written as `writeFileAtomic` writes (same temp name,
 * fsyncs and rename): pieces are gathered into writes of about 1 MB, so the whole text never
 * exists as one string.
 */
export async function writeChunksAtomic(path: string, pieces: Iterable<string>): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    let pending: string[] = [];
    let length = 0;
    for (const piece of pieces) {
      pending.push(piece);
      length += piece.length;
      if (length >= WRITE_BYTES) {
        await writeAll(fh, pending.join(''));
        pending = [];
        length = 0;
      }
    }
    if (length > 0) await writeAll(fh, pending.join(''));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(path));
}

const WRITE_BYTES = 1 << 20;

/** `write` may take less than it was given: loop until every byte is down. */
async function writeAll(fh: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length;) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
}

export async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r').catch(() => undefined);
  if (!d) return;
  try {
    await d.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await d.close();
  }
}
