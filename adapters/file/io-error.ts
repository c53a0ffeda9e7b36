/**
 * A file the run must read or write failed at the OS level: an I/O failure the user can act
 * on (exit 3), naming the file and the reason in words rather than a bare errno.
 */
export class FileIoError extends Error {
  readonly exitCode = 3;
  override readonly name = 'FileIoError';

  static from(what: string, path: string, e: unknown): FileIoError {
    return new FileIoError(`${what} ${path}: ${reason(e as NodeJS.ErrnoException)}`);
  }
}

export function reason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EISDIR': return 'is a directory';
    case 'ENOENT': return 'no such directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on device';
    case 'EROFS': return 'read-only file system';
    default: return e.message;
  }
}
