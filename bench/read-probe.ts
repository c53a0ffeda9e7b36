/**
 * The reader's own cost: FileSource over one file with a `wanted` that keeps nothing, so every
 * line is split and skipped by the byte prefilter and nothing is parsed or detected.
 *
 *   node --require tsx/cjs bench/read-probe.ts <file.jsonl> [readBufferBytes]
 *
 * Prints one JSON line: wall seconds, CPU (user + system) seconds, peak RSS, lines skipped.
 */
import { performance } from 'node:perf_hooks';
import { FileSource } from '../adapters/file/file-source';
import type { EventFilter } from '../core/events/normalize';

async function main(path: string, bufferBytes?: number): Promise<void> {
  const nothing: EventFilter = () => false;
  const source = new FileSource([path], { maxLineBytes: 1 << 20, wanted: nothing, ...(bufferBytes ? { readBufferBytes: bufferBytes } : {}) });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let records = 0;
  for await (const page of source.pull(null)) records += page.length;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  let skipped = 0;
  for (const n of source.skipped.values()) skipped += n;
  console.log(JSON.stringify({
    seconds: +seconds.toFixed(3), cpuUserS: +(cpu.user / 1e6).toFixed(3), cpuSystemS: +(cpu.system / 1e6).toFixed(3),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), records, skipped, bufferBytes: bufferBytes ?? 'default',
  }));
}

const [path, bytes] = process.argv.slice(2);
if (!path) throw new Error('usage: read-probe.ts <file.jsonl> [readBufferBytes]');
void main(path, bytes ? Number(bytes) : undefined);
