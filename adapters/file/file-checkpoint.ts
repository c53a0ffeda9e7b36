import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { StateInvalidError } from '../../core/state/state';

/**
 * Where the file source stopped in each input, so the next pass reads only what is new
 * (issue 12, items 3 and 5). An input is known by device + inode, and checked by a hash of its
 * first bytes: a name can be reused (rotation) and an inode recycled, but a file whose first
 * bytes are unchanged and which is no shorter than before is the same file, grown.
 */
export interface FileEntry {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  /** Bytes consumed: through the last complete line, or the whole file (gzip, JSON array). */
  readonly offset: number;
  /** sha256 (hex, 32) of the first `headBytes` bytes: min(offset, HEAD_BYTES). */
  readonly head: string;
  readonly headBytes: number;
  readonly format: InputFormat;
  /** Lines consumed, so origins in a later pass go on numbering from here. */
  readonly lines: number;
  readonly records: number;
  /** False when reading ended early (a cut gzip): such a file cannot be resumed mid-stream. */
  readonly complete: boolean;
  /** Wall-clock time of the last pass that saw it; entries unseen for long are dropped. */
  readonly seen: string;
}

/** Before offsets: content fingerprint → file fully read. */
export interface LegacyEntry {
  readonly path: string;
  readonly records: number;
}

export type InputFormat = 'lines' | 'array' | 'gzip';

export interface FileCheckpoint {
  readonly files: Readonly<Record<string, FileEntry | LegacyEntry>>;
}

export const HEAD_BYTES = 4096;
/** Long enough for monthly reruns over an archive, short enough that hourly exports do not pile up. */
export const FORGET_AFTER_MS = 90 * 86_400_000;

export function isEntry(e: FileEntry | LegacyEntry): e is FileEntry {
  return 'offset' in e;
}

export const entryKey = (dev: number, ino: number): string => `${dev}:${ino}`;

/** The checkpoint in a loaded state, or a StateInvalidError naming the bad field. */
export function asCheckpoint(c: unknown): FileCheckpoint {
  if (c === null || c === undefined) return { files: {} };
  const files = (c as { files?: unknown }).files;
  if (typeof c !== 'object' || files === null || typeof files !== 'object' || Array.isArray(files)) {
    throw new StateInvalidError('the loaded state', 'checkpoint.files', 'must be an object (is this state from another source?)');
  }
  for (const [key, e] of Object.entries(files as Record<string, unknown>)) {
    const where = `checkpoint.files.${key}`;
    if (e === null || typeof e !== 'object') throw new StateInvalidError('the loaded state', where, 'must be an object');
    const v = e as Record<string, unknown>;
    if (typeof v['path'] !== 'string') throw new StateInvalidError('the loaded state', `${where}.path`, 'must be string');
    if (!('offset' in v)) continue;
    for (const n of ['dev', 'ino', 'offset', 'headBytes', 'lines', 'records'] as const) {
      if (typeof v[n] !== 'number' || !Number.isFinite(v[n]) || (v[n] as number) < 0) throw new StateInvalidError('the loaded state', `${where}.${n}`, 'must be a number ≥ 0');
    }
    if (typeof v['head'] !== 'string') throw new StateInvalidError('the loaded state', `${where}.head`, 'must be string');
    if (!['lines', 'array', 'gzip'].includes(v['format'] as string)) throw new StateInvalidError('the loaded state', `${where}.format`, 'must be lines, array or gzip');
  }
  return c as FileCheckpoint;
}

export interface FileFacts {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
}

/** What to do with one input this pass. */
export type Plan =
  | { readonly action: 'skip'; readonly entry: FileEntry }
  | { readonly action: 'read'; readonly start: number; readonly lines: number; readonly records: number; readonly format?: InputFormat; readonly warning?: string };

/** The prior entries looked up by name and by content, built once per pass. */
export class CheckpointIndex {
  readonly byPath = new Map<string, FileEntry>();
  private readonly byContent = new Map<string, FileEntry>();
  private readonly headSizes = new Set<number>();

