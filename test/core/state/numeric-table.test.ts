import { strict as assert } from 'node:assert';
import { NumericTable } from '../../../core/state/numeric-table';
import { StateInvalidError } from '../../../core/state/state';

describe('numeric table', () => {
  it('keeps one row of numbers per key, every column 0 when new', () => {
    const t = new NumericTable(['hits', 'days'] as const);
    const r = t.touch('alice', 100);
    assert.equal(t.get(r, 'hits'), 0);
    t.set(r, 'hits', 3);
    assert.equal(t.touch('alice', 200), r);
    assert.equal(t.get(r, 'hits'), 3);
    assert.equal(t.get(r, 'lastSeen'), 200);
    assert.equal(t.row('bob'), -1);
  });

  it('grows past its first capacity and reuses the rows of evicted keys', () => {
    const t = new NumericTable(['n'] as const);
    for (let i = 0; i < 1000; i++) t.set(t.touch(`k${i}`, i), 'n', i * 2);
    assert.equal(t.size, 1000);
    assert.equal(t.get(t.row('k999'), 'n'), 1998);
    t.evictBefore(500);
    assert.equal(t.size, 500);
    assert.equal(t.row('k10'), -1);
    const reused = t.touch('new', 2000);
    assert.ok(reused < 500, 'an evicted row is reused');
    assert.equal(t.get(reused, 'n'), 0, 'a reused row starts at 0');
    assert.equal(t.get(t.row('k700'), 'n'), 1400);
  });

  it('round-trips through its columnar snapshot', () => {
    const t = new NumericTable(['n'] as const);
    t.set(t.touch('a', 1), 'n', 10);
    t.set(t.touch('b', 2), 'n', 20);
    t.delete('a');
    const again = new NumericTable(['n'] as const, JSON.parse(JSON.stringify(t.snapshot())));
    assert.deepEqual(again.snapshot(), { keys: ['b'], columns: { lastSeen: [2], n: [20] } });
    assert.equal(again.get(again.row('b'), 'n'), 20);
  });

  it('refuses a snapshot with a missing, short or non-numeric column, naming it', () => {
    const bad = [
      [{ keys: ['a'], columns: { lastSeen: [1] } }, /columns\.n must be 1 finite numbers/],
      [{ keys: ['a', 'b'], columns: { lastSeen: [1, 2], n: [1] } }, /columns\.n must be 2 finite numbers/],
      [{ keys: ['a'], columns: { lastSeen: ['1'], n: [1] } }, /columns\.lastSeen/],
      [{ keys: ['a', 'a'], columns: { lastSeen: [1, 1], n: [1, 1] } }, /keys must be distinct strings/],
      [{ a: { n: 1 } }, /must be \{"keys"/],
    ] as const;
    for (const [saved, message] of bad) {
      assert.throws(() => new NumericTable(['n'] as const, saved as never, 'x.table'), (e: unknown) => e instanceof StateInvalidError && message.test(e.message) && /x\.table/.test(e.message));
    }
  });
});
