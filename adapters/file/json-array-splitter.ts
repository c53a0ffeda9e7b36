/**
 * Streams the elements of a top-level JSON array (or a lone top-level value) as text, so a
 * `.json` export is read element by element instead of whole. Elements larger than the cap
 * are skipped and reported like oversize lines.
 */
export type ArrayItem =
  | { readonly kind: 'item'; readonly text: string; readonly index: number }
  | { readonly kind: 'oversize'; readonly bytes: number; readonly index: number }
  | { readonly kind: 'error'; readonly reason: string; readonly index: number };

const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;

export class JsonArraySplitter {
  /** 0 before the opening `[` (or lone value), 1 inside the array between items. */
  private depth = 0;
  private topLevelArray: boolean | undefined;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private inItem = false;
  private oversize = false;
  private index = 0;

  /** Items split so far: where a cut file stopped. */
  get count(): number {
    return this.index;
  }
  private done = false;

  constructor(private readonly maxItemBytes: number) {}

  push(chunk: Buffer, out: ArrayItem[]): void {
    let itemStart = this.inItem ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.done) {
        if (!isSpace(c)) { out.push({ kind: 'error', reason: 'content after the end of the JSON array', index: this.index }); return; }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (this.topLevelArray === undefined) {
        if (isSpace(c) || c === 0xef || c === 0xbb || c === 0xbf) continue; // whitespace or UTF-8 BOM
        this.topLevelArray = c === OPEN_BRACKET;
        if (this.topLevelArray) { this.depth = 1; continue; }
        this.depth = 0;
      }
      const itemDepth = this.topLevelArray ? 1 : 0;
      if (!this.inItem) {
        if (isSpace(c) || c === COMMA) continue;
        if (this.topLevelArray && c === CLOSE_BRACKET) { this.done = true; continue; }
        this.inItem = true;
        itemStart = i;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.depth === itemDepth) {
          // A scalar item ends at the array's closing bracket.
          this.finishItem(chunk, itemStart, i, out);
          itemStart = -1;
          this.done = true;
          continue;
        }
        this.depth--;
        if (this.depth === itemDepth) { this.finishItem(chunk, itemStart, i + 1, out); itemStart = -1; }
      } else if (c === COMMA && this.depth === itemDepth) {
        this.finishItem(chunk, itemStart, i, out);
        itemStart = -1;
      }
    }
    if (this.inItem && itemStart >= 0) this.keep(chunk.subarray(itemStart));
  }

  end(out: ArrayItem[]): void {
    if (this.inItem) {
      if (!this.topLevelArray && !this.inString && this.depth === 0) this.finishItem(Buffer.alloc(0), 0, 0, out);
      else out.push({ kind: 'error', reason: 'JSON ended inside an element (truncated file?)', index: this.index });
    } else if (this.topLevelArray && !this.done) {
      out.push({ kind: 'error', reason: 'JSON array not closed (truncated file?)', index: this.index });
    }
  }

  private finishItem(chunk: Buffer, start: number, end: number, out: ArrayItem[]): void {
    const index = this.index++;
    this.inItem = false;
    if (this.oversize || this.partBytes + (end - start) > this.maxItemBytes) {
      out.push({ kind: 'oversize', bytes: this.partBytes + (end - start), index });
    } else {
      this.parts.push(chunk.subarray(start, end));
      out.push({ kind: 'item', text: Buffer.concat(this.parts).toString('utf8').trim(), index });
    }
    this.parts = [];
    this.partBytes = 0;
    this.oversize = false;
  }

  private keep(piece: Buffer): void {
    if (this.oversize) { this.partBytes += piece.length; return; }
    if (this.partBytes + piece.length > this.maxItemBytes) {
      this.oversize = true;
      this.parts = [];
    } else {
      this.parts.push(Buffer.from(piece));
    }
    this.partBytes += piece.length;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
