/* eslint-disable @typescript-eslint/no-require-imports -- platform adapters load lazily, like commands */
import { dirname, join, resolve } from 'node:path';
import { FileQuarantine } from '../adapters/file/file-quarantine';
import { ConfigError } from '../core/config/config';
import type { PlatformAdapter, PlatformPass } from '../adapters/platform';
import { DETECTOR_MODULES } from '../core/detectors/registry';
import { enabledModules, runPass } from '../core/engine/engine';
import { StateVersionError } from '../core/state/state';
import { parse, UsageError } from './args';
import { RUN } from './commands';
import { readConfigFile, resolveWholeConfig } from './config-file';
import { EXIT, reportFailure } from './failure';
import { jsonText } from './visible';

/**
 * `tierzero run`: one scheduled pass on a SIEM (DESIGN §3). The platform is the config section
 * present (`splunk`, later `elastic`, `sentinel`); `--platform` picks one when several are.
 * Logs are JSON lines on stderr; the summary goes to stdout (one JSON object with --json, which
 * the Splunk app's scripted input indexes as sourcetype tierzero:run).
 * Exit codes: 0 pass committed, 2 usage/config, 3 pass failed (nothing committed; the next pass redoes it).
 */
/** One line per platform: the config section name and how to load its adapter. */
const PLATFORMS: Record<string, () => PlatformAdapter> = {
  splunk: () => {
    const m = require('../adapters/splunk/run-adapter') as { adapter: PlatformAdapter };
    return m.adapter;
  },
};

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
    const name = choosePlatform(raw as Record<string, unknown>, values.platform);
    const adapter = PLATFORMS[name]?.();
    if (!adapter) throw new UsageError(`unknown platform ${name}`);
    redact = adapter.redact;
    const configDir = dirname(resolve(values.config));
    let platform: PlatformPass;
    try {
      // The query is compiled from the enabled detectors only: disabled ones need no events pulled.
      platform = await adapter.open((raw as Record<string, unknown>)[name], configDir, enabledModules(config, DETECTOR_MODULES), {
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

function choosePlatform(raw: Record<string, unknown>, flag: string | undefined): string {
  const present = Object.keys(PLATFORMS).filter((p) => raw && typeof raw === 'object' && p in raw);
  if (flag !== undefined) {
    if (!(flag in PLATFORMS)) throw new UsageError(`--platform must be one of ${Object.keys(PLATFORMS).join(', ')}`);
    if (!present.includes(flag)) throw new ConfigError(flag, `section is missing: --platform ${flag} needs it`);
    return flag;
  }
  if (present.length === 0) throw new ConfigError('(root)', `names no platform: add a ${Object.keys(PLATFORMS).map((p) => `"${p}"`).join(' or ')} section`);
  if (present.length > 1) throw new ConfigError('(root)', `has sections for ${present.join(' and ')}: choose one with --platform`);
  return present[0] as string;
}

function fail(e: unknown, adapter: PlatformAdapter, log: (entry: Record<string, unknown>) => void, asJson: boolean, started: number): number {
  if (e instanceof ConfigError) throw e;
  const known = e instanceof StateVersionError || adapter.failures.some((k) => e instanceof k);
  const message = adapter.redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  log({ level: 'error', msg: 'pass failed; nothing committed, the next pass redoes it', error: message, ...(known ? {} : { stack: adapter.redact((e as Error)?.stack ?? '') }) });
  if (asJson) process.stdout.write(`${jsonText({ status: 'error', error: message, seconds: Math.round((Date.now() - started) / 100) / 10 })}\n`);
  else process.stderr.write(`tierzero run: ${message}\n`);
  return EXIT.failure;
}

/** The first line on stdin (splunkd's passAuth writes the session key and may keep stdin open). */
function firstLine(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let text = '';
    const done = (): void => {
      stream.removeListener('data', onData);
      stream.pause();
      resolvePromise(text.split('\n')[0] ?? '');
    };
    const onData = (c: Buffer): void => {
      text += c.toString('utf8');
      if (text.includes('\n')) done();
    };
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', reject);
  });
}
