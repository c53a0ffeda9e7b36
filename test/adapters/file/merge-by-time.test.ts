import { strict as assert } from 'node:assert';
import { mergeByTime } from '../../../adapters/file/merge-by-time';
import type { SourceRecord } from '../../../core/engine/ports';

const at = (minute: number): SourceRecord => ({ kind: 'record', value: { TimeCreated: `2024-03-04T09:${String(minute).padStart(2, '0')}:00.000Z` }, origin: `m${minute}` });

/** Pages of one record each, noting when the stream is ended (a file closing). */
async function* pages(minutes: number[], ended: string[], name: string): AsyncIterable<SourceRecord[]> {
  try {
    for (const m of minutes) yield [at(m)];
  } finally {
    ended.push(name);
  }
}

describe('merge by time', () => {
  it('interleaves streams by event time', async () => {
    const ended: string[] = [];
    const out: string[] = [];
    for await (const page of mergeByTime([pages([1, 4], ended, 'a'), pages([2, 3], ended, 'b')], 1)) out.push(...page.map((r) => r.origin));
    assert.deepEqual(out, ['m1', 'm2', 'm3', 'm4']);
  });

  it('ends every input when its consumer stops early, so each closes its file', async () => {
    const ended: string[] = [];
    for await (const page of mergeByTime([pages([1, 4, 5], ended, 'a'), pages([2, 3, 6], ended, 'b')], 1)) {
      assert.equal(page.length, 1);
      break;
    }
    assert.deepEqual(ended.sort(), ['a', 'b']);
  });
});
