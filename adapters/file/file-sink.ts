import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Alert } from '../../core/alerts/alert';
import type { Sink } from '../../core/engine/ports';
import type { ScoreUpdate } from '../../core/scoring/score-update';

/**
 * Alerts as JSON lines in a file; score updates go elsewhere (file-score-sink.ts), so the
 * file holds exactly the alert contract it always has. Idempotent by alert id: ids already in the file are not
 * written again, so a pass redone after a crash between write and commit adds nothing twice.
 */
export class FileAlertSink implements Sink {
  constructor(private readonly path: string, private readonly mode: 'append' | 'replace') {}

  async write(alerts: readonly Alert[]): Promise<void> {
    const present = this.mode === 'append' ? await idsIn(this.path) : new Set<string>();
    const fresh = alerts.filter((a) => !present.has(a.id));
    const fh = await open(this.path, this.mode === 'append' ? 'a+' : 'w');
    try {
      // After a crash mid-line, start on a fresh line rather than gluing onto the torn one.
      const torn = this.mode === 'append' && (await endsWithoutNewline(fh));
      const body = fresh.map((a) => JSON.stringify(a)).join('\n');
      if (fresh.length) await fh.writeFile(`${torn ? '\n' : ''}${body}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/** Alerts to a stream (stdout): nothing to dedupe against, the caller owns the stream; scores go to `--scores`. */
export class StreamAlertSink implements Sink {
  constructor(private readonly out: NodeJS.WritableStream) {}
  async write(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) this.out.write(`${JSON.stringify(a)}\n`);
  }
}

/** Alerts and score updates kept in memory: `eval` and tests. */
export class MemorySink implements Sink {
  readonly alerts: Alert[] = [];
  /** Every pass's score updates, in the order written. */
  readonly scores: ScoreUpdate[] = [];
  async write(alerts: readonly Alert[], scores: readonly ScoreUpdate[] = []): Promise<void> {
    this.alerts.push(...alerts);
    this.scores.push(...scores);
  }
}

async function endsWithoutNewline(fh: import('node:fs/promises').FileHandle): Promise<boolean> {
  const { size } = await fh.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

async function idsIn(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const stream = createReadStream(path, 'utf8');
  const missing = await new Promise<boolean>((res) => {
    stream.once('error', (e: NodeJS.ErrnoException) => res(e.code === 'ENOENT'));
    stream.once('readable', () => res(false));
  });
  if (missing) return ids;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    // A line torn by a crash mid-write is not an acknowledged alert: ignore it, rewrite it.
    const m = /^\{"id":"(tz-[0-9a-f]+)"/.exec(line);
    if (m?.[1] && line.endsWith('}')) ids.add(m[1]);
  }
  return ids;
}
