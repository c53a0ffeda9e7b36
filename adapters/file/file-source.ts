import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Source, SourceRecord } from '../../core/engine/ports';
import type { EventFilter } from '../../core/events/normalize';
import { asCheckpoint, CheckpointIndex, entryKey, factsOf, FORGET_AFTER_MS, HEAD_BYTES, hashOf, isEntry, planFor, readHead, type FileCheckpoint, type FileEntry, type FileFacts, type InputFormat } from './file-checkpoint';
import { fileChunks, READ_BUFFER_BYTES, type OpenRead } from './file-chunks';
import { expandInputs, InputError, STDIN } from './input-files';
import { mergeByTime } from './merge-by-time';
import { RecordParser, startsWithBracket } from './record-parser';

export { expandInputs, InputError } from './input-files';
export type { FileCheckpoint } from './file-checkpoint';

export interface FileProgress {
  readonly path: string;
  readonly status: 'reading' | 'done' | 'skipped';
  readonly records?: number;
  /** Read from this byte on: the file grew since the last pass. */
  readonly from?: number;
  /** Something the operator should know: the file was truncated, rotated, or shrank mid-read. */
  readonly warning?: string;
}

interface Pending {
  readonly path: string;
  readonly facts?: FileFacts;
  readonly start: number;
  readonly lines: number;
  readonly records: number;
  readonly format?: InputFormat;
  readonly warning?: string;
}

/**
 * Reads `.jsonl`, `.jsonl.gz` and `.json` arrays, files or directories, and `-` (stdin) or any
 * pipe, streaming. Format is sniffed from the bytes (gzip magic, leading `[`), not trusted
 * from the name. Several inputs are merged by event time; each is assumed to be in time order,
 * as exports are. Each regular file is read from where the last pass stopped (file-checkpoint).
 */
/** Bytes read so far of all inputs this pass reads (on-disk bytes: gzip files count compressed). */
export interface ByteProgress {
  readonly read: number;
  readonly total: number;
}

export class FileSource implements Source {
  private readonly entries: Record<string, FileEntry> = {};
  private readonly bytes = { read: 0, total: 0 };
  private prior: FileCheckpoint = { files: {} };
  /** Lines skipped unparsed by `wanted`, by `channel:EventID`. */
  readonly skipped = new Map<string, number>();

  constructor(
    private readonly inputs: readonly string[],
    private readonly options: {
      readonly maxLineBytes: number;
      readonly onFile?: (p: FileProgress) => void;
      /** Interleave several inputs by event time (default), as one stream from all DCs would be. */
      readonly mergeByTime?: boolean;
      /** The events the enabled detectors need (engine `wantedEvents`): other lines are counted, not parsed. */
      readonly wanted?: EventFilter;
      /** Standard input, for `-` (tests pass their own). */
      readonly stdin?: NodeJS.ReadableStream;
      /**
       * Bytes read of what this pass reads (skipped files and already-read parts excluded; pipes
       * and stdin have no size and are not counted): first with read 0, then per chunk.
       */
      readonly onBytes?: (p: ByteProgress) => void;
      /** Bytes per read of a plain file (file-chunks.ts; tests make it small to tear lines at every offset). */
      readonly readBufferBytes?: number;
      /** Opens a plain file for reading (tests give a handle whose reads fail). */
      readonly openFile?: OpenRead;
    },
  ) {}

  async *pull(checkpoint: unknown): AsyncIterable<readonly SourceRecord[]> {
    this.prior = asCheckpoint(checkpoint);
    const index = new CheckpointIndex(this.prior);
    const pending: Pending[] = [];
    for (const path of await expandInputs(this.inputs)) {
      const facts = path === STDIN ? undefined : await factsOf(path).catch((e: Error) => {
        throw new InputError(`cannot read input ${path}: ${e.message}`);
      });
      if (!facts) {
        pending.push({ path, start: 0, lines: 0, records: 0 });
        continue;
      }
      const plan = await planFor(facts, index);
      if (plan.action === 'skip') {
        this.entries[entryKey(facts.dev, facts.ino)] = { ...plan.entry, seen: new Date().toISOString() };
        this.options.onFile?.({ path, status: 'skipped' });
        continue;
      }
      pending.push({ path, facts, start: plan.start, lines: plan.lines, records: plan.records, ...(plan.format ? { format: plan.format } : {}), ...(plan.warning ? { warning: plan.warning } : {}) });
    }
    if (this.options.onBytes) {
      for (const f of pending) if (f.facts) this.bytes.total += Math.max(0, f.facts.size - f.start);
      this.options.onBytes({ ...this.bytes });
    }
    if (pending.length > 1 && this.options.mergeByTime !== false) {
      // Merged inputs are all open at once, each with its two buffers: they share a budget.
      const bufferBytes = Math.max(MIN_MERGED_BUFFER_BYTES, Math.min(this.bufferBytes, Math.floor(MERGED_BUFFERS_BYTES / (2 * pending.length))));
      yield* mergeByTime(pending.map((f) => this.trackedFile(f, bufferBytes)));
      return;
    }
    for (const f of pending) yield* this.trackedFile(f, this.bufferBytes);
  }

