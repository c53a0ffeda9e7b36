import { dirname, join } from 'node:path';
import { FileAlertSink, StreamAlertSink } from '../adapters/file/file-sink';
import { FileQuarantine } from '../adapters/file/file-quarantine';
import { FileSource, InputError } from '../adapters/file/file-source';
import { FileStateStore, MemoryStateStore } from '../adapters/file/file-state-store';
import { SEVERITIES, severityRank, type Severity } from '../core/alerts/alert';
import { ConfigError } from '../core/config/config';
import { runPass, wantedEvents, type PassStats } from '../core/engine/engine';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { StateVersionError } from '../core/state/state';
import { parse, UsageError } from './args';
import { loadConfig } from './config-file';
import { renderSummary } from './summary';
import { visible } from './visible';

const USAGE = 'usage: tierzero detect <file|dir>... [--config f] [--state f] [--out alerts.jsonl] [--quarantine f] [--fail-on severity] [--progress] [--quiet]';

/** `tierzero detect`: the embedded pipeline over exported logs. Exit 0 ok, 1 alerts ≥ --fail-on, 2 usage/config. */
export async function run(argv: string[]): Promise<number> {
  try {
    return await detect(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tierzero detect: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ConfigError || e instanceof InputError || e instanceof StateVersionError) {
      process.stderr.write(`tierzero detect: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function detect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    config: { type: 'string' },
    state: { type: 'string' },
    out: { type: 'string' },
    quarantine: { type: 'string' },
    'fail-on': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false },
  });
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

/** A progress line on stderr for long inputs: shown after 2 s, refreshed at most once a second. */
class ProgressLine {
  private lastShown = 0;
  private shown = false;

  constructor(private readonly quiet: boolean, private readonly always: boolean, private readonly started: number) {}

  update(s: PassStats): void {
    const now = Date.now();
    if (this.quiet || (!this.always && now - this.started < 2000) || now - this.lastShown < 1000) return;
    this.lastShown = now;
    this.shown = true;
    const rate = Math.round(s.records / ((now - this.started) / 1000));
    const line = `read ${s.records.toLocaleString('en-US')} records (${rate.toLocaleString('en-US')}/s), ${s.alerts} alerts so far`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }

  clear(): void {
    if (this.shown && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  }
}
