import { strict as assert } from 'node:assert';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../adapters/file/file-source';
import { duration, progressText, size } from '../../cli/progress-line';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'tz-progress-'));

describe('the detect progress line', () => {
  it('shows bytes read of the total, the percentage and the ETA when sizes are known', () => {
    assert.equal(progressText({ records: 2_034_112, alerts: 12, elapsedMs: 5000, bytes: { read: 100 * MiB, total: 400 * MiB } }),
      'read 100.0 MiB of 400.0 MiB (25%, 20.0 MiB/s), 2,034,112 records, ETA 15s, 12 alerts so far');
  });

  it('falls back to records and rate when no size is known', () => {
    assert.equal(progressText({ records: 40_000, alerts: 0, elapsedMs: 2000 }), 'read 40,000 records (20,000/s), 0 alerts so far');
  });

  it('writes durations as an operator reads them', () => {
    assert.deepEqual([duration(0.2), duration(59), duration(61), duration(3 * 3600 + 5 * 60)], ['1s', '59s', '1m01s', '3h05m']);
    assert.deepEqual([size(512), size(1536), size(3 * 1024 * MiB)], ['512 B', '1.5 KiB', '3.0 GiB']);
  });

  it('gets the byte counts from the file source: 0 of the total first, the whole file at the end', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    writeFileSync(a, `${JSON.stringify(securityEvent(4771, 0, { TargetUserName: 'x' }))}\n`.repeat(3000));
    writeFileSync(b, `${JSON.stringify(securityEvent(4771, 1, { TargetUserName: 'y' }))}\n`.repeat(2000));
    const seen: { read: number; total: number }[] = [];
    const source = new FileSource([a, b], { maxLineBytes: 1 << 20, onBytes: (p) => seen.push(p) });
    for await (const page of source.pull(undefined)) assert.ok(page.length > 0);
    const total = statSync(a).size + statSync(b).size;
    assert.deepEqual(seen[0], { read: 0, total });
    assert.deepEqual(seen.at(-1), { read: total, total });
    assert.ok(seen.every((p, i) => i === 0 || p.read >= (seen[i - 1]?.read ?? 0)), 'never goes backwards');
  });

  it('prints bytes, percentage and ETA under detect --progress', async function () {
    this.timeout(60_000);
    const input = join(dir, 'big.jsonl');
    const line = (i: number) => JSON.stringify(securityEvent(4771, i / 1000, { TargetUserName: `u${i % 50}`, Status: '0x18', PreAuthType: '2', IpAddress: `::ffff:10.1.${i % 200}.1` }));
    writeFileSync(input, Array.from({ length: 25_000 }, (_, i) => line(i)).join('\n') + '\n');
    const r = await tierzero(['detect', input, '--progress', '--out', join(dir, 'alerts.jsonl')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /read [\d.]+ MiB of [\d.]+ MiB \(\d+%, [\d.]+ [KMG]iB\/s\), 20,000 records, ETA \d+s/);
  });
});
