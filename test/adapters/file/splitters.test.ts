import { strict as assert } from 'node:assert';
import { JsonArraySplitter, type ArrayItem } from '../../../adapters/file/json-array-splitter';
import { LineSplitter, type LineSink } from '../../../adapters/file/line-splitter';

type Line = { kind: 'line'; text: string; lineNo: number } | { kind: 'oversize'; bytes: number; head: string; lineNo: number };

function collector(out: Line[]): LineSink {
  return {
    line: (text, lineNo) => out.push({ kind: 'line', text, lineNo }),
    oversize: (bytes, head, lineNo) => out.push({ kind: 'oversize', bytes, head, lineNo }),
  };
}

function lines(chunks: string[], max = 64): Line[] {
  const s = new LineSplitter(max);
  const out: Line[] = [];
  for (const c of chunks) s.push(Buffer.from(c), collector(out));
  s.end(collector(out));
  return out;
}

function items(chunks: string[], max = 1024): ArrayItem[] {
  const s = new JsonArraySplitter(max);
  const out: ArrayItem[] = [];
  for (const c of chunks) s.push(Buffer.from(c), out);
  s.end(out);
  return out;
}

describe('line splitter', () => {
  it('joins lines split across chunks and numbers them', () => {
    assert.deepEqual(lines(['{"a":', '1}\n{"b"', ':2}\n']), [
      { kind: 'line', text: '{"a":1}', lineNo: 1 },
      { kind: 'line', text: '{"b":2}', lineNo: 2 },
    ]);
  });

  it('emits a last line with no trailing newline', () => {
    assert.deepEqual(lines(['x\ny']).map((l) => l.kind === 'line' && l.text), ['x', 'y']);
  });

  it('reports an oversize line without keeping it, and carries on', () => {
    const out = lines(['short\n', 'a'.repeat(50), 'b'.repeat(50), 'c'.repeat(50), '\nnext\n'], 64);
    assert.equal(out.length, 3);
    assert.deepEqual(out[1], { kind: 'oversize', bytes: 150, head: 'a'.repeat(50), lineNo: 2 });
    assert.deepEqual(out[2], { kind: 'line', text: 'next', lineNo: 3 });
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('{"n":"é"}\n');
    const s = new LineSplitter(64);
    const out: Line[] = [];
    s.push(bytes.subarray(0, 7), collector(out));
    s.push(bytes.subarray(7), collector(out));
    assert.deepEqual(out, [{ kind: 'line', text: '{"n":"é"}', lineNo: 1 }]);
  });
});

describe('JSON array splitter', () => {
  it('streams the elements of a top-level array across chunks', () => {
    const out = items(['[ {"a": "x,y]}"}, ', '{"b": [1,2,{"c":3}]},', ' 42, "s", null ]']);
    assert.deepEqual(out.map((i) => i.kind === 'item' && i.text), ['{"a": "x,y]}"}', '{"b": [1,2,{"c":3}]}', '42', '"s"', 'null']);
  });

  it('reads a lone object and concatenated objects', () => {
    assert.deepEqual(items(['{"a":1}\n{"b":{"c":2}}']).map((i) => i.kind === 'item' && i.text), ['{"a":1}', '{"b":{"c":2}}']);
  });

  it('handles escaped quotes inside strings', () => {
    assert.deepEqual(items(['[{"a":"he said \\"]\\" ok"}]']).map((i) => i.kind === 'item' && i.text), ['{"a":"he said \\"]\\" ok"}']);
  });

  it('reports a truncated array', () => {
    const out = items(['[{"a":1},{"b":']);
    assert.equal(out[0]?.kind, 'item');
    assert.deepEqual(out[1], { kind: 'error', reason: 'JSON ended inside an element (truncated file?)', index: 1 });
  });

  it('reports an oversize element and carries on', () => {
    const out = items([`[{"a":"${'x'.repeat(200)}"},{"b":1}]`], 64);
    assert.equal(out[0]?.kind, 'oversize');
    assert.deepEqual(out[1], { kind: 'item', text: '{"b":1}', index: 1 });
  });
});