  /** Every entry seen this pass, plus earlier ones not yet forgotten (fingerprint-only ones are kept). */
  checkpointAfterPull(): FileCheckpoint {
    const cutoff = new Date(Date.now() - FORGET_AFTER_MS).toISOString();
    const files: Record<string, FileCheckpoint['files'][string]> = {};
    for (const [k, e] of Object.entries(this.prior.files)) if (!isEntry(e) || e.seen >= cutoff) files[k] = e;
    Object.assign(files, this.entries);
    return { files };
  }

  private get bufferBytes(): number {
    return this.options.readBufferBytes ?? READ_BUFFER_BYTES;
  }

  /** One input's pages, reporting start and end, and recording how far it was read. */
  private async *trackedFile(f: Pending, bufferBytes: number): AsyncIterable<SourceRecord[]> {
    this.options.onFile?.({ path: f.path, status: 'reading', ...(f.start > 0 ? { from: f.start } : {}), ...(f.warning ? { warning: f.warning } : {}) });
    let records = 0;
    const read = this.read(f, bufferBytes);
    for await (const page of read.pages) {
      records += page.length;
      yield page;
    }
    const r = read.result();
    if (f.facts) {
      const headBytes = Math.min(r.offset, HEAD_BYTES);
      this.entries[entryKey(f.facts.dev, f.facts.ino)] = {
        path: f.path, dev: f.facts.dev, ino: f.facts.ino, offset: r.offset, head: hashOf(r.head.subarray(0, headBytes)), headBytes,
        format: r.format, lines: r.lines, records: f.records + records, complete: r.complete, seen: new Date().toISOString(),
      };
      const now = await stat(f.path).then((s) => s.size, () => 0);
      if (now < f.facts.size) {
        this.options.onFile?.({ path: f.path, status: 'done', records, warning: `shrank while being read (from ${f.facts.size} to ${now} bytes, copytruncate?): ${records} records read; the next pass reads on from byte ${r.offset} of whichever file holds that content` });
        return;
      }
    }
    this.options.onFile?.({ path: f.path, status: 'done', records });
  }

  private read(f: Pending, bufferBytes: number): { pages: AsyncIterable<SourceRecord[]>; result: () => ReadResult } {
    let result: ReadResult = { offset: f.start, lines: f.lines, format: f.format ?? 'lines', complete: false, head: Buffer.alloc(0) };
    const { maxLineBytes, wanted, stdin, openFile } = this.options;
    const skipped = this.skipped;
    const count = (n: number): void => {
      this.bytes.read += n;
      this.options.onBytes?.({ ...this.bytes });
    };
    async function* pages(): AsyncIterable<SourceRecord[]> {
      const input = await openInput(f, { stdin, bufferBytes, ...(openFile ? { open: openFile } : {}) });
      const named = namedFormat(f.path);
      const format: InputFormat = input.gzip ? 'gzip' : (f.format ?? named ?? (input.array ? 'array' : 'lines'));
      const asArray = format === 'gzip' ? (named === undefined ? undefined : named === 'array') : format === 'array';
      const parser = new RecordParser(f.path === STDIN ? 'stdin' : f.path, maxLineBytes, asArray, wanted, skipped, f.lines);
      // Compressed bytes are not counted: a gzip input is read to its size at the start, whole.
      const planned = f.facts?.size ?? 0;
      let raw = 0;
      let onDisk = 0;
      const done = (complete: boolean, held = 0): ReadResult => ({
        offset: format === 'gzip' ? planned : f.start + raw - held, lines: parser.linesDone, format, complete, head: input.head,
      });
      try {
        // A plain file's chunks are views into reused buffers: the parser copies what it keeps.
        for await (const chunk of input.decoded) {
          raw += chunk.length;
          // Merged inputs are read interleaved, so per-file deltas add up to the pass's bytes.
          if (input.bytesRead() > onDisk) {
            count(input.bytesRead() - onDisk);
            onDisk = input.bytesRead();
          }
          const page = parser.push(chunk);
          if (page.length) yield page;
        }
      } catch (e) {
        // A truncated gzip or an I/O error ends this file, not the run: report it and go on.
        yield [...parser.end(), { kind: 'malformed', reason: `file ended early: ${(e as Error).message}`, origin: parser.origin, text: '' }];
        result = done(false);
        return;
      }
      const rest = parser.end(format === 'lines' && f.facts !== undefined);
      if (rest.length) yield rest;
      result = done(true, parser.heldBytes);
    }
    return { pages: pages(), result: () => result };
  }
}

