import { strict as assert } from 'node:assert';
import { grownLength } from '../../../core/state/growth';

describe('typed column growth (core/state/growth.ts)', () => {
  it('always makes room for one more row, and at most half as much again plus a few', () => {
    for (const n of [0, 1, 7, 16, 100, 4096, 100_037, 3_000_000]) {
      const next = grownLength(n);
      assert.ok(next > n, `${n} → ${next}`);
      assert.ok(next <= 1.5 * n + 17, `${n} → ${next}: no doubling`);
    }
  });
});
