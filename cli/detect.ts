import { dirname, join } from 'node:path';
import { FileAlertSink, StreamAlertSink } from '../adapters/file/file-sink';
import { FileQuarantine } from '../adapters/file/file-quarantine';
import { FileSource } from '../adapters/file/file-source';
import { FileStateStore, MemoryStateStore } from '../adapters/file/file-state-store';
import { SEVERITIES, severityRank, type Severity } from '../core/alerts/alert';
import { runPass, wantedEvents } from '../core/engine/engine';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { parse, UsageError } from './args';
import { DETECT } from './commands';
import { loadConfig } from './config-file';
import { reportFailure } from './failure';
import { ProgressLine } from './progress-line';
import { renderSummary } from './summary';
import { visible } from './visible';

/** `tierzero detect`: the embedded pipeline over exported logs. Exit 0 ok, 1 alerts ≥ --fail-on, 2 usage/config, 3 input/state/I-O. */
export async function run(argv: string[]): Promise<number> {
  try {
    return await detect(argv);
  } catch (e) {
    return reportFailure(DETECT, e);
  }
}

async function detect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, DETECT);
  if (positionals.length === 0) throw new UsageError('no input files given');
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  }
  const config = await loadConfig(values.config);
  const started = Date.now();
  const toStdout = values.out === undefined;
  const report = toStdout ? process.stderr : process.stdout;
  const quarantinePath = values.quarantine ?? join(dirname(values.out ?? values.state ?? 'tierzero'), 'tierzero.quarantine.jsonl');
  const quarantine = new FileQuarantine(quarantinePath);
  let skippedFiles = 0;
  const progress = new ProgressLine(values.quiet, values.progress, started);
  const source = new FileSource(positionals, {
    maxLineBytes: config.maxLineBytes,
    wanted: wantedEvents(config, DETECTOR_MODULES),
    onBytes: progress.onBytes,
    onFile: (f) => {
      if (f.status === 'skipped') skippedFiles++;
      if (values.progress) process.stderr.write(`${f.status} ${visible(f.path)}${f.records !== undefined ? ` (${f.records} records)` : ''}\n`);
    },
  });
  const { alerts, stats } = await runPass({
    source,
    sink: values.out ? new FileAlertSink(values.out, values.state ? 'append' : 'replace') : new StreamAlertSink(process.stdout),
    store: values.state ? new FileStateStore(values.state) : new MemoryStateStore(),
    quarantine,
    config,
    modules: DETECTOR_MODULES,
    onProgress: (s) => progress.update(s),
    progressEvery: 20_000,
  });
  progress.clear();
  if (!values.quiet) {
    report.write(renderSummary(alerts, stats, {
      seconds: (Date.now() - started) / 1000,
      skippedFiles,
      skippedLines: [...source.skipped.values()].reduce((a, b) => a + b, 0),
      ...(stats.quarantined ? { quarantinePath } : {}),
    }));
    if (values.out) report.write(`alerts written to ${visible(values.out)}\n`);
  }
  if (failOn !== undefined && alerts.some((a) => severityRank(a.severity) >= severityRank(failOn as Severity))) return 1;
  return 0;
}
