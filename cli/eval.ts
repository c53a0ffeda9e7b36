import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MemorySink } from '../adapters/file/file-sink';
import { MemoryQuarantine } from '../adapters/file/file-quarantine';
import { FileSource } from '../adapters/file/file-source';
import { MemoryStateStore } from '../adapters/file/file-state-store';
import { mergeConfig } from '../core/config/config';
import { runPass, wantedEvents } from '../core/engine/engine';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { parse, UsageError } from './args';
import { EVAL } from './commands';
import { readConfigFile, resolveWholeConfig } from './config-file';
import { reportFailure } from './failure';
import { scoreFile, summarise, type FileOutcome, type ManifestEntry } from './eval-score';
import { renderTable } from './table';
import { jsonText, visible } from './visible';

/** `tierzero eval`: recall and precision per detector over a labelled manifest. Exit 1 on any miss or false alarm. */
export async function run(argv: string[]): Promise<number> {
  try {
    return await evaluate(argv);
  } catch (e) {
    return reportFailure(EVAL, e);
  }
}

async function evaluate(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, EVAL);
  const manifestPath = positionals[0];
  if (!manifestPath || positionals.length > 1) throw new UsageError('give exactly one manifest.json');
  const manifest = await readManifest(manifestPath);
  const base = await readConfigFile(values.config);
  resolveWholeConfig(base, values.config); // a bad deployment config fails before any dataset, naming the key
  const implemented = DETECTOR_MODULES.map((m) => m.declaration.id as string);
  const implementedSet = new Set(implemented);
  const outcomes: FileOutcome[] = [];
  const notImplemented = new Map<string, number>();
  const broken: string[] = [];

  for (const entry of manifest) {
    for (const d of entry.expected_alerts) if (d !== 'none' && !implementedSet.has(d)) notImplemented.set(d, (notImplemented.get(d) ?? 0) + 1);
    const config = resolveWholeConfig(mergeConfig(base, entry.context ?? {}), values.config);
    const sink = new MemorySink();
    const quarantine = new MemoryQuarantine();
    try {
      await runPass({
        source: new FileSource([resolve(dirname(manifestPath), entry.file)], {
          maxLineBytes: config.maxLineBytes,
          wanted: wantedEvents(config, DETECTOR_MODULES),
        }),
        sink, store: new MemoryStateStore(), quarantine, config, modules: DETECTOR_MODULES,
      });
    } catch (e) {
      broken.push(`${entry.file}: ${(e as Error).message}`);
      continue;
    }
    if (quarantine.records.length) broken.push(`${entry.file}: ${quarantine.records.length} record(s) quarantined, first: ${quarantine.records[0]?.reason}`);
    outcomes.push(...scoreFile(entry, sink.alerts, implementedSet));
  }

  const scores = summarise(outcomes, implemented);
  const failures = outcomes.filter((o) => o.kind !== 'found');
  if (values.json) {
    process.stdout.write(`${jsonText({ scores, failures, notImplemented: Object.fromEntries(notImplemented), broken }, 2)}\n`);
  } else {
    const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(0)}%`);
    process.stdout.write(`${manifest.length} files, ${implemented.length} detectors implemented\n\n`);
    process.stdout.write(renderTable(['detector', 'expected files', 'found', 'missed', 'false-alarm files', 'recall', 'precision'],
      scores.map((s) => [s.detector, s.expectedFiles, s.found, s.missed, s.falseAlarmFiles, pct(s.recall), pct(s.precision)])));
    if (notImplemented.size) {
      process.stdout.write(`\nnot implemented yet (not scored): ${[...notImplemented].map(([d, n]) => `${d} (${n} file${n > 1 ? 's' : ''})`).join(', ')}\n`);
    }
    for (const kind of ['missed', 'wrong_actor', 'false_alarm'] as const) {
      const list = failures.filter((f) => f.kind === kind);
      if (list.length === 0) continue;
      process.stdout.write(`\n${kind.replace('_', ' ')}:\n${list.map((f) => `  ${f.detector.padEnd(22)} ${visible(f.file)}: ${visible(f.detail)}`).join('\n')}\n`);
    }
    if (broken.length) process.stdout.write(`\nproblems reading data:\n${broken.map((b) => `  ${visible(b)}`).join('\n')}\n`);
    const found = scores.reduce((n, s) => n + s.found, 0);
    process.stdout.write(`\n${found} found, ${failures.length} failed (${failures.filter((f) => f.kind !== 'false_alarm').length} missed, ${failures.filter((f) => f.kind === 'false_alarm').length} false alarms)\n`);
  }
  return failures.length || broken.some((b) => !b.includes('quarantined')) ? 1 : 0;
}

async function readManifest(path: string): Promise<ManifestEntry[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read manifest ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc) || doc.some((e) => typeof e?.file !== 'string' || !Array.isArray(e?.expected_alerts))) {
    throw new UsageError(`${path} is not a manifest: expected an array of {file, expected_alerts, …}`);
  }
  return doc as ManifestEntry[];
}
