import { dirname, join } from 'node:path';
import { FileAlertSink, StreamAlertSink } from '../adapters/file/file-sink';
import { FileQuarantine } from '../adapters/file/file-quarantine';
import { FileScoreLog, withScoreLog } from '../adapters/file/file-score-sink';
import { FileSource } from '../adapters/file/file-source';
import { acquireStateLock } from '../adapters/file/state-lock';
import { FileStateStore, MemoryStateStore } from '../adapters/file/file-state-store';
import { SEVERITIES, severityRank, type Severity } from '../core/alerts/alert';
import { DEFAULT_FUTURE_SKEW_MS, runPass, wantedEvents } from '../core/engine/engine';
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
  if (values.scores !== undefined && values.scores === values.out) throw new UsageError('--scores must name another file than --out: the alert file holds alerts only');
  const futureSkewMs = skewOption(values['future-skew']);
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
      if (f.warning && !values.quiet) process.stderr.write(`warning: ${visible(f.path)} ${visible(f.warning)}\n`);
      if (values.progress) process.stderr.write(`${f.status} ${visible(f.path)}${f.records !== undefined ? ` (${f.records} records)` : ''}\n`);
    },
  });
  const mode = values.state ? 'append' : 'replace';
  const alertSink = values.out ? new FileAlertSink(values.out, mode) : new StreamAlertSink(process.stdout);
  // Held from before the state is read until after it is saved: one writer per state file.
  const lock = values.state ? acquireStateLock(values.state) : undefined;
  const { alerts, stats } = await runPass({
    source,
    sink: values.scores ? withScoreLog(alertSink, new FileScoreLog(values.scores, mode)) : alertSink,
    store: values.state ? new FileStateStore(values.state) : new MemoryStateStore(),
    quarantine,
    config,
    modules: DETECTOR_MODULES,
    onProgress: (s) => progress.update(s),
    progressEvery: 20_000,
    futureSkewMs,
    // Without --state nothing continues this pass: waiting verdicts are released at its end.
    finalInput: !values.state,
  }).finally(() => lock?.release());
  progress.clear();
  if (!values.quiet) {
    report.write(renderSummary(alerts, stats, {
      seconds: (Date.now() - started) / 1000,
      skippedFiles,
      skippedLines: [...source.skipped.values()].reduce((a, b) => a + b, 0),
      ...(stats.quarantined ? { quarantinePath } : {}),
    }));
    if (values.out) report.write(`alerts written to ${visible(values.out)}\n`);
    if (values.scores) report.write(`score updates written to ${visible(values.scores)}\n`);
  }
  if (failOn !== undefined && alerts.some((a) => severityRank(a.severity) >= severityRank(failOn as Severity))) return 1;
  return 0;
}

/** `--future-skew MINUTES`: how far past this host's clock an event may be dated (default 360). */
function skewOption(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_FUTURE_SKEW_MS;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 10_080) throw new UsageError('--future-skew must be whole minutes from 0 to 10080 (7 days)');
  return Number(raw) * 60_000;
}
