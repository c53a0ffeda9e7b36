import { strict as assert } from 'node:assert';
import { assembleNewest, nextGeneration, splitState } from '../../../core/state/chunked-state';

describe('chunked state (platform-neutral)', () => {
  it('splits a text into parts of at most partChars and joins them back', () => {
    const text = 'abcdefghij'.repeat(25);
    const parts = splitState('engine', 7, text, 40);
    assert.equal(parts.length, 7);
    assert.ok(parts.every((p) => p.state.length <= 40 && p.parts === 7 && p._key.startsWith('engine:7:')));
    assert.deepEqual(assembleNewest(parts), { kind: 'complete', generation: 7, text });
  });

  it('writes one part for an empty text', () => {
    assert.deepEqual(splitState('engine', 1, '', 10).map((p) => p.state), ['']);
  });

  it('takes the newest complete generation over a newer partial one', () => {
    const old = splitState('engine', 1, 'old-state', 4);
    const partial = splitState('engine', 2, 'new-state', 4).slice(0, 2);
    assert.deepEqual(assembleNewest([...partial, ...old]), { kind: 'complete', generation: 1, text: 'old-state' });
  });

  it('reports chunks with no complete generation as incomplete, not as empty', () => {
    assert.deepEqual(assembleNewest(splitState('engine', 3, 'abcdefgh', 3).slice(1)), { kind: 'incomplete', generations: [3] });
  });

  it('ignores records that are not chunks (a lease record in the same collection)', () => {
    assert.deepEqual(assembleNewest([{ _key: 'engine:lease', holder: 'x', expires: 1 }]), { kind: 'none' });
  });

  it('numbers generations above the previous one even when the clock went back', () => {
    assert.equal(nextGeneration(5000, 1000), 5001);
    assert.equal(nextGeneration(null, 1000), 1000);
  });
});
