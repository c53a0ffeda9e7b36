import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAlertSink, SinkWriteError } from '../../../adapters/file/file-sink';
import type { Alert } from '../../../core/alerts/alert';

const alert = (n: number) => ({ id: `tz-${String(n).padStart(24, '0')}`, detector: 'brute_force', title: `alert ${n}` } as unknown as Alert);
const dir = mkdtempSync(join(tmpdir(), 'tz-sink-'));

describe('file alert sink', () => {
  it('cuts a line torn by a crash before appending, so the file is clean JSON lines again', async () => {
    const out = join(dir, 'torn.jsonl');
    writeFileSync(out, `${JSON.stringify(alert(1))}\n{"id":"tz-000000000000000000000002","detector":"bru`);
    await new FileAlertSink(out, 'append').write([alert(1), alert(2)]);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as Alert).id), [alert(1).id, alert(2).id]);
  });

  for (const mode of ['append', 'replace'] as const) {
    it(`fails with an error naming the path when --out is a directory (${mode})`, async () => {
      const target = join(dir, `a-dir-${mode}`);
      mkdirSync(target);
      await assert.rejects(new FileAlertSink(target, mode).write([alert(1)]), (e: Error) => e instanceof SinkWriteError
        && e.exitCode === 3 && e.message.includes(target) && /is a directory/.test(e.message));
    });
  }

  it('fails when the directory of --out does not exist', async () => {
    await assert.rejects(new FileAlertSink(join(dir, 'no', 'such', 'out.jsonl'), 'append').write([alert(1)]), (e: Error) => e instanceof SinkWriteError && /no such directory/.test(e.message));
  });
});