/**
 * The format a name states (`.json` array, `.jsonl`/`.ndjson` lines, with or without `.gz`);
 * other names are sniffed. Trusting a `.jsonl` name matters: sniffing its first byte read a file
 * whose first line was garbage starting with `[` as one broken array, losing every other line.
 */
function namedFormat(path: string): 'array' | 'lines' | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.json')) return 'array';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'lines';
  return undefined;
}

/** Merged inputs' read buffers, all together; each gets its share, but no less than the minimum. */
const MERGED_BUFFERS_BYTES = 32 * 1024 * 1024;
const MIN_MERGED_BUFFER_BYTES = 64 * 1024;

interface ReadResult {
  readonly offset: number;
  readonly lines: number;
  readonly format: InputFormat;
  readonly complete: boolean;
  /** The first bytes as read before streaming: what the checkpoint's head hash covers. */
  readonly head: Buffer;
}

interface Input {
  readonly decoded: AsyncIterable<Buffer>;
  readonly gzip: boolean;
  readonly array: boolean;
  readonly head: Buffer;
  readonly bytesRead: () => number;
}

/**
 * The input's bytes from `start` (up to its size when planned: what is appended meanwhile is
 * the next pass's), decoded. A plain file is read into reused buffers (file-chunks.ts); a gzip
 * one streams through gunzip. Pipes and stdin cannot seek (ESPIPE, issue 12): their first chunk
 * is sniffed in the stream itself and put back in front.
 */
async function openInput(f: Pending, options: { stdin: NodeJS.ReadableStream | undefined; bufferBytes: number; open?: OpenRead }): Promise<Input> {
  let bytes: NodeJS.ReadableStream;
  let head: Buffer;
  let bytesRead = (): number => 0;
  if (f.facts) {
    head = await readHead(f.path, HEAD_BYTES);
    const gzip = f.format === 'gzip' || isGzip(head);
    if (f.facts.size <= f.start) return { decoded: Readable.from([]), gzip, array: false, head, bytesRead };
    if (!gzip) {
      const chunks = fileChunks(f.path, f.start, f.facts.size - 1, { bufferBytes: options.bufferBytes, ...(options.open ? { open: options.open } : {}) });
      return { decoded: chunks, gzip, array: f.start === 0 && startsWithBracket(head), head, bytesRead: chunks.bytesRead };
    }
    const file = createReadStream(f.path, { start: f.start, end: f.facts.size - 1, highWaterMark: 256 * 1024 });
    bytesRead = () => file.bytesRead;
    bytes = file;
  } else {
    const it = ((f.path === STDIN ? (options.stdin ?? process.stdin) : createReadStream(f.path)) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await it.next();
    head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
    const chunk = head;
    bytes = Readable.from((async function* () {
      if (chunk.length) yield chunk;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    })());
  }
  const gzip = f.format === 'gzip' || isGzip(head);
  const array = f.start === 0 && startsWithBracket(head);
  if (!gzip) return { decoded: bytes as AsyncIterable<Buffer>, gzip, array, head, bytesRead };
  const gunzip = createGunzip();
  bytes.on('error', (e) => gunzip.destroy(e));
  bytes.pipe(gunzip);
  return { decoded: gunzip, gzip, array, head, bytesRead };
}

function isGzip(head: Buffer): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}
