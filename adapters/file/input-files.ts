import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** An input the user named cannot be read: exit 3 (input/state/I-O failure). */
export class InputError extends Error {
  override name = 'InputError';
  readonly exitCode = 3;
}

/** `-` on the command line: standard input. */
export const STDIN = '-';

const INPUT_EXTENSIONS = /\.(jsonl|ndjson|json)(\.gz)?$|\.gz$/i;

/**
 * Files under the inputs, directories walked recursively in a stable (sorted) order. Symlinks
 * are followed (issue 12, item 7: they were silently skipped); a directory already entered,
 * by any path, is not entered again, and a file reached by two paths is read once.
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  for (const input of inputs) {
    if (input === STDIN) {
      out.push(STDIN);
      continue;
    }
    const abs = resolve(input);
    const s = await stat(abs).catch((e: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read input ${input}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    });
    if (s.isDirectory()) await walk(abs, out, seenFiles, seenDirs);
    else if (once(seenFiles, `${s.dev}:${s.ino}`) || !s.isFile()) out.push(abs);
  }
  return out;
}

async function walk(dir: string, out: string[], seenFiles: Set<string>, seenDirs: Set<string>): Promise<void> {
  if (!once(seenDirs, await realpath(dir))) return;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(dir, e.name);
    // A dangling link or one we may not read is skipped like any unreadable entry.
    const s = e.isSymbolicLink() ? await stat(p).catch(() => undefined) : e;
    if (!s) continue;
    if (s.isDirectory()) await walk(p, out, seenFiles, seenDirs);
    else if (s.isFile() && INPUT_EXTENSIONS.test(e.name)) {
      const id = await stat(p).then((x) => `${x.dev}:${x.ino}`, () => p);
      if (once(seenFiles, id)) out.push(p);
    }
  }
}

function once(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}
