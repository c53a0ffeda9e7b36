/**
 * The DirectoryModel's live heap after a workload, by part (issue 13): the model is fed the
 * bench workload alone (no detectors), evicted as the engine evicts it, then each part is
 * released in turn and the heap measured after a full collection, so the figure of a part is
 * what letting it go frees (strings another holder keeps, e.g. the host-key memo of
 * core/events/fields.ts, stay in `restMb`). Sizes, not times: they do not depend on what else the machine runs.
 *
 *   npx tsx bench/directory-heap.ts [--events 1000000] [--accounts 100000]
 *
 * Reads the workload `npm run bench` generated (bench/out/workload-e<events>-a<accounts>.jsonl).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { resolveConfig } from '../core/config/config';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { DirectoryModel } from '../core/estate/directory-model';
import { normalize } from '../core/events/normalize';
import { difference, liveHeap, mb, releaseField, releaseInTurn } from './heap-release';

/** As core/engine/engine.ts evicts: hourly, at the state TTL, sessions at their own horizon. */
const EVICT_EVERY_MS = 3_600_000;

/** The model's parts, as fields of the model (or of its client hosts), released last to first. */
const PARTS: readonly { readonly name: string; readonly path: readonly string[] }[] = [
  { name: 'logon sessions', path: ['sessions'] },
  { name: 'front-ends', path: ['clients', 'frontEnds'] },
  { name: 'host addresses', path: ['clients', 'addresses'] },
  { name: 'machines', path: ['machines'] },
  { name: 'sensitive groups', path: ['groups'] },
  { name: 'learned DCs', path: ['learnedDcs'] },
];

async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
  };
  const file = join(__dirname, 'out', `workload-e${arg('events', '1000000')}-a${arg('accounts', '100000')}.jsonl`);
  const params = JSON.parse(readFileSync(`${file}.params.json`, 'utf8')) as { config: unknown };
  const config = resolveConfig(params.config, DETECTOR_MODULES.map((m) => m.declaration));
  const before = liveHeap();
  const model = new DirectoryModel(config);
  let events = 0;
  let watermark = -Infinity;
  let lastEviction = -Infinity;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    const n = normalize(JSON.parse(line));
    if (n.status !== 'event') continue;
    events++;
    if (n.event.time > watermark) watermark = n.event.time;
    model.observe(n.event);
    if (watermark - lastEviction >= EVICT_EVERY_MS) {
      if (lastEviction !== -Infinity) model.evictIdle(watermark - config.stateTtlMs, watermark);
      lastEviction = watermark;
    }
  }
  model.evictIdle(watermark - config.stateTtlMs, watermark);
  const snapshotBytes = snapshotSizes(model);
  const held = counts(model);
  const { freed, full, last } = releaseInTurn(PARTS.map((part) => ({ name: part.name, release: () => releaseField(model, part.path) })));
  const byPart = Object.fromEntries(freed.map((r) => [r.name, r.heapMb]));
  const byPartArrayBuffers = Object.fromEntries(freed.map((r) => [r.name, r.arrayBuffersMb]));
  const result = {
    file, events, held, directoryHeapMb: difference('', full, before).heapMb, directoryArrayBuffersMb: difference('', full, before).arrayBuffersMb,
    byPartMb: byPart, byPartArrayBuffersMb: byPartArrayBuffers, restMb: mb(last.heap - before.heap),
    snapshotBytes,
  };
  // Keeps the model referenced until every part was measured.
  if (model.hasHoneytokens() === undefined) throw new Error('unreachable');
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** How many of each thing the model holds, from its snapshot. */
function counts(model: DirectoryModel): Record<string, number> {
  const s = model.snapshot();
  return {
    machines: s.machines.keys.length, machineAddresses: s.machines.ips.length, sessions: (s.sessions?.rows.length ?? 0) / 8,
    sessionStrings: s.sessions?.strings.length ?? 0, frontEndSources: s.frontEnds?.keys.length ?? 0, frontEndAccountsToday: s.frontEnds?.accounts.length ?? 0,
  };
}

/** Bytes of the model's snapshot as JSON, by section; the snapshot itself is let go (it shares the model's objects). */
function snapshotSizes(model: DirectoryModel): Record<string, number> {
  const sections = Object.entries(model.snapshot()).map(([k, v]) => [k, Buffer.byteLength(JSON.stringify(v ?? null))] as const);
  return Object.fromEntries([...sections, ['total', sections.reduce((a, [, n]) => a + n, 0)]]);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
