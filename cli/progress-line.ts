import type { ByteProgress } from '../adapters/file/file-source';

/** What a progress line reports; `bytes` when the input sizes are known (files, not stdin). */
export interface ProgressSnapshot {
  readonly records: number;
  readonly alerts: number;
  readonly elapsedMs: number;
  readonly bytes?: ByteProgress;
}

/**
 * `read 412.0 MiB of 1.2 GiB (34%, 88.1 MiB/s), 2,034,112 records, ETA 9s, 12 alerts so far`.
 * The ETA assumes the rest reads at the rate so far — good enough for "go for coffee or not".
 */
export function progressText(p: ProgressSnapshot): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const records = `${p.records.toLocaleString('en-US')} records`;
  const alerts = `${p.alerts} alerts so far`;
  const b = p.bytes;
  if (!b || b.total <= 0) return `read ${records} (${Math.round(p.records / seconds).toLocaleString('en-US')}/s), ${alerts}`;
  const read = Math.min(b.read, b.total);
  const pct = Math.floor((100 * read) / b.total);
  const rate = read / seconds;
  const eta = rate > 0 ? duration((b.total - read) / rate) : 'unknown';
  return `read ${size(read)} of ${size(b.total)} (${pct}%, ${size(rate)}/s), ${records}, ETA ${eta}, ${alerts}`;
}

export function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A progress line on stderr for long inputs: shown after 2 s (at once with --progress), refreshed at most once a second. */
export class ProgressLine {
  private lastShown = 0;
  private shown = false;
  private bytes: ByteProgress | undefined;

  constructor(
    private readonly quiet: boolean,
    private readonly always: boolean,
    private readonly started: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** The file source's byte counter (FileSource `onBytes`). */
  readonly onBytes = (b: ByteProgress): void => {
    this.bytes = b;
  };

  update(s: { readonly records: number; readonly alerts: number }): void {
    const now = Date.now();
    if (this.quiet || (!this.always && now - this.started < 2000) || now - this.lastShown < 1000) return;
    this.lastShown = now;
    this.shown = true;
    const line = progressText({ records: s.records, alerts: s.alerts, elapsedMs: now - this.started, ...(this.bytes ? { bytes: this.bytes } : {}) });
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }

  clear(): void {
    if (this.shown && this.stream.isTTY) this.stream.write('\r\x1b[K');
  }
}
