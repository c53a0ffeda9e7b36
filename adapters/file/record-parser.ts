import type { SourceRecord } from '../../core/engine/ports';
import type { EventFilter } from '../../core/events/normalize';
import { JsonArraySplitter, type ArrayItem } from './json-array-splitter';
import { LineSplitter, type LineSink } from './line-splitter';
import { BytePrefilter, DECIDE_ON_TEXT, PARSE } from './byte-prefilter';
import { skippable } from './prefilter';

/** Parses lines (JSONL) or array items (JSON) from chunks, sniffing which on the first bytes. */
export class RecordParser implements LineSink {
  private lines?: LineSplitter;
  private items?: JsonArraySplitter;
  private page: SourceRecord[] = [];
  private readonly bytePrefilter?: BytePrefilter;
  /** Bytes of a torn last line left for the next pass. */
  heldBytes = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private asArray: boolean | undefined,
    private readonly wanted: EventFilter | undefined,
    private readonly skipped: Map<string, number>,
    private readonly firstLine = 0,
  ) {
    if (wanted) this.bytePrefilter = new BytePrefilter(wanted);
  }

  get isArray(): boolean {
    return this.asArray === true;
  }

  /** Lines completed so far (counting those before where reading started). */
  get linesDone(): number {
    return this.lines?.lines ?? this.firstLine;
  }

  /** Where reading stopped, for a "file ended early" record: the line or item being read. */
  get origin(): string {
    if (this.items) return `${this.path}[${this.items.count}]`;
    return `${this.path}:${this.linesDone + 1}`;
  }

  push(chunk: Buffer): SourceRecord[] {
    if (this.asArray === undefined) this.asArray = startsWithBracket(chunk);
    if (this.asArray) {
      this.items ??= new JsonArraySplitter(this.maxBytes);
      const out: ArrayItem[] = [];
      this.items.push(chunk, out);
      return out.map((i) => this.fromItem(i));
    }
    this.lines ??= new LineSplitter(this.maxBytes, this.firstLine);
    this.lines.push(chunk, this);
    return this.takePage();
  }

  /**
   * The rest. With `holdTorn`, an unterminated last line that is not yet valid JSON is left
   * unread (`heldBytes`): on a file still being written it is the writer's line in progress.
   */
  end(holdTorn = false): SourceRecord[] {
    if (this.items) {
      const out: ArrayItem[] = [];
      this.items.end(out);
      return out.map((i) => this.fromItem(i));
    }
    if (!this.lines) return [];
    const tail = this.lines.pendingText();
    if (holdTorn && tail !== undefined && this.lines.pendingBytes > 0 && !parses(tail)) {
      this.heldBytes = this.lines.pendingBytes;
      return this.takePage();
    }
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
    this.page.push(parseJson(text, this.path, lineNo));
  }

  lineBytes(chunk: Buffer, start: number, end: number, lineNo: number): void {
    const verdict = this.bytePrefilter ? this.bytePrefilter.verdict(chunk, start, end) : DECIDE_ON_TEXT;
    if (verdict === PARSE) {
      this.page.push(parseJson(chunk.toString('utf8', start, end), this.path, lineNo));
    } else if (verdict === DECIDE_ON_TEXT) {
      this.line(chunk.toString('utf8', start, end), lineNo);
    } else {
      this.skipped.set(verdict, (this.skipped.get(verdict) ?? 0) + 1);
    }
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
    return parseJsonAt(i.text, origin);
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A parsed line whose origin (`path:line`) is built only when asked: the engine reads it only to
 * quarantine, so a pass no longer builds 580 k origin strings it never reads.
 */
class LineRecord {
  readonly kind = 'record';
  constructor(
    readonly value: unknown,
    private readonly path: string,
    private readonly lineNo: number,
  ) {}

  get origin(): string {
    return `${this.path}:${this.lineNo}`;
  }
}

function parseJson(text: string, path: string, lineNo: number): SourceRecord {
  try {
    return new LineRecord(JSON.parse(text), path, lineNo);
  } catch (e) {
    return { kind: 'malformed', reason: `invalid JSON: ${(e as Error).message}`, origin: `${path}:${lineNo}`, text };
  }
}

function parseJsonAt(text: string, origin: string): SourceRecord {
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

export function startsWithBracket(buf: Buffer): boolean {
  for (const c of buf) {
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf) continue;
    return c === 0x5b;
  }
  return false;
}
