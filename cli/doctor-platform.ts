import { dirname, resolve } from 'node:path';
import { ProbeFailedError, type ProbeReport } from '../adapters/platform';
import { DECLARATIONS, DETECTOR_MODULES } from '../core/detectors/registry';
import { EventCoverage } from '../core/engine/coverage';
import { pullPlan, SHARED_NEEDS } from '../core/rules/pull-plan';
import { UsageError } from './args';
import { readConfigFile, resolveWholeConfig } from './config-file';
import { renderCoverage } from './coverage-render';
import { firstLine } from './first-line';
import { choosePlatform } from './platform-choice';
import { jsonText } from './visible';

export interface PlatformDoctorOptions {
  readonly config: string;
  readonly platform: string | undefined;
  readonly days: string | undefined;
  readonly json: boolean;
}

/**
 * `tierzero doctor --config tierzero.json`: the platform's probe (connectivity, auth, each
 * endpoint `run` uses, each failure naming the setting), then coverage measured in the SIEM —
 * events per channel and EventID over the last `--days` days, counted there by one query — fed
 * to the same coverage logic as file-based doctor, so blind and partial detectors and the audit
 * policy to enable read the same. Exit 0, 1 when a check fails or an enabled detector is blind.
 */
export async function doctorPlatform(o: PlatformDoctorOptions): Promise<number> {
  const days = o.days === undefined ? 7 : Number(o.days);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new UsageError('--days must be a whole number of days from 1 to 365');
  const raw = await readConfigFile(o.config);
  const config = resolveWholeConfig(raw, o.config);
  const entry = choosePlatform(raw, o.platform);
  const platform = entry.load();
  const log = (e: Record<string, unknown>): void => {
    if (e['level'] === 'warn' || e['level'] === 'error') process.stderr.write(`${platform.redact(jsonText(e))}\n`);
  };
  let probe: ProbeReport;
  try {
    probe = await platform.probe((raw as Record<string, unknown>)[entry.name], dirname(resolve(o.config)), pullPlan(DETECTOR_MODULES, config), {
      env: process.env, readStdin: () => firstLine(process.stdin), clock: Date.now, log,
    }, { days });
  } catch (e) {
    const known = e instanceof ProbeFailedError || platform.failures.some((k) => e instanceof k);
    if (!known) throw e;
    const message = platform.redact((e as Error).message);
    if (o.json) process.stdout.write(`${jsonText({ status: 'error', platform: entry.name, error: message, ...(e instanceof ProbeFailedError ? { setting: e.setting } : {}) })}\n`);
    else process.stderr.write(`tierzero doctor: ${entry.title}: ${message}\n`);
    return 1;
  }
  const coverage = new EventCoverage(DECLARATIONS, SHARED_NEEDS);
  for (const c of probe.counts) coverage.observeCount(c.channel, c.eventId, c.count);
  const report = coverage.report((id) => config.detectors.has(id));
  if (o.json) {
    process.stdout.write(`${platform.redact(jsonText({ status: 'ok', ...probe, days, ...report }, 2))}\n`);
  } else {
    const out: string[] = [`${entry.title} (${entry.name})`];
    for (const c of probe.checks) out.push(`  ${c.status === 'ok' ? 'ok  ' : 'warn'}  ${c.setting}: ${c.detail}`);
    out.push('', `${report.records.toLocaleString('en-US')} events the pull search reads, counted in ${entry.name} from ${probe.since} to ${probe.until} (${days} day${days === 1 ? '' : 's'}); fields are checked by tierzero doctor <exported files>`);
    out.push('', renderCoverage(report, `${entry.name} over the last ${days} day${days === 1 ? '' : 's'}`));
    process.stdout.write(platform.redact(out.join('\n')));
  }
  return report.blind.length > 0 ? 1 : 0;
}
