import { open } from 'node:fs/promises';
import type { Alert } from '../../core/alerts/alert';
import type { Sink } from '../../core/engine/ports';
import type { ScoreUpdate } from '../../core/scoring/score-update';

/**
 * Score updates as JSON lines in their own file (`tierzero detect --scores f`), so the alert
 * file keeps exactly the alert contract (DESIGN §10) its consumers parse. Each line is one
 * `ScoreUpdate` (`kind` "score" or "retired", `key` the identity); the file is a log: the
 * latest line per `key` is the identity's score, a "retired" line removes it. A pass redone
 * after a crash appends the same updates again, which changes no one's latest line.
 */
export class FileScoreLog {
  constructor(private readonly path: string, private readonly mode: 'append' | 'replace') {}

  async write(scores: readonly ScoreUpdate[]): Promise<void> {
    const fh = await open(this.path, this.mode === 'append' ? 'a' : 'w');
    try {
      if (scores.length) await fh.writeFile(`${scores.map((s) => JSON.stringify(s)).join('\n')}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/** A sink that writes alerts to `alerts` and score updates to `scores`, acknowledging once both did. */
export function withScoreLog(alerts: Sink, scores: FileScoreLog): Sink {
  return {
    async write(a: readonly Alert[], s: readonly ScoreUpdate[]): Promise<void> {
      await alerts.write(a, s);
      await scores.write(s);
    },
  };
}

/** The latest record per identity in a score log's lines, as a consumer keeping one per key sees them. */
export function latestScores(lines: Iterable<ScoreUpdate>): Map<string, ScoreUpdate & { kind: 'score' }> {
  const out = new Map<string, ScoreUpdate & { kind: 'score' }>();
  for (const u of lines) {
    if (u.kind === 'retired') out.delete(u.key);
    else out.set(u.key, u);
  }
  return out;
}
