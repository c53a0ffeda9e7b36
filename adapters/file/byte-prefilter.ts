import type { EventFilter } from '../../core/events/normalize';

/**
 * The line prefilter (prefilter.ts) read from the line's bytes, before the line is decoded: a
 * line no detector wants then costs neither its string nor `JSON.parse`. At 1 M events over
 * 100 k accounts 42 % of lines are skipped, and decoding every line was the largest allocation
 * of a pass (620 of 3,084 MB, sampled with the heap profiler keeping collected objects).
 *
 * It reads exactly what `skippable` reads — the first `"EventID":` and `"Channel":"` of the line,
 * both ASCII, which UTF-8 never produces inside a multi-byte character — and leaves to the
 * text path (`DECIDE_ON_TEXT`) whatever `skippable` would need the string for: a line not
 * framed by braces (BOM, blank, truncated), a channel with non-ASCII bytes or an escape, a
 * wanted event whose pull plan asks for a text but gives no `neededTexts`.
 */
export const PARSE = 0;
export const DECIDE_ON_TEXT = 1;
/** `PARSE`, `DECIDE_ON_TEXT`, or the `channel:id` key of a skipped line. */
export type ByteVerdict = typeof PARSE | typeof DECIDE_ON_TEXT | string;

const EVENT_ID = Buffer.from('"EventID":');
const CHANNEL = Buffer.from('"Channel":"');

export class BytePrefilter {
  /** Skip keys by channel then id, so a skipped line builds no string (bounded by the distinct keys, as the skip counts are). */
  private readonly keys = new Map<string, Map<number, string>>();

  constructor(private readonly wanted: EventFilter) {}

  verdict(buf: Buffer, start: number, end: number): ByteVerdict {
    if (end <= start || buf[start] !== 0x7b || buf[lastNonSpace(buf, start, end)] !== 0x7d) return DECIDE_ON_TEXT;
    // One pass for both keys: two `Buffer.indexOf` calls a line cost 511 ms self at 1 M lines,
    // native-call overhead mostly. Every occurrence of either key starts at a quote, and the
    // first of each is taken, as `indexOf` would.
    let id = -1;
    let ch = -1;
    for (let q = start + 1; q < end && (id < 0 || ch < 0); q++) {
      if (buf[q] !== 0x22) continue;
      if (id < 0 && buf[q + 1] === 0x45 && matches(buf, q, end, EVENT_ID)) id = q;
      else if (ch < 0 && buf[q + 1] === 0x43 && matches(buf, q, end, CHANNEL)) ch = q;
    }
    if (id < 0 || ch < 0) return DECIDE_ON_TEXT;
    let i = id + EVENT_ID.length;
    while (i < end && buf[i] === 0x20) i++;
    if (i < end && buf[i] === 0x22) i++;
    let eventId = 0;
    let digits = 0;
    for (; i < end && digits < 6; i++, digits++) {
      const c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      eventId = eventId * 10 + (c - 0x30);
    }
    if (digits === 0 || eventId > 65535) return DECIDE_ON_TEXT;
    const from = ch + CHANNEL.length;
    let to = from;
    while (to < end && buf[to] !== 0x22) to++;
    if (to >= end) return DECIDE_ON_TEXT;
    const channel = channelAt(buf, from, to);
    if (channel === undefined) return DECIDE_ON_TEXT;
    if (!this.wanted(channel, eventId)) return this.key(channel, eventId);
    if (this.wanted.textNeeds?.(channel, eventId) === undefined) return PARSE;
    // The pull plan's texts read on the bytes (15 % of lines at 1 M / 100 k are 5140s and
    // Sysmon 13s that only a text keeps): the pattern is ASCII-only and case-insensitive without
    // the `u` flag, where no non-ASCII character folds to an ASCII one (ECMA-262 Canonicalize),
    // so a match on the decoded line is a match of ASCII bytes, folded, here.
    const texts = this.wanted.neededTexts?.(channel, eventId);
    if (texts === undefined) return DECIDE_ON_TEXT;
    for (const t of texts) if (containsFolded(buf, start, end, t)) return PARSE;
    return this.key(channel, eventId);
  }

  private key(channel: string, eventId: number): string {
    let byId = this.keys.get(channel);
    if (byId === undefined) this.keys.set(channel, (byId = new Map()));
    let key = byId.get(eventId);
    if (key === undefined) byId.set(eventId, (key = `${channel}:${eventId}`));
    return key;
  }
}

/** The usual channels as bytes and their lower-case names: nearly every line is one of these. */
const COMMON_CHANNELS = ['Security', 'System', 'Microsoft-Windows-Sysmon/Operational', 'security'].map((c) => ({ bytes: Buffer.from(c), lower: c.toLowerCase() }));

/** The channel lower case, or undefined when it is not plain ASCII without escapes (the text path decides those). */
function channelAt(buf: Buffer, from: number, to: number): string | undefined {
  for (const c of COMMON_CHANNELS) {
    if (to - from === c.bytes.length && sameBytes(buf, from, c.bytes)) return c.lower;
  }
  for (let i = from; i < to; i++) {
    if (buf[i]! >= 0x80 || buf[i] === 0x5c) return undefined;
  }
  return buf.toString('latin1', from, to).toLowerCase();
}

/** A JS loop rather than `buf.compare`: a native call per line costs more than the few bytes compared. */
function sameBytes(buf: Buffer, at: number, bytes: Buffer): boolean {
  for (let k = 0; k < bytes.length; k++) if (buf[at + k] !== bytes[k]) return false;
  return true;
}

function matches(buf: Buffer, at: number, end: number, key: Buffer): boolean {
  if (at + key.length > end) return false;
  for (let k = 2; k < key.length; k++) if (buf[at + k] !== key[k]) return false;
  return true;
}

/** Whether `lower` (lower-case printable ASCII) occurs in the range, ASCII letters compared case-insensitively. */
function containsFolded(buf: Buffer, start: number, end: number, lower: string): boolean {
  // Candidates found by the native byte search (memchr) on the needle's anchor, rather than a JS
  // loop over every byte of the line: 227 ms of a 1 M pass went to the loop (CPU profile). The
  // search is confined to the line (a view, no copy), so a needle in the next line never counts.
  const line = buf.subarray(start, end);
  const a = anchorOf(lower);
  const c = lower.charCodeAt(a);
  const other = c >= 0x61 && c <= 0x7a ? c ^ 0x20 : -1;
  let lo = line.indexOf(c, a);
  let up = other < 0 ? -1 : line.indexOf(other, a);
  while (lo >= 0 || up >= 0) {
    const at = lo < 0 ? up : up < 0 ? lo : Math.min(lo, up);
    if (at - a + lower.length > line.length) return false;
    if (foldedAt(line, at - a, lower)) return true;
    if (at === lo) lo = line.indexOf(c, at + 1);
    else up = line.indexOf(other, at + 1);
  }
  return false;
}

/** The needle's first character that is not a letter (one byte search instead of two), else its first. */
function anchorOf(lower: string): number {
  for (let k = 0; k < lower.length; k++) {
    const c = lower.charCodeAt(k);
    if (c < 0x61 || c > 0x7a) return k;
  }
  return 0;
}

function foldedAt(line: Buffer, at: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) if (fold(line[at + k]!) !== lower.charCodeAt(k)) return false;
  return true;
}

function fold(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

function lastNonSpace(buf: Buffer, start: number, end: number): number {
  let i = end - 1;
  while (i > start && (buf[i] === 0x20 || buf[i] === 0x0d || buf[i] === 0x09)) i--;
  return i;
}
