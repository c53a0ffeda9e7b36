import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileSource, type FileProgress } from '../../../adapters/file/file-source';
import type { SourceRecord } from '../../../core/engine/ports';

const event = (id: number) => JSON.stringify({ TimeCreated: '2024-03-04T09:00:00.000Z', Computer: 'DC01', Channel: 'Security', EventID: 4624, EventRecordID: id });
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${event(from + i)}\n`).join('');
const idOf = (r: SourceRecord) => (r.kind === 'record' ? (r.value as { EventRecordID: number }).EventRecordID : r.reason);

async function read(paths: string[], checkpoint: unknown = null, hooks: { onPage?: () => void; readBufferBytes?: number } = {}) {
  const progress: FileProgress[] = [];
  const source = new FileSource(paths, { maxLineBytes: 4096, onFile: (p) => progress.push(p), ...(hooks.readBufferBytes ? { readBufferBytes: hooks.readBufferBytes } : {}) });
  const records: SourceRecord[] = [];
  for await (const page of source.pull(checkpoint)) {
    records.push(...page);
    hooks.onPage?.();
  }
  return { records, ids: records.map(idOf), checkpoint: source.checkpointAfterPull(), warnings: progress.filter((p) => p.warning).map((p) => p.warning ?? '') };
}

describe('file source offsets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tz-offsets-'));

  it('reads only the lines appended since the last pass, numbering them on from there', async () => {
    const path = join(dir, 'growing.jsonl');
    writeFileSync(path, lines(1, 4));
    const first = await read([path]);
    assert.deepEqual(first.ids, [1, 2, 3, 4]);
    appendFileSync(path, lines(5, 5));
    const second = await read([path], first.checkpoint);
    assert.deepEqual(second.ids, [5]);
    assert.equal(second.records[0]?.origin, `${path}:5`);
    assert.deepEqual((await read([path], second.checkpoint)).ids, [], 'nothing new, nothing read');
  });

  it('holds back a torn last line until its writer finishes it', async () => {
    const path = join(dir, 'torn.jsonl');
    const third = event(3);
    writeFileSync(path, `${lines(1, 2)}${third.slice(0, 20)}`);
    const first = await read([path]);
    assert.deepEqual(first.ids, [1, 2]);
    appendFileSync(path, `${third.slice(20)}\n`);
    assert.deepEqual((await read([path], first.checkpoint)).ids, [3]);
  });

  it('reads a file truncated since the last pass as new content, with a warning', async () => {
    const path = join(dir, 'copytruncate.jsonl');
    writeFileSync(path, lines(1, 3));
    const first = await read([path]);
    writeFileSync(path, lines(10, 10));
    const second = await read([path], first.checkpoint);
    assert.deepEqual(second.ids, [10]);
    assert.match(second.warnings.join('\n'), /smaller than the \d+ bytes read before .*from the start/);
  });

  it('reads a new file under the old name (rotation) as new, and the rotated one only past what was read', async () => {
    const path = join(dir, 'rotated.jsonl');
    writeFileSync(path, lines(1, 3));
    const first = await read([path]);
    appendFileSync(path, lines(4, 4));
    renameSync(path, `${path}.1.jsonl`);
    writeFileSync(path, lines(20, 21));
    const second = await read([`${path}.1.jsonl`, path], first.checkpoint);
    assert.deepEqual(second.ids.sort((a, b) => Number(a) - Number(b)), [4, 20, 21]);
    assert.match(second.warnings.join('\n'), /reading it from the start/);
    assert.equal(second.warnings.length, 1, 'only the new file under the old name is flagged');
  });

  it('after copytruncate mid-pass records only what it read, and the restored copy is read from there', async () => {
    const path = join(dir, 'shrinks.jsonl');
    writeFileSync(path, lines(1, 6000));
    let cut = false;
    const copy = join(dir, 'shrinks.copy.jsonl');
    // Reads of 64 KiB: the 750 KB file would fit one default read, cut before anyone could see it.
    const during = await read([path], null, { readBufferBytes: 64 * 1024, onPage: () => {
      if (cut) return;
      cut = true;
      writeFileSync(copy, readFileSync(path));
      truncateSync(path, 0);
    } });
    assert.ok(during.ids.length < 6000, 'the pass saw only part of the file');
    assert.match(during.warnings.join('\n'), /shrank while being read/);
    const restored = await read([copy], during.checkpoint);
    assert.equal(during.ids.length + restored.ids.length, 6000, 'every record read exactly once');
    assert.deepEqual([...during.ids, ...restored.ids], Array.from({ length: 6000 }, (_, i) => i + 1));
  });

  it('reads a gzip file whole, once, and only the members appended to it later', async () => {
    const path = join(dir, 'members.jsonl.gz');
    writeFileSync(path, gzipSync(lines(1, 2)));
    const first = await read([path]);
    assert.deepEqual(first.ids, [1, 2]);
    assert.deepEqual((await read([path], first.checkpoint)).ids, []);
    appendFileSync(path, gzipSync(lines(3, 3)));
    assert.deepEqual((await read([path], first.checkpoint)).ids, [3]);
  });

  it('skips a renamed file it already read, as before', async () => {
    const path = join(dir, 'before-rename.jsonl');
    writeFileSync(path, lines(1, 2));
    const first = await read([path]);
    renameSync(path, join(dir, 'after-rename.jsonl'));
    assert.deepEqual((await read([join(dir, 'after-rename.jsonl')], first.checkpoint)).ids, []);
  });

  it('continues from a checkpoint written by the fingerprint-only format', async () => {
    const path = join(dir, 'legacy.jsonl');
    writeFileSync(path, lines(1, 2));
    const legacy = { files: { [await legacyFingerprint(path)]: { path, records: 2 } } };
    assert.deepEqual((await read([path], legacy)).ids, []);
  });

  it('follows symlinks inside an input directory, once per file, without looping', async () => {
    const d = join(dir, 'links');
    mkdirSync(join(d, 'sub'), { recursive: true });
    const real = join(dir, 'real.jsonl');
    writeFileSync(real, lines(7, 7));
    symlinkSync(real, join(d, 'a.jsonl'));
    symlinkSync(real, join(d, 'sub', 'b.jsonl'));
    symlinkSync(d, join(d, 'sub', 'loop'));
    assert.deepEqual((await read([d])).ids, [7]);
  });

  it('names a \"file ended early\" record by the line it stopped at', async () => {
    const whole = gzipSync(lines(1, 2000));
    const path = join(dir, 'cut.jsonl.gz');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const { records } = await read([path]);
    const cut = records.find((r) => r.kind === 'malformed' && r.reason.startsWith('file ended early'));
    assert.match(cut?.origin ?? '', new RegExp(`^${path.replace(/[.]/g, '\\.')}:\\d+$`));
    assert.notEqual(cut?.origin, `${path}:line`);
  });

  it('reads a .jsonl whose first line is garbage starting with [ line by line, losing nothing else', async () => {
    const path = join(dir, 'bracket-first.jsonl');
    writeFileSync(path, `[[[[\n${lines(1, 3)}`);
    const { ids } = await read([path]);
    assert.deepEqual(ids.slice(1), [1, 2, 3]);
    assert.match(String(ids[0]), /^invalid JSON/);
  });

  it('leaves what is appended during a pass to the next one, so no line is read twice or missed', async () => {
    const path = join(dir, 'appended-during.jsonl');
    writeFileSync(path, lines(1, 3000));
    let appended = false;
    const first = await read([path], null, { onPage: () => {
      if (!appended) appendFileSync(path, lines(3001, 3005));
      appended = true;
    } });
    const second = await read([path], first.checkpoint);
    assert.deepEqual([...first.ids, ...second.ids], Array.from({ length: 3005 }, (_, i) => i + 1));
  });

  it('reads a file named twice, or through a symlink beside it, once', async () => {
    const path = join(dir, 'twice.jsonl');
    writeFileSync(path, lines(1, 2));
    symlinkSync(path, join(dir, 'twice-link.jsonl'));
    assert.deepEqual((await read([path, path, join(dir, 'twice-link.jsonl')])).ids, [1, 2]);
  });

  it('plans 500 new files against 500 known ones without re-reading each per entry', async () => {
    const d = join(dir, 'many');
    mkdirSync(d);
    for (let i = 0; i < 500; i++) writeFileSync(join(d, `old-${i}.jsonl`), lines(i * 10, i * 10));
    const first = await read([d]);
    for (let i = 0; i < 500; i++) writeFileSync(join(d, `new-${i}.jsonl`), lines(100_000 + i, 100_000 + i));
    const started = process.hrtime.bigint();
    const second = await read([d], first.checkpoint);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(second.ids.length, 500, 'only the new files are read');
    // Loose bound for a loaded CI box: re-reading every file once per known entry is quadratic.
    assert.ok(ms < 15_000, `took ${ms} ms`);
  });

  it('keeps entries of files not in this pass, forgets ones unseen for 90 days', async () => {
    const path = join(dir, 'kept.jsonl');
    writeFileSync(path, lines(1, 1));
    const other = join(dir, 'other-pass.jsonl');
    writeFileSync(other, lines(2, 2));
    const first = await read([path]);
    const [key, entry] = Object.entries(first.checkpoint.files)[0] ?? [];
    assert.ok(key && entry);
    const stale = { ...entry, seen: new Date(Date.now() - 91 * 86_400_000).toISOString() };
    const prior = { files: { ...first.checkpoint.files, 'legacy-fingerprint': { path: '/gone.jsonl', records: 3 }, '1:2': { ...stale, path: '/old.jsonl', dev: 1, ino: 2 } } };
    const second = await read([other], prior);
    const kept = Object.entries(second.checkpoint.files).map(([k, e]) => (e.path === other ? 'this pass' : k));
    assert.deepEqual(kept.sort(), [key, 'legacy-fingerprint', 'this pass'].sort());
  });

  it('reads a JSON array that changed again from the start, saying why', async () => {
    const path = join(dir, 'export.json');
    const array = (n: number) => `[\n${Array.from({ length: n }, (_, i) => event(i + 1)).join(',\n')}\n]`;
    writeFileSync(path, array(100));
    const first = await read([path]);
    writeFileSync(path, array(101));
    const second = await read([path], first.checkpoint);
    assert.equal(second.ids.length, 101);
    assert.match(second.warnings.join('\n'), /a JSON array cannot be resumed/);
  });

  it('reads a gzip file that had ended early again from the start once it is complete', async () => {
    const path = join(dir, 'late.jsonl.gz');
    const whole = gzipSync(lines(1, 3000));
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const first = await read([path]);
    writeFileSync(path, whole);
    const second = await read([path], first.checkpoint);
    assert.equal(second.ids.length, 3000);
    assert.match(second.warnings.join('\n'), /after ending early: reading it again from the start/);
  });
});

async function legacyFingerprint(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const data = readFileSync(path);
  const span = 65536;
  return createHash('sha256').update(String(data.length)).update(data.subarray(0, span)).update(data.subarray(Math.max(0, data.length - span))).digest('hex').slice(0, 32);
}
