import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileSource, InputError } from '../../../adapters/file/file-source';
import type { SourceRecord } from '../../../core/engine/ports';

const event = (id: number) => JSON.stringify({ TimeCreated: '2024-03-04T09:00:00.000Z', Computer: 'DC01', Channel: 'Security', EventID: 4624, EventRecordID: id });

async function readAll(paths: string[], checkpoint: unknown = null, maxLineBytes = 4096): Promise<{ records: SourceRecord[]; source: FileSource }> {
  const source = new FileSource(paths, { maxLineBytes });
  const records: SourceRecord[] = [];
  for await (const page of source.pull(checkpoint)) records.push(...page);
  return { records, source };
}

describe('file source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tz-src-'));

  it('reads JSONL, gzipped JSONL (sniffed, whatever the name) and JSON arrays', async () => {
    writeFileSync(join(dir, 'a.jsonl'), `${event(1)}\n${event(2)}\n`);
    writeFileSync(join(dir, 'b.log.gz'), gzipSync(`${event(3)}\n`));
    writeFileSync(join(dir, 'c.json'), `[\n  ${event(4)},\n  ${event(5)}\n]\n`);
    const { records } = await readAll([join(dir, 'a.jsonl'), join(dir, 'b.log.gz'), join(dir, 'c.json')]);
    assert.deepEqual(records.map((r) => r.kind === 'record' && (r.value as { EventRecordID: number }).EventRecordID), [1, 2, 3, 4, 5]);
  });

  it('walks a directory in name order, skipping files that are not event exports', async () => {
    const d = mkdtempSync(join(tmpdir(), 'tz-dir-'));
    writeFileSync(join(d, '2.jsonl'), `${event(2)}\n`);
    writeFileSync(join(d, '1.jsonl'), `${event(1)}\n`);
    writeFileSync(join(d, 'notes.txt'), 'not events');
    const { records } = await readAll([d]);
    assert.deepEqual(records.map((r) => r.origin.replace(d, '')), ['/1.jsonl:1', '/2.jsonl:1']);
  });

  it('sets aside a truncated line, binary garbage and a 50 MB line with reasons, keeping the rest', async () => {
    const path = join(dir, 'dirty.jsonl');
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x80, 0x0a]);
    const huge = `{"pad":"${'x'.repeat(50 * 1024 * 1024)}"}\n`;
    writeFileSync(path, Buffer.concat([
      Buffer.from(`${event(1)}\n{"TimeCreated":"2024-03-04T09:00:00.000Z","Comp\n`),
      garbage,
      Buffer.from(`${event(2)}\n${huge}${event(3)}\n`),
    ]));
    const { records } = await readAll([path], null, 4 * 1024 * 1024);
    assert.deepEqual(records.map((r) => r.kind), ['record', 'malformed', 'malformed', 'record', 'malformed', 'record']);
    const bad = records.filter((r): r is Extract<SourceRecord, { kind: 'malformed' }> => r.kind === 'malformed');
    assert.match(bad[0]?.reason ?? '', /^invalid JSON: /);
    assert.equal(bad[0]?.origin, `${path}:2`);
    assert.match(bad[1]?.reason ?? '', /^invalid JSON: /);
    assert.match(bad[2]?.reason ?? '', /^line of 52428810 bytes exceeds maxLineBytes 4194304$/);
    assert.ok((bad[2]?.text.length ?? 0) <= 256, 'the oversize line is not kept in memory');
  });

  it('sets aside non-object items of a JSON array but keeps them as records for the normaliser to judge', async () => {
    const path = join(dir, 'mixed.json');
    writeFileSync(path, `[1, "two", ${event(7)}, [3]]`);
    const { records } = await readAll([path]);
    assert.deepEqual(records.map((r) => r.kind === 'record' && r.value), [1, 'two', JSON.parse(event(7)), [3]]);
  });

  it('reports a gzip file that ends early and goes on to the next file', async () => {
    const whole = gzipSync(Array.from({ length: 2000 }, (_, i) => event(i)).join('\n'));
    writeFileSync(join(dir, 'cut.jsonl.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    writeFileSync(join(dir, 'after.jsonl'), `${event(9999)}\n`);
    const { records } = await readAll([join(dir, 'cut.jsonl.gz'), join(dir, 'after.jsonl')]);
    const last = records[records.length - 1];
    const cut = records.find((r) => r.kind === 'malformed' && r.reason.startsWith('file ended early'));
    assert.match(cut?.kind === 'malformed' ? cut.reason : '', /^file ended early: unexpected end of file/);
    assert.equal(last?.kind === 'record' && (last.value as { EventRecordID: number }).EventRecordID, 9999);
  });

  it('skips files its checkpoint says are done, and records the ones it finishes', async () => {
    const path = join(dir, 'once.jsonl');
    writeFileSync(path, `${event(1)}\n`);
    const first = await readAll([path]);
    assert.equal(first.records.length, 1);
    const again = await readAll([path], first.source.checkpointAfterPull());
    assert.equal(again.records.length, 0);
    writeFileSync(path, `${event(1)}\n${event(2)}\n`);
    const grown = await readAll([path], first.source.checkpointAfterPull());
    assert.deepEqual(grown.records.map((r) => r.kind === 'record' && (r.value as { EventRecordID: number }).EventRecordID), [2], 'a grown file is read from where it stopped');
  });

  it('interleaves several inputs by event time, as one stream from all DCs', async () => {
    const at = (id: number, minute: number) => JSON.stringify({ ...JSON.parse(event(id)), TimeCreated: `2024-03-04T09:${String(minute).padStart(2, '0')}:00.000Z` });
    writeFileSync(join(dir, 'dc1.jsonl'), [at(1, 0), at(3, 2), at(5, 4)].join('\n'));
    writeFileSync(join(dir, 'dc2.jsonl'), [at(2, 1), 'garbage', at(4, 3), at(6, 5)].join('\n'));
    const { records } = await readAll([join(dir, 'dc1.jsonl'), join(dir, 'dc2.jsonl')]);
    const order = records.map((r) => (r.kind === 'record' ? (r.value as { EventRecordID: number }).EventRecordID : 'bad'));
    assert.deepEqual(order.filter((x) => x !== 'bad'), [1, 2, 3, 4, 5, 6]);
    assert.equal(order.filter((x) => x === 'bad').length, 1, 'an untimed record passes through, never lost');
  });

  it('names a missing input', async () => {
    await assert.rejects(readAll([join(dir, 'nope.jsonl')]), (e: Error) => e instanceof InputError && /cannot read input .*nope\.jsonl/.test(e.message));
  });
});
