/**
 * Splits a byte stream into lines with a hard cap on line length, so one 50 MB line cannot
 * take the process's memory with it: the excess is skipped and reported, the rest goes on.
 */
/** Receives each line as it completes; a callback rather than objects, to spare one allocation a line. */
export interface LineSink {
  line(text: string, lineNo: number): void;
  /**
   * When present, a line lying whole in one chunk is handed as its bytes instead (the sink decodes
   * it if it needs the text: a line it skips is never decoded). Valid only during the call: the
   * stream may reuse the chunk's memory after.
   */
  lineBytes?(chunk: Buffer, start: number, end: number, lineNo: number): void;
  oversize(bytes: number, head: string, lineNo: number): void;
}

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overflowBytes = 0;
  private overflowHead = '';
  private lineNo: number;

  /** `firstLine`: lines before where reading starts, so a resumed file keeps its line numbers. */
  constructor(private readonly maxLineBytes: number, firstLine = 0) {
    this.lineNo = firstLine;
  }

  /** Lines completed so far, including any before `firstLine`. */
  get lines(): number {
    return this.lineNo;
  }

  /** Bytes after the last newline: the line still being read. */
  get pendingBytes(): number {
    return this.carryBytes + this.overflowBytes;
  }

  /** The unfinished last line, when it fits (a longer one is oversize whatever follows). */
  pendingText(): string | undefined {
    return this.overflowBytes > 0 ? undefined : Buffer.concat(this.carry, this.carryBytes).toString('utf8');
  }

  /** Lines completed by this chunk. */
  push(chunk: Buffer, out: LineSink): void {
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      this.finishLine(chunk, start, nl, out);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.keep(chunk, start, chunk.length);
  }

  /** The last line, when the stream did not end with a newline. */
  end(out: LineSink): void {
    if (this.carryBytes > 0 || this.overflowBytes > 0) this.finishLine(Buffer.alloc(0), 0, 0, out);
  }

  private finishLine(chunk: Buffer, start: number, end: number, out: LineSink): void {
    this.lineNo++;
    if (this.overflowBytes > 0) {
      out.oversize(this.overflowBytes + (end - start), this.overflowHead, this.lineNo);
      this.overflowBytes = 0;
      this.overflowHead = '';
      return;
    }
    const length = this.carryBytes + (end - start);
    if (length > this.maxLineBytes) {
      out.oversize(length, this.head(chunk, start, end), this.lineNo);
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    let text: string;
    if (this.carryBytes === 0) {
      if (out.lineBytes) return out.lineBytes(chunk, start, end, this.lineNo);
      text = chunk.toString('utf8', start, end);
    } else {
      this.carry.push(chunk.subarray(start, end));
      text = Buffer.concat(this.carry, length).toString('utf8');
      this.carry = [];
      this.carryBytes = 0;
    }
    out.line(text, this.lineNo);
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (this.overflowBytes > 0) {
      this.overflowBytes += end - start;
      return;
    }
    if (this.carryBytes + (end - start) > this.maxLineBytes) {
      this.overflowHead = this.head(chunk, start, end);
      this.overflowBytes = this.carryBytes + (end - start);
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    // Copy: the stream may reuse the chunk's memory after we return.
    this.carry.push(Buffer.from(chunk.subarray(start, end)));
    this.carryBytes += end - start;
  }

  private head(chunk: Buffer, start: number, end: number): string {
    const first = this.carry[0] ?? chunk.subarray(start, end);
    return first.subarray(0, 256).toString('utf8');
  }
}
