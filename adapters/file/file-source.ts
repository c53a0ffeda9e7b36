import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Source, SourceRecord } from '../../core/engine/ports';
import { JsonArraySplitter, type ArrayItem } from './json-array-splitter';
import type { EventFilter } from '../../core/events/normalize';
import { LineSplitter, type LineSink } from './line-splitter';
import { skippable } from './prefilter';
import { mergeByTime } from './merge-by-time';

/** Files this source has finished, by content fingerprint, so a rerun skips them. */
export interface FileCheckpoint {
  readonly files: Readonly<Record<string, { readonly path: string; readonly records: number }>>;
}

/** Bytes read so far of all inputs this pass reads (on-disk bytes: gzip files count compressed). */
export interface ByteProgress {
  readonly read: number;
  readonly total: number;
}

export interface FileProgress {
  readonly path: string;
  readonly status: 'reading' | 'done' | 'skipped';
  readonly records?: number;
}

const INPUT_EXTENSIONS = /\.(jsonl|ndjson|json)(\.gz)?$|\.gz$/i;

/**
 * Reads `.jsonl`, `.jsonl.gz` and `.json` arrays, files or directories, streaming. Format is
 * sniffed from the bytes (gzip magic, leading `[`), not trusted from the name. Several inputs
 * are merged by event time; each is assumed to be in time order, as exports are.
 */
export class FileSource implements Source {
  private readonly done: Record<string, { path: string; records: number }> = {};
  /** Lines skipped unparsed by `wanted`, by `channel:EventID`. */
  readonly skipped = new Map<string, number>();
  private bytes = { read: 0, total: 0 };

  constructor(
    private readonly inputs: readonly string[],
    private readonly options: {
      readonly maxLineBytes: number;
      readonly onFile?: (p: FileProgress) => void;
      /** Interleave several inputs by event time (default), as one stream from all DCs would be. */
      readonly mergeByTime?: boolean;
      /** The events the enabled detectors need (engine `wantedEvents`): other lines are counted, not parsed. */
      readonly wanted?: EventFilter;
      /** Bytes read of the inputs to read (skipped files excluded): first with read 0, then per chunk. */
      readonly onBytes?: (p: ByteProgress) => void;
    },
  ) {}

  async *pull(checkpoint: unknown): AsyncIterable<readonly SourceRecord[]> {
    const prior = asCheckpoint(checkpoint);
    Object.assign(this.done, prior.files);
    const pending: { path: string; fingerprint: string }[] = [];
    for (const path of await expandInputs(this.inputs)) {
      const fingerprint = await fingerprintOf(path);
      if (prior.files[fingerprint]) this.options.onFile?.({ path, status: 'skipped' });
      else pending.push({ path, fingerprint });
    }
    if (this.options.onBytes) {
      for (const f of pending) this.bytes.total += (await stat(f.path)).size;
      this.options.onBytes({ ...this.bytes });
    }
    if (pending.length > 1 && this.options.mergeByTime !== false) {
      yield* mergeByTime(pending.map((f) => this.trackedFile(f.path, f.fingerprint)));
      return;
    }
    for (const f of pending) yield* this.trackedFile(f.path, f.fingerprint);
  }

  /** One file's pages, reporting start and end, and marking it done once fully read. */
  private async *trackedFile(path: string, fingerprint: string): AsyncIterable<SourceRecord[]> {
    this.options.onFile?.({ path, status: 'reading' });
    let records = 0;
    for await (const page of this.readFile(path)) {
      records += page.length;
      yield page;
    }
    this.done[fingerprint] = { path, records };
    this.options.onFile?.({ path, status: 'done', records });
  }

  checkpointAfterPull(): FileCheckpoint {
    return { files: { ...this.done } };
  }

  /**
   * Adds what the file stream read since `counted` (its `bytesRead`: on-disk bytes, so gzip
   * input counts as the file's size); merged inputs are read interleaved, so deltas add up.
   */
  private countBytes(raw: { readonly bytesRead: number }, counted: number): number {
    if (this.options.onBytes && raw.bytesRead > counted) {
      this.bytes.read += raw.bytesRead - counted;
      this.options.onBytes({ ...this.bytes });
    }
    return raw.bytesRead;
  }

