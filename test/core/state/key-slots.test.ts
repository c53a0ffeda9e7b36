import { strict as assert } from 'node:assert';
import { KeySlots } from '../../../core/state/key-slots';
import { SlotTable } from '../../../core/state/slot-table';
import { StateInvalidError } from '../../../core/state/state';

describe('key slots', () => {
  it('gives each key one slot, found again by its bytes, and reads the key back', () => {
    const k = new KeySlots();
    const a = k.add('alice');
    const b = k.add('10.0.0.2');
    assert.notEqual(a, b);
    assert.equal(k.add('alice'), a);
    assert.equal(k.find('10.0.0.2'), b);
    assert.equal(k.find('alic'), -1);
    assert.deepEqual([k.key(a), k.key(b)], ['alice', '10.0.0.2']);
  });

  it('holds non-ASCII keys and tells keys apart that differ in one byte', () => {
    const k = new KeySlots();
    const s = k.add('jürgen@corp');
    k.add('jurgen@corp');
    assert.equal(k.key(s), 'jürgen@corp');
    assert.equal(k.find('jürgen@corp'), s);
    assert.equal(k.size, 2);
  });

  it('grows its slots, bytes and index past their first sizes, every key still found', () => {
    const k = new KeySlots();
    const slots = Array.from({ length: 20_000 }, (_, i) => k.add(`account-${i}-${'x'.repeat(i % 40)}`));
    assert.equal(k.size, 20_000);
    for (let i = 0; i < 20_000; i += 997) assert.equal(k.find(`account-${i}-${'x'.repeat(i % 40)}`), slots[i]);
  });

  it('reuses deleted slots, forgets their keys, and keeps the others through a compaction of its bytes', () => {
    const k = new KeySlots();
    const keys = Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 255}.1-${'y'.repeat(20)}`);
    const slots = keys.map((key) => k.add(key));
    for (let i = 0; i < 9_000; i++) k.delete(slots[i] as number);
    assert.equal(k.size, 1_000);
    assert.equal(k.find(keys[5] as string), -1);
    assert.equal(k.find(keys[9_500] as string), slots[9_500]);
    assert.equal(k.key(slots[9_999] as number), keys[9_999]);
    const again = k.add('new');
    assert.ok(again < 9_000, 'a deleted slot is reused');
    assert.deepEqual([...k.slots()].length, 1_001);
  });
});

describe('slot table', () => {
  it('keeps a row of numbers per key as NumericTable does, evicts idle rows and reuses them', () => {
    const t = new SlotTable(['n'] as const);
    for (let i = 0; i < 1000; i++) t.set(t.touch(`k${i}`, i), 'n', i * 2);
    assert.equal(t.get(t.row('k999'), 'n'), 1998);
    t.evictBefore(500);
    assert.equal(t.size, 500);
    assert.equal(t.row('k10'), -1);
    const reused = t.touch('new', 2000);
    assert.equal(t.get(reused, 'n'), 0, 'a reused row starts at 0');
    assert.equal(t.get(t.row('k700'), 'n'), 1400);
  });

  it('writes NumericTable\'s snapshot, and reads one back checked', () => {
    const t = new SlotTable(['n'] as const);
    t.set(t.touch('a', 1), 'n', 10);
    t.set(t.touch('b', 2), 'n', 20);
    t.delete('a');
    const again = new SlotTable(['n'] as const, JSON.parse(JSON.stringify(t.snapshot())));
    assert.deepEqual(again.snapshot(), { keys: ['b'], columns: { lastSeen: [2], n: [20] } });
    assert.throws(() => new SlotTable(['n'] as const, { keys: ['a'], columns: { lastSeen: [1], n: ['x' as unknown as number] } }, 'saved'), (e: unknown) => e instanceof StateInvalidError && /columns\.n/.test(e.message));
    assert.throws(() => new SlotTable(['n'] as const, { keys: ['a', 'a'], columns: { lastSeen: [1, 1], n: [1, 1] } }), /keys must be distinct/);
  });
});
