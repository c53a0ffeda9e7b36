import { dirname, join, resolve } from 'node:path';
import { FileQuarantine } from '../adapters/file/file-quarantine';
import { ConfigError } from '../core/config/config';
import type { Platform, PlatformPass } from '../adapters/platform';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { runPass } from '../core/engine/engine';
import { pullPlan } from '../core/rules/pull-plan';
import { StateConflictError, StateVersionError } from '../core/state/state';
import { parse, UsageError } from './args';
import { RUN } from './commands';
import { readConfigFile, resolveWholeConfig } from './config-file';
import { EXIT, reportFailure } from './failure';
import { jsonText } from './visible';
import { firstLine } from './first-line';
import { choosePlatform } from './platform-choice';

/**
 * `tierzero run`: one scheduled pass on a SIEM (DESIGN §3). The platform is the registered one
 * whose config section is present (adapters/index.ts); `--platform` picks one when several are.
 * Logs are JSON lines on stderr; the summary goes to stdout (one JSON object with --json, which
 * a SIEM's scheduled input can index).
 * Exit codes: 0 pass committed, 2 usage/config, 3 pass failed (nothing committed; the next pass
 * redoes it — also when an overlapping pass committed first).
 */
export async function run(argv: string[]): Promise<number> {
  let redact = (t: string): string => t;
  let asJson = false;
  const started = Date.now();
  const log = (entry: Record<string, unknown>): void => {
    process.stderr.write(`${redact(jsonText({ time: new Date().toISOString(), ...entry }))}\n`);
  };
  try {
    const { values, positionals } = parse(argv, RUN);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    asJson = values.json;
    if (values.config === undefined) throw new UsageError('--config is required');
    const raw = await readConfigFile(values.config);
    const config = resolveWholeConfig(raw, values.config);
    const entry = choosePlatform(raw, values.platform);
    const name = entry.name;
    const adapter = entry.load();
    redact = adapter.redact;
    const configDir = dirname(resolve(values.config));
    let platform: PlatformPass;
    try {
      // The query is compiled from the pull plan of the enabled detectors: disabled ones need no events pulled.
      platform = await adapter.open((raw as Record<string, unknown>)[name], configDir, pullPlan(DETECTOR_MODULES, config), {
        env: process.env, readStdin: () => firstLine(process.stdin), clock: Date.now, log,
      });
    } catch (e) {
      return fail(e, adapter, log, asJson, started);
    }
    const quarantinePath = values.quarantine ?? join(configDir, 'tierzero.quarantine.jsonl');
    try {
      const { alerts, stats } = await runPass({
        source: platform.source, sink: platform.sink, store: platform.store,
        quarantine: new FileQuarantine(quarantinePath), config, modules: DETECTOR_MODULES,
      });
      const summary = {
        status: 'ok', platform: name, records: stats.records, events: stats.events, alerts: alerts.length,
        alreadyDelivered: stats.alreadyDelivered, quarantined: stats.quarantined, ...platform.stats(),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      log({ level: 'info', msg: 'pass committed', ...summary });
      process.stdout.write(asJson ? `${redact(jsonText(summary))}\n`
        : `${name}: ${stats.records} events pulled, ${alerts.length} alerts written, ${stats.quarantined} quarantined${stats.quarantined ? ` (${quarantinePath})` : ''}, ${summary.seconds}s\n`);
      return 0;
    } catch (e) {
      return fail(e, adapter, log, asJson, started);
    } finally {
      platform.close();
    }
  } catch (e) {
    const r = redact;
    return reportFailure(RUN, e instanceof Error ? Object.assign(e, { message: r(e.message) }) : e);
  }
}

function fail(e: unknown, adapter: Platform, log: (entry: Record<string, unknown>) => void, asJson: boolean, started: number): number {
  if (e instanceof ConfigError) throw e;
  const known = e instanceof StateVersionError || e instanceof StateConflictError || adapter.failures.some((k) => e instanceof k);
  const message = adapter.redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  log({ level: 'error', msg: 'pass failed; nothing committed, the next pass redoes it', error: message, ...(known ? {} : { stack: adapter.redact((e as Error)?.stack ?? '') }) });
  if (asJson) process.stdout.write(`${jsonText({ status: 'error', error: message, seconds: Math.round((Date.now() - started) / 100) / 10 })}\n`);
  else process.stderr.write(`tierzero run: ${message}\n`);
  return EXIT.failure;
}
