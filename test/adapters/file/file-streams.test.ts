import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FileSource } from '../../../adapters/file/file-source';
import type { SourceRecord } from '../../../core/engine/ports';

const event = (id: number) => JSON.stringify({ TimeCreated: '2024-03-04T09:00:00.000Z', Computer: 'DC01', Channel: 'Security', EventID: 4624, EventRecordID: id });
const idOf = (r: SourceRecord) => (r.kind === 'record' ? (r.value as { EventRecordID: number }).EventRecordID : r.reason);

async function read(paths: string[], stdin?: NodeJS.ReadableStream) {
  const source = new FileSource(paths, { maxLineBytes: 4096, ...(stdin ? { stdin } : {}) });
  const records: SourceRecord[] = [];
  for await (const page of source.pull(null)) records.push(...page);
  return { records, checkpoint: source.checkpointAfterPull() };
}

describe('file source on streams', () => {
  it('reads `-` from standard input, naming its records stdin:N, and tracks no offset for it', async () => {
    const { records, checkpoint } = await read(['-'], Readable.from([Buffer.from(`${event(1)}\n${event(2)}`)]));
    assert.deepEqual(records.map(idOf), [1, 2]);
    assert.equal(records[1]?.origin, 'stdin:2');
    assert.deepEqual(checkpoint.files, {});
  });

  it('sniffs gzip and JSON arrays on standard input too', async () => {
    assert.deepEqual((await read(['-'], Readable.from([gzipSync(`${event(3)}\n`)]))).records.map(idOf), [3]);
    assert.deepEqual((await read(['-'], Readable.from([Buffer.from(`[${event(4)},${event(5)}]`)]))).records.map(idOf), [4, 5]);
  });

  it('reads a named pipe, as process substitution gives, without seeking (no ESPIPE)', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'tz-fifo-')), 'in.jsonl');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const writer = createWriteStream(fifo);
    writer.end(`${event(6)}\n${event(7)}\n`);
    const { records } = await read([fifo]);
    assert.deepEqual(records.map(idOf), [6, 7]);
  });
});
