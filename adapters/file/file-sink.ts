import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Alert } from '../../core/alerts/alert';
import type { Sink } from '../../core/engine/ports';
import type { ScoreUpdate } from '../../core/scoring/score-update';
import { reason } from './io-error';

/**
 * Alerts as JSON lines in a file; score updates go elsewhere (file-score-sink.ts), so the
 * file holds exactly the alert contract it always has. Idempotent by alert id: ids already in the file are not
 * written again, so a pass redone after a crash between write and commit adds nothing twice.
 */
export class FileAlertSink implements Sink {
  constructor(private readonly path: string, private readonly mode: 'append' | 'replace') {}

  async write(alerts: readonly Alert[]): Promise<void> {
    try {
      await this.writeOrThrow(alerts);
    } catch (e) {
      throw e instanceof SinkWriteError ? e : SinkWriteError.from(this.path, e as NodeJS.ErrnoException);
    }
  }

  private async writeOrThrow(alerts: readonly Alert[]): Promise<void> {
    const fh = await open(this.path, this.mode === 'append' ? 'a+' : 'w');
    try {
      if ((await fh.stat()).isDirectory()) throw SinkWriteError.from(this.path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
      // A line torn by a crash mid-write is no acknowledged alert: cut it, it is rewritten below.
      if (this.mode === 'append') await cutTornLine(fh);
      const present = this.mode === 'append' ? await idsIn(fh) : new Set<string>();
      const fresh = alerts.filter((a) => !present.has(a.id));
      if (fresh.length) await fh.appendFile(`${fresh.map((a) => JSON.stringify(a)).join('\n')}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/** Writing alerts failed: an I/O failure the user can act on (exit 3), naming the file. */
export class SinkWriteError extends Error {
  readonly exitCode = 3;
  override readonly name = 'SinkWriteError';

  static from(path: string, e: NodeJS.ErrnoException): SinkWriteError {
    return new SinkWriteError(`cannot write alerts to ${path}: ${reason(e)}`);
  }
}

/** Alerts to a stream (stdout): nothing to dedupe against, the caller owns the stream; scores go to `--scores`. */
export class StreamAlertSink implements Sink {
  constructor(private readonly out: NodeJS.WritableStream) {}
  /** Resolves once the stream took every line; a stream error (EPIPE, EBADF) rejects, never hangs. */
  async write(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const fail = (e: NodeJS.ErrnoException): void => reject(new SinkWriteError(`cannot write alerts to standard output: ${e.code ?? e.message}`));
      this.out.once('error', fail);
      this.out.write(alerts.map((a) => `${JSON.stringify(a)}\n`).join(''), (e) => {
        this.out.removeListener('error', fail);
        if (e) fail(e);
        else resolve();
      });
    });
  }
}

/** Alerts and score updates kept in memory: `eval` and tests. */
export class MemorySink implements Sink {
  readonly alerts: Alert[] = [];
  /** Every pass's score updates, in the order written. */
  readonly scores: ScoreUpdate[] = [];
  async write(alerts: readonly Alert[], scores: readonly ScoreUpdate[] = []): Promise<void> {
    // Not push(...alerts): a pass's hundred thousand score updates would overflow the stack.
    for (const a of alerts) this.alerts.push(a);
    for (const s of scores) this.scores.push(s);
  }
}

/** Truncates the file after its last newline, when it does not end with one. */
async function cutTornLine(fh: FileHandle): Promise<void> {
  const { size } = await fh.stat();
  if (size === 0) return;
  const span = 64 * 1024;
  for (let end = size; end > 0; end -= span) {
    const from = Math.max(0, end - span);
    const buf = Buffer.alloc(end - from);
    await fh.read(buf, 0, buf.length, from);
    if (end === size && buf[buf.length - 1] === 0x0a) return;
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      await fh.truncate(from + nl + 1);
      return;
    }
  }
  await fh.truncate(0);
}

async function idsIn(fh: FileHandle): Promise<Set<string>> {
  const ids = new Set<string>();
  const stream = fh.createReadStream({ encoding: 'utf8', start: 0, autoClose: false });
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    const m = /^\{"id":"(tz-[0-9a-f]+)"/.exec(line);
    if (m?.[1] && line.endsWith('}')) ids.add(m[1]);
  }
  return ids;
}