  private async *readFile(path: string): AsyncIterable<SourceRecord[]> {
    const head = await readHead(path, 4096);
    const gzip = head[0] === 0x1f && head[1] === 0x8b;
    const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
    const stream = gzip ? raw.pipe(createGunzip()) : raw;
    raw.on('error', (e) => stream.destroy(e));
    let counted = 0;
    const asArray = !gzip ? startsWithBracket(head) || /\.json$/i.test(path) : undefined;
    const parser = new RecordParser(path, this.options.maxLineBytes, asArray, this.options.wanted, this.skipped);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const page = parser.push(chunk);
        counted = this.countBytes(raw, counted);
        if (page.length) yield page;
      }
    } catch (e) {
      // A truncated gzip or an I/O error ends this file, not the run: report it and go on.
      yield [...parser.end(), { kind: 'malformed', reason: `file ended early: ${(e as Error).message}`, origin: `${path}:${parser.position}`, text: '' }];
      return;
    }
    const rest = parser.end();
    if (rest.length) yield rest;
  }
}

/** Parses lines (JSONL) or array items (JSON) from chunks, sniffing which on the first bytes. */
class RecordParser implements LineSink {
  private lines?: LineSplitter;
  private items?: JsonArraySplitter;
  private page: SourceRecord[] = [];

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private asArray: boolean | undefined,
    private readonly wanted: EventFilter | undefined,
    private readonly skipped: Map<string, number>,
  ) {}

  get position(): string {
    return this.items ? 'item' : 'line';
  }

  push(chunk: Buffer): SourceRecord[] {
    if (this.asArray === undefined) this.asArray = startsWithBracket(chunk);
    if (this.asArray) {
      this.items ??= new JsonArraySplitter(this.maxBytes);
      const out: ArrayItem[] = [];
      this.items.push(chunk, out);
      return out.map((i) => this.fromItem(i));
    }
    this.lines ??= new LineSplitter(this.maxBytes);
    this.lines.push(chunk, this);
    return this.takePage();
  }

  end(): SourceRecord[] {
    if (this.items) {
      const out: ArrayItem[] = [];
      this.items.end(out);
      return out.map((i) => this.fromItem(i));
    }
    if (!this.lines) return [];
    this.lines.end(this);
    return this.takePage();
  }

  line(raw: string, lineNo: number): void {
    const text = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (isBlank(text)) return;
    if (this.wanted) {
      const key = skippable(text, this.wanted);
      if (key !== undefined) {
        this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
        return;
      }
    }
    this.page.push(parseJson(text, `${this.path}:${lineNo}`));
  }

  oversize(bytes: number, head: string, lineNo: number): void {
    this.page.push({ kind: 'malformed', reason: `line of ${bytes} bytes exceeds maxLineBytes ${this.maxBytes}`, origin: `${this.path}:${lineNo}`, text: head });
  }

  private takePage(): SourceRecord[] {
    const page = this.page;
    this.page = [];
    return page;
  }

  private fromItem(i: ArrayItem): SourceRecord {
    const origin = `${this.path}[${i.index}]`;
    if (i.kind === 'oversize') return { kind: 'malformed', reason: `array item of ${i.bytes} bytes exceeds maxLineBytes ${this.maxBytes}`, origin, text: '' };
    if (i.kind === 'error') return { kind: 'malformed', reason: i.reason, origin, text: '' };
    return parseJson(i.text, origin);
  }
}

function parseJson(text: string, origin: string): SourceRecord {
  try {
    return { kind: 'record', value: JSON.parse(text), origin };
  } catch (e) {
    return { kind: 'malformed', reason: `invalid JSON: ${(e as Error).message}`, origin, text };
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function startsWithBracket(buf: Buffer): boolean {
  for (const c of buf) {
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf) continue;
    return c === 0x5b;
  }
  return false;
}

/** Files under the inputs, directories walked recursively, in a stable (sorted) order. */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs).catch(() => {
      throw new InputError(`cannot read input ${input}: no such file or directory`);
    });
    if (s.isDirectory()) out.push(...(await walk(abs)));
    else out.push(abs);
  }
  return out;
}

export class InputError extends Error {
  override name = 'InputError';
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && INPUT_EXTENSIONS.test(e.name)) out.push(p);
  }
  return out;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Size + head + tail hash: a changed or appended file is new input, a renamed one is not. */
async function fingerprintOf(path: string): Promise<string> {
  const s = await stat(path);
  const fh = await open(path, 'r');
  try {
    const span = 65536;
    const head = Buffer.alloc(Math.min(span, s.size));
    await fh.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(span, s.size));
    await fh.read(tail, 0, tail.length, Math.max(0, s.size - span));
    return createHash('sha256').update(String(s.size)).update(head).update(tail).digest('hex').slice(0, 32);
  } finally {
    await fh.close();
  }
}

function asCheckpoint(c: unknown): FileCheckpoint {
  if (c && typeof c === 'object' && 'files' in c && typeof (c as FileCheckpoint).files === 'object') return c as FileCheckpoint;
  return { files: {} };
}
