import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A hand-written JSONL fixture of test/fixtures/cloud, one record per line. */
export function fixture(name: string): Record<string, unknown>[] {
  return readFileSync(join(__dirname, '..', '..', 'fixtures', 'cloud', name), 'utf8')
    .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
