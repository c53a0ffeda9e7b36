import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadHandle } from '../../../adapters/file/file-chunks';
import { FileSource } from '../../../adapters/file/file-source';
import type { SourceRecord } from '../../../core/engine/ports';

// FileSource reads plain files into reused buffers (file-chunks.ts): these read small files with
// small buffers, so every line, character and item is torn across a read at every offset.
const event = (id: number, user = 'alice') => JSON.stringify({ TimeCreated: '2024-03-04T09:00:00.000Z', Computer: 'DC01', Channel: 'Security', EventID: 4624, EventRecordID: id, TargetUserName: user });
const shown = (r: SourceRecord) => (r.kind === 'record' ? `${r.origin} ${JSON.stringify(r.value)}` : `${r.origin} ${r.reason}`);

async function read(paths: string[], options: { readBufferBytes?: number; openFile?: () => Promise<ReadHandle>; checkpoint?: unknown } = {}) {
  const { checkpoint = null, ...rest } = options;
  const source = new FileSource(paths, { maxLineBytes: 4096, ...rest });
  const records: SourceRecord[] = [];
  for await (const page of source.pull(checkpoint)) records.push(...page);
  return { records, shown: records.map(shown), checkpoint: source.checkpointAfterPull() };
}

const openFds = () => readdirSync('/proc/self/fd').length;

describe('file source read buffers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tz-buffers-'));

  it('reads every line whole wherever a read boundary falls in it', async () => {
    const path = join(dir, 'torn.jsonl');
    // A BOM, a CRLF line, a blank line and an unterminated last line: each torn at every offset too.
    writeFileSync(path, `\ufeff${event(1)}\r\n${event(2)}\n\n${event(3)}`);
    const whole = (await read([path])).shown;
    assert.equal(whole.length, 3);
    for (let size = 1; size <= event(1).length + 4; size++) {
      assert.deepEqual((await read([path], { readBufferBytes: size })).shown, whole, `reads of ${size} bytes`);
    }
  });

  it('decodes multi-byte characters torn across reads at each of their bytes', async () => {
    const path = join(dir, 'utf8.jsonl');
    const name = 'Jürgen€😀';
    const text = `${event(1, name)}\n${event(2, name)}\n`;
    writeFileSync(path, text);
    // Reads of 1 to 4 bytes tear each character at every byte, as do reads ending inside the first.
    const at = Buffer.byteLength(text.slice(0, text.indexOf('ü')));
    const sizes = [1, 2, 3, 4, ...Array.from({ length: Buffer.byteLength('ü€😀') - 1 }, (_, k) => at + 1 + k)];
    for (const size of sizes) {
      const { records } = await read([path], { readBufferBytes: size });
      assert.deepEqual(records.map((r) => r.kind === 'record' && (r.value as { TargetUserName: string }).TargetUserName), [name, name], `reads of ${size} bytes`);
    }
  });

  it('reads every JSON array item whole wherever a read boundary falls in it', async () => {
    const path = join(dir, 'export.json');
    writeFileSync(path, `\ufeff[\r\n  ${event(1, 'Zoë')},\r\n  ${event(2)}\r\n]\r\n`);
    const whole = (await read([path])).shown;
    assert.equal(whole.length, 2);
    for (let size = 1; size <= event(1).length + 8; size++) {
      assert.deepEqual((await read([path], { readBufferBytes: size })).shown, whole, `reads of ${size} bytes`);
    }
  });

  it('reads a file on from its checkpoint offset with small reads, numbering lines on', async () => {
    const path = join(dir, 'resumed.jsonl');
    writeFileSync(path, `${event(1)}\n${event(2)}\n`);
    const first = await read([path], { readBufferBytes: 7 });
    appendFileSync(path, `${event(3)}\n${event(4)}\n`);
    const second = await read([path], { readBufferBytes: 7, checkpoint: first.checkpoint });
    assert.deepEqual(second.records.map((r) => r.origin), [`${path}:3`, `${path}:4`]);
    assert.deepEqual(second.records.map((r) => r.kind === 'record' && (r.value as { EventRecordID: number }).EventRecordID), [3, 4]);
  });

  it('closes the file when the consumer stops after the first page', async function () {
    if (!existsSync('/proc/self/fd')) this.skip();
    const path = join(dir, 'stopped.jsonl');
    writeFileSync(path, Array.from({ length: 5000 }, (_, i) => `${event(i)}\n`).join(''));
    const before = openFds();
    const source = new FileSource([path], { maxLineBytes: 4096, readBufferBytes: 4096 });
    for await (const page of source.pull(null)) {
      assert.ok(page.length > 0);
      assert.equal(openFds(), before + 1, 'the file is open while it is read');
      break;
    }
    assert.equal(openFds(), before);
  });

  it('closes every merged file when the consumer stops after the first page', async function () {
    if (!existsSync('/proc/self/fd')) this.skip();
    const paths = ['dc1.jsonl', 'dc2.jsonl', 'dc3.jsonl'].map((name) => join(dir, name));
    for (const p of paths) writeFileSync(p, Array.from({ length: 3000 }, (_, i) => `${event(i)}\n`).join(''));
    const before = openFds();
    const source = new FileSource(paths, { maxLineBytes: 4096, readBufferBytes: 4096 });
    for await (const page of source.pull(null)) {
      assert.ok(page.length > 0);
      break;
    }
    assert.equal(openFds(), before);
  });

  it('ends a file whose read fails mid-way as "file ended early", closed and incomplete', async () => {
    const path = join(dir, 'failing.jsonl');
    writeFileSync(path, Array.from({ length: 20 }, (_, i) => `${event(i + 1)}\n`).join(''));
    let closed = false;
    const failing = async (): Promise<ReadHandle> => {
      const real = await open(path, 'r');
      return {
        read: (buffer, offset, length, position) => (position >= 1024 ? Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })) : real.read(buffer, offset, length, position)),
        close: async () => {
          closed = true;
          await real.close();
        },
      };
    };
    const { records, checkpoint } = await read([path], { readBufferBytes: 512, openFile: failing });
    const last = records[records.length - 1];
    assert.equal(last?.kind, 'malformed');
    assert.equal(last?.kind === 'malformed' && last.reason, 'file ended early: EIO: i/o error, read');
    assert.ok(records.length > 1 && records.length < 20, `read ${records.length - 1} records before the error`);
    const entry = Object.values(checkpoint.files)[0];
    assert.equal(entry && 'complete' in entry && entry.complete, false);
    assert.ok(closed, 'the handle was closed');
  });
});
