import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileScoreLog, latestScores, withScoreLog } from '../../../adapters/file/file-score-sink';
import { MemorySink } from '../../../adapters/file/file-sink';
import type { IdentityScoreUpdate, ScoreUpdate } from '../../../core/scoring/score-update';

const dir = mkdtempSync(join(tmpdir(), 'tz-scorelog-'));

function score(key: string, value: number, at = '2024-03-12T00:00:00.000Z'): IdentityScoreUpdate {
  return {
    kind: 'score', key, identity: { name: key }, sortName: key, at, score: value, band: 'low', percentile: 50, change24h: 0, riskJump: false,
    criticality: { tier: 'normal', multiplier: 1, reasons: [] }, contributions: [], topContributions: '',
    formula: { total: 0, floor: 0, normalised: 0, stages: [], inOrder: false, bonus: 1, boosted: 0, odds: 0, clearedByReset: 0 },
  };
}

const lines = (path: string): ScoreUpdate[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ScoreUpdate);

describe('score updates in a file', () => {
  it('appends each pass\'s updates, so the latest line per identity is its score', async () => {
    const path = join(dir, 'append.jsonl');
    const log = new FileScoreLog(path, 'append');
    await log.write([score('sam:a', 20), score('sam:b', 10)]);
    await log.write([score('sam:a', 15, '2024-03-13T00:00:00.000Z')]);
    assert.deepEqual([...latestScores(lines(path)).values()].map((u) => [u.key, u.score]), [['sam:a', 15], ['sam:b', 10]]);
  });

  it('drops an identity from the latest records once a retired line names it', async () => {
    const path = join(dir, 'retired.jsonl');
    const log = new FileScoreLog(path, 'append');
    await log.write([score('sam:a', 20), score('sam:b', 10)]);
    await log.write([{ kind: 'retired', key: 'sam:b', at: '2024-03-13T00:00:00.000Z', reason: 'merged', mergedInto: 'sam:a' }]);
    assert.deepEqual([...latestScores(lines(path)).keys()], ['sam:a']);
  });

  it('replaces the file in replace mode', async () => {
    const path = join(dir, 'replace.jsonl');
    await new FileScoreLog(path, 'replace').write([score('sam:a', 20)]);
    await new FileScoreLog(path, 'replace').write([score('sam:b', 5)]);
    assert.deepEqual(lines(path).map((u) => u.key), ['sam:b']);
  });

  it('hands alerts to the alert sink and scores to the log, both before acknowledging', async () => {
    const path = join(dir, 'both.jsonl');
    const alerts = new MemorySink();
    await withScoreLog(alerts, new FileScoreLog(path, 'replace')).write([], [score('sam:a', 20)]);
    assert.deepEqual(lines(path).map((u) => u.key), ['sam:a']);
    assert.equal(alerts.scores.length, 1);
  });
});
