import { FileSource } from '../adapters/file/file-source';
import { DECLARATIONS } from '../core/detectors/registry';
import { EventCoverage } from '../core/engine/coverage';
import { SHARED_NEEDS } from '../core/rules/pull-plan';
import { renderReport } from './coverage-render';
import { parse, UsageError } from './args';
import { DOCTOR } from './commands';
import { loadConfig } from './config-file';
import { doctorPlatform } from './doctor-platform';
import { reportFailure } from './failure';
import { jsonText } from './visible';

/**
 * `tierzero doctor` over exported logs: for every detector, whether the events it needs are in
 * the data (counts per EventID), which declared fields the export dropped, and which detectors are
 * blind with the audit policy that would feed them; and the same for the shared needs (directory
 * model, identity resolution) with what breaks without them. With `--config` and no files, the
 * same report from the SIEM the config names (cli/doctor-platform.ts). Exit 0, 1 when an enabled
 * detector is blind or the platform cannot be reached, 2 on a usage or config error.
 */
export async function run(argv: string[]): Promise<number> {
  try {
    return await doctor(argv);
  } catch (e) {
    return reportFailure(DOCTOR, e);
  }
}

async function doctor(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, DOCTOR);
  if (positionals.length === 0) {
    if (values.config === undefined) throw new UsageError('give the event files to check, or --config tierzero.json to check the platform it names');
    return doctorPlatform({ config: values.config, platform: values.platform, days: values.days, json: values.json });
  }
  if (values.days !== undefined || values.platform !== undefined) throw new UsageError('--days and --platform apply to doctor --config without files');
  const config = await loadConfig(values.config);
  const coverage = new EventCoverage(DECLARATIONS, SHARED_NEEDS);
  let files = 0;
  let malformed = 0;
  const source = new FileSource(positionals, { maxLineBytes: config.maxLineBytes, onFile: (f) => { if (f.status === 'reading') files++; } });
  for await (const page of source.pull(undefined)) {
    for (const rec of page) {
      if (rec.kind === 'record') coverage.observe(rec.value);
      else malformed++;
    }
  }
  const report = coverage.report((id) => config.detectors.has(id));
  if (values.json) process.stdout.write(`${jsonText({ files, malformed, ...report }, 2)}\n`);
  else process.stdout.write(renderReport(report, files, malformed));
  return report.blind.length > 0 ? 1 : 0;
}
