/**
 * `npm run sample`: regenerates the shipped quickstart sample under samples/ from
 * bench/sample.ts. Commit the result; test/bench checks the files still match.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSample, SAMPLE_FILES } from './sample';

function main(): void {
  const root = join(__dirname, '..');
  const sample = buildSample();
  const write = (relative: string, data: string | Buffer): void => {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    process.stdout.write(`wrote ${relative} (${Buffer.byteLength(data)} bytes)\n`);
  };
  write(SAMPLE_FILES.events, gzipSync(sample.jsonl, { level: 9 }));
  write(SAMPLE_FILES.labels, `${JSON.stringify(sample.labels, null, 2)}\n`);
  write(SAMPLE_FILES.config, `${JSON.stringify(sample.config, null, 2)}\n`);
  process.stdout.write(`${sample.labels.events} events, ${sample.labels.attacks.length} injected attacks\n`);
}

main();
