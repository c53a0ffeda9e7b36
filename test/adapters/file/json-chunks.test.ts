import { strict as assert } from 'node:assert';
import { jsonChunks } from '../../../adapters/file/json-chunks';
import { madeWhenRead } from '../../../core/state/made-when-read';

/** Every step's text on its own (no batching), in slices of `sliceLength` elements. */
const pieces = (v: unknown, sliceLength = 4): string[] => [...jsonChunks(v, { batchChars: 0, sliceLength })];
const joined = (v: unknown, sliceLength = 4): string => pieces(v, sliceLength).join('');

describe('json chunks: JSON.stringify in pieces (adapters/file/json-chunks.ts)', () => {
  it('writes enumerable getters as JSON.stringify does, and leaves out non-enumerable ones', () => {
    const v = { get a() { return [1, 2, 3]; }, b: 1, get c() { return undefined; } };
    Object.defineProperty(v, 'hidden', { get: () => 'x', enumerable: false });
    assert.equal(joined(v), JSON.stringify(v));
  });

  it('reads each getter once, only when the walk reaches it', () => {
    const log: string[] = [];
    const column = (name: string) => () => {
      log.push(`make ${name}`);
      return Array.from({ length: 10 }, (_, i) => i);
    };
    const v = madeWhenRead({ first: column('first'), nested: () => madeWhenRead({ second: column('second') }), third: column('third') });
    for (const piece of pieces(v)) log.push(`piece ${piece}`);
    assert.deepEqual(log.filter((l) => l.startsWith('make')), ['make first', 'make second', 'make third']);
    const at = (line: string): number => log.indexOf(line);
    assert.ok(at('make second') > at('piece 8,9'), 'the second column is made after the first one is written');
    assert.ok(at('make third') > log.lastIndexOf('piece 8,9'), 'the third column is made after the second one is written');
  });

  it('writes a long array in runs of at most the slice length, no piece holding the whole array', () => {
    const v = { column: Array.from({ length: 100_000 }, (_, i) => i * 1.5) };
    const parts = pieces(v, 1000);
    assert.equal(parts.join(''), JSON.stringify(v));
    const longest = Math.max(...parts.map((p) => p.length));
    assert.ok(longest < 1000 * 10, `longest piece ${longest} characters`);
  });

  it('writes nested long arrays exactly: an array of long arrays, and a long array in an object in an array', () => {
    const long = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `s${i}` : i));
    const v = [long(50), [long(20), { inner: long(33) }], long(4), []];
    assert.equal(joined(v), JSON.stringify(v));
    assert.equal(joined(v, 1), JSON.stringify(v));
  });

  it('writes holes, undefined, functions and symbols in arrays as null, inside runs, at their ends and beside objects', () => {
    // eslint-disable-next-line no-sparse-arrays
    const v = [1, , undefined, () => 1, Symbol('s'), { a: 1 }, undefined, 2, 3, 4, 5, 6, null, { b: () => 2, c: undefined }, ,];
    assert.equal(joined(v), JSON.stringify(v));
    assert.equal(joined(v, 1), JSON.stringify(v));
  });

  it('calls toJSON with the element\'s own index past the first run, and with the property\'s key', () => {
    const keyed = { toJSON: (key: string) => `key ${key}` };
    const v = { at: keyed, list: [...Array.from({ length: 9 }, (_, i) => i), keyed, new Date(0), keyed] };
    assert.equal(joined(v, 4), JSON.stringify(v));
  });

  it('calls toJSON once, as JSON.stringify does: an object it returns with its own toJSON is written property by property', () => {
    const inner = { x: 1, toJSON: () => 'never called' };
    const v = { a: { toJSON: () => inner }, b: [{ toJSON: () => inner }], c: { toJSON: () => undefined }, d: [{ toJSON: () => undefined }] };
    assert.equal(joined(v), JSON.stringify(v));
  });

  it('leaves Maps, typed arrays and class instances to JSON.stringify, and descends plain objects to any depth', () => {
    class Point { constructor(readonly x: number, readonly y: number) {} }
    const v = { m: new Map([[1, 2]]), t: new Uint8Array([1, 2]), p: new Point(1, 2), deep: { a: { b: { c: { d: { e: [1, { f: 'q"\u2028\ud800' }] } } } } } };
    assert.equal(joined(v), JSON.stringify(v));
  });

  it('refuses a cycle with a TypeError, as JSON.stringify does', () => {
    const v: Record<string, unknown> = { a: [1] };
    (v['a'] as unknown[]).push({ back: v });
    assert.throws(() => JSON.stringify(v), TypeError);
    assert.throws(() => joined(v), TypeError);
  });

  it('refuses a BigInt with a TypeError, as JSON.stringify does', () => {
    assert.throws(() => joined({ n: [1, 2n] }), TypeError);
  });

  it('writes one object twice, not as a cycle, when it is reached by two paths', () => {
    const shared = { s: [1, 2] };
    const v = { a: shared, b: [shared, shared] };
    assert.equal(joined(v), JSON.stringify(v));
  });
});
