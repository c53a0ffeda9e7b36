/**
 * `npm run bench -- --benign-week` (or `--benign-days N`): generates one file per benign day
 * (reused while its parameters and the generator are unchanged), replays them in order
 * through the engine with state carried across days, once with the default config (learning
 * on) and once in test mode, and reports alerts per day by detector and severity.
 */
import { existsSync, readFileSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptance, formatAcceptance, formatBenignTable, type Bar, type BenignRun } from './benign-report';
import type { DayAlerts } from './benign-replay';
import type { BenignDayParams } from './benign-workload';
import { log, phase } from './child-phase';

export interface BenignOptions {
  readonly seed: string;
  readonly days: number;
  readonly events: number;
  readonly accounts: number;
  readonly regenerate: boolean;
}

export interface BenignReport {
  readonly mode: 'benign-week';
  readonly workload: { readonly days: number; readonly eventsPerDay: number; readonly accounts: number; readonly seed: string; readonly files: readonly string[]; readonly bytes: number };
  readonly defaults: { readonly seconds: number; readonly peakRssMb: number; readonly days: readonly DayAlerts[] };
  readonly testMode: { readonly seconds: number; readonly peakRssMb: number; readonly days: readonly DayAlerts[] };
  readonly acceptance: readonly Bar[];
}

export async function benignWeek(o: BenignOptions, outDir: string, generator: string, show: (p: string) => string): Promise<{ report: BenignReport; text: string[] }> {
  const files: string[] = [];
  let bytes = 0;
  let config: unknown;
  for (let day = 1; day <= o.days; day++) {
    const params: BenignDayParams = { seed: o.seed, start: '2024-03-11T00:00:00.000Z', day, events: o.events, accounts: o.accounts, generator };
    const file = join(outDir, `benign-e${o.events}-a${o.accounts}-day${day}.jsonl`);
    const g = await ensureDay(file, params, o.regenerate, outDir, show);
    files.push(file);
    bytes += g.bytes;
    config ??= g.config;
  }
  const replay = async (label: string, cfg: unknown): Promise<BenignReport['defaults']> => {
    log(`replaying ${o.days} day(s) in order, one state across days, ${label} …`);
    const r = await phase(['replay', JSON.stringify(cfg), ...files]);
    return { seconds: r.seconds, peakRssMb: r.peakRssMb, days: r.details['days'] as DayAlerts[] };
  };
  const defaults = await replay('default config (learning on)', config);
  const testMode = await replay('test mode', { ...(config as Record<string, unknown>), testMode: true });
  const run: BenignRun = { accounts: o.accounts, eventsPerDay: o.events, defaults: defaults.days, testMode: testMode.days };
  const bars = acceptance(run);
  const report: BenignReport = {
    mode: 'benign-week',
    workload: { days: o.days, eventsPerDay: o.events, accounts: o.accounts, seed: o.seed, files: files.map(show), bytes },
    defaults, testMode, acceptance: bars,
  };
  const text = [
    `benign week: ${o.days} day(s) × ${o.events.toLocaleString('en-US')} events, ${o.accounts.toLocaleString('en-US')} accounts, seed ${o.seed}, no attack seeded (${(bytes / 1e6).toFixed(0)} MB JSONL)`,
    `replay: defaults ${defaults.seconds.toFixed(1)} s (peak RSS ${defaults.peakRssMb.toFixed(0)} MB), test mode ${testMode.seconds.toFixed(1)} s (peak RSS ${testMode.peakRssMb.toFixed(0)} MB)`,
    'alerts per day by detector and severity; "L" = flagged learning (its baseline was still learning), "5(3L)" = 5 of which 3 learning',
    '',
    ...formatBenignTable(run),
    '',
    ...formatAcceptance(bars),
  ];
  return { report, text };
}

interface GeneratedDay {
  readonly params: BenignDayParams;
  readonly bytes: number;
  readonly config: unknown;
}

async function ensureDay(file: string, params: BenignDayParams, regenerate: boolean, outDir: string, show: (p: string) => string): Promise<GeneratedDay> {
  const meta = `${file}.params.json`;
  if (!regenerate && existsSync(file) && existsSync(meta)) {
    const saved = JSON.parse(readFileSync(meta, 'utf8')) as GeneratedDay;
    if (JSON.stringify(saved.params) === JSON.stringify(params) && statSync(file).size === saved.bytes) {
      log(`reusing ${show(file)} (day ${params.day}, generated with the same parameters)`);
      return saved;
    }
  }
  const { bavail, bsize } = statfsSync(outDir);
  if (bavail * bsize < params.events * 700 * 1.1) throw new Error(`not enough disk for day ${params.day}: about ${(params.events * 700 / 1e6).toFixed(0)} MB needed in ${outDir}`);
  log(`generating day ${params.day}: ${params.events.toLocaleString('en-US')} benign events over ${params.accounts.toLocaleString('en-US')} accounts into ${show(file)} …`);
  const r = await phase(['generate-benign', JSON.stringify(params), file]);
  const labels = r.details['labels'];
  if (!Array.isArray(labels) || labels.length !== 0) throw new Error(`day ${params.day} came with attack labels: the benign week seeds none`);
  const generated: GeneratedDay = { params, bytes: Number(r.details['bytes']), config: r.details['config'] };
  writeFileSync(meta, `${JSON.stringify({ ...generated, events: r.events, seconds: r.seconds }, null, 2)}\n`);
  log(`generated day ${params.day} in ${r.seconds.toFixed(1)} s (${(generated.bytes / 1e6).toFixed(0)} MB)`);
  return generated;
}
