import { open, readFile, stat, unlink } from 'node:fs/promises';

/**
 * A short exclusive lock around a compare-and-set commit: O_CREAT|O_EXCL (`wx`) makes creating
 * the lock file atomic on local filesystems, so of two writers exactly one is inside the
 * check-then-rename at a time. It is held for milliseconds, not for a pass: the whole-run lock
 * (issue 12) is a separate file with a separate job.
 *
 * A lock left by a crashed writer is taken over once older than `staleMs`; the holder writes
 * its pid and time into it so an operator can see who held it.
 */
export interface CommitLockOptions {
  readonly staleMs?: number;
  /** Tries to create the lock while another writer is inside, `retryMs` apart. */
  readonly attempts?: number;
  readonly retryMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class CommitLockBusyError extends Error {
  override name = 'CommitLockBusyError';
}

export async function withCommitLock<T>(lockPath: string, body: () => Promise<T>, o: CommitLockOptions = {}): Promise<T> {
  await acquire(lockPath, o);
  try {
    return await body();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, o: CommitLockOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const attempts = o.attempts ?? 50;
  for (let n = 1; ; n++) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      await fh.writeFile(JSON.stringify({ pid: process.pid, since: new Date(now()).toISOString() }));
      await fh.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await takeOverStale(lockPath, o.staleMs ?? 30_000, now)) continue;
    if (n >= attempts) throw new CommitLockBusyError(`${lockPath} is held by another writer (delete it if no tierzero is running)`);
    await (o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(o.retryMs ?? 20);
  }
}

/** Removes a lock whose holder died mid-commit; true when it did. */
async function takeOverStale(lockPath: string, staleMs: number, now: () => number): Promise<boolean> {
  const info = await stat(lockPath).catch(() => undefined);
  if (!info) return true;
  if (now() - info.mtimeMs < staleMs) return false;
  // Unlink only the lock we judged stale: a fresh one written meanwhile has other content.
  const before = await readFile(lockPath, 'utf8').catch(() => undefined);
  const again = await stat(lockPath).catch(() => undefined);
  if (before === undefined || !again || again.mtimeMs !== info.mtimeMs) return true;
  await unlink(lockPath).catch(() => undefined);
  return true;
}
