import { strict as assert } from 'node:assert';
import { SidIndex, type SidColumns } from '../../../core/estate/sid-index';

/** A pool's columns for `n` ids, as account-keys.ts keeps them. */
function columns(n: number): SidColumns & { domainOf: Int32Array; ridOf: Uint32Array } {
  return { domainOf: new Int32Array(n), ridOf: new Uint32Array(n) };
}

describe('SID index (the account key pool\'s SIDs by domain and RID)', () => {
  it('finds a SID key by its domain and RID, and no other', () => {
    const c = columns(4);
    const index = new SidIndex(c);
    c.domainOf[0] = 0; c.ridOf[0] = 1105;
    c.domainOf[1] = 1; c.ridOf[1] = 1105;
    index.add(0);
    index.add(1);
    assert.equal(index.find(0, 1105), 0);
    assert.equal(index.find(1, 1105), 1, 'the same RID in another domain is another key');
    assert.equal(index.find(0, 1106), undefined);
    assert.equal(index.size, 2);
  });

  it('keeps every other key findable as keys are deleted from the middle of their runs', () => {
    const n = 20_000;
    const c = columns(n);
    const index = new SidIndex(c);
    const reference = new Map<string, number>();
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let id = 0; id < n; id++) {
      c.domainOf[id] = id % 3;
      c.ridOf[id] = 1000 + Math.floor(id / 3); // consecutive RIDs, as a domain hands them out
      index.add(id);
      reference.set(`${id % 3}:${1000 + Math.floor(id / 3)}`, id);
    }
    for (let round = 0; round < n / 2; round++) {
      const id = next() % n;
      const key = `${c.domainOf[id]}:${c.ridOf[id]}`;
      if (!reference.has(key)) continue;
      index.delete(id);
      reference.delete(key);
    }
    assert.equal(index.size, reference.size);
    for (let id = 0; id < n; id++) {
      const key = `${c.domainOf[id]}:${c.ridOf[id]}`;
      assert.equal(index.find(c.domainOf[id] as number, c.ridOf[id] as number), reference.has(key) ? id : undefined, key);
    }
  });

  it('reads the columns the pool hands it after growing them', () => {
    const small = columns(2);
    const index = new SidIndex(small);
    small.domainOf[1] = 2; small.ridOf[1] = 500;
    index.add(1);
    const grown = columns(4);
    grown.domainOf.set(small.domainOf);
    grown.ridOf.set(small.ridOf);
    grown.domainOf[3] = 2; grown.ridOf[3] = 501;
    index.use(grown);
    index.add(3);
    assert.equal(index.find(2, 500), 1);
    assert.equal(index.find(2, 501), 3);
  });
});