  constructor(readonly prior: FileCheckpoint) {
    for (const e of Object.values(prior.files)) {
      if (!isEntry(e)) continue;
      if ((this.byPath.get(e.path)?.seen ?? '') <= e.seen) this.byPath.set(e.path, e);
      // An entry read to offset 0 says nothing about content: every file would match it.
      if (e.offset === 0) continue;
      const key = `${e.headBytes}:${e.head}`;
      const known = this.byContent.get(key);
      if (!known || known.offset < e.offset) this.byContent.set(key, e);
      this.headSizes.add(e.headBytes);
    }
  }

  /** The furthest-read entry whose first bytes this file starts with, and is not shorter than. */
  byHead(head: Buffer, size: number): FileEntry | undefined {
    for (const n of this.headSizes) {
      if (n > head.length) continue;
      const e = this.byContent.get(`${n}:${hashOf(head.subarray(0, n))}`);
      if (e && e.offset <= size) return e;
    }
    return undefined;
  }
}

/**
 * Finds the input's entry (by inode, else by name, else by content for a copy such as a
 * copytruncate'd rotation) and decides where to start reading. The file's head is read once.
 */
export async function planFor(f: FileFacts, index: CheckpointIndex): Promise<Plan> {
  const head = await readHead(f.path, HEAD_BYTES);
  const headHashOf = (n: number): string => hashOf(head.subarray(0, n));
  const byInode = index.prior.files[entryKey(f.dev, f.ino)];
  const candidates = [byInode, index.byPath.get(f.path)].filter((e): e is FileEntry => e !== undefined && isEntry(e));
  for (const e of candidates) {
    if (f.size < e.offset) {
      return { action: 'read', start: 0, lines: 0, records: 0, warning: `is smaller than the ${e.offset} bytes read before (truncated or rewritten): reading it from the start` };
    }
    if (headHashOf(e.headBytes) !== e.head) {
      if (e.path === f.path) return { action: 'read', start: 0, lines: 0, records: 0, warning: 'is a different file now (its first bytes changed: rotated or rewritten): reading it from the start' };
      continue;
    }
    return resume(f, e);
  }
  const copy = index.byHead(head, f.size);
  if (copy) return resume(f, copy);
  const legacy = await legacyMatch(f, index.prior, head);
  if (legacy) return legacy;
  return { action: 'read', start: 0, lines: 0, records: 0 };
}

function resume(f: FileFacts, e: FileEntry): Plan {
  const same = { ...e, path: f.path, dev: f.dev, ino: f.ino };
  if (f.size === e.offset && (e.complete || e.format === 'lines')) return { action: 'skip', entry: same };
  if (e.format === 'array' || !e.complete) {
    return { action: 'read', start: 0, lines: 0, records: 0, warning: `changed since it was read${e.complete ? ' (a JSON array cannot be resumed)' : ' after ending early'}: reading it again from the start` };
  }
  return { action: 'read', start: e.offset, lines: e.lines, records: e.records, format: e.format };
}

async function legacyMatch(f: FileFacts, prior: FileCheckpoint, head: Buffer): Promise<Plan | undefined> {
  const legacy = Object.entries(prior.files).filter(([, e]) => !isEntry(e));
  if (legacy.length === 0) return undefined;
  const fp = await legacyFingerprint(f.path, f.size);
  const hit = legacy.find(([k]) => k === fp);
  if (!hit) return undefined;
  return {
    action: 'skip',
    entry: { path: f.path, dev: f.dev, ino: f.ino, offset: f.size, head: hashOf(head.subarray(0, Math.min(f.size, HEAD_BYTES))), headBytes: Math.min(f.size, HEAD_BYTES), format: 'lines', lines: 0, records: hit[1].records, complete: true, seen: new Date().toISOString() },
  };
}

export async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function hashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** The fingerprint checkpoints held before offsets: size + head + tail hash. */
async function legacyFingerprint(path: string, size: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const span = 65536;
    const head = Buffer.alloc(Math.min(span, size));
    await fh.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(span, size));
    await fh.read(tail, 0, tail.length, Math.max(0, size - span));
    return createHash('sha256').update(String(size)).update(head).update(tail).digest('hex').slice(0, 32);
  } finally {
    await fh.close();
  }
}

/** Regular-file facts, or undefined for a pipe, FIFO or terminal (read as a stream, not tracked). */
export async function factsOf(path: string): Promise<FileFacts | undefined> {
  const s = await stat(path);
  return s.isFile() ? { path, dev: s.dev, ino: s.ino, size: s.size } : undefined;
}
