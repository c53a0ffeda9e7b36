/**
 * The benign week's report: alerts per day by detector and severity, for the default config
 * and for test mode, and issue 15's acceptance bars judged on them. Pure: benign-run.ts
 * prints what this returns and writes the same figures to bench/out/last.json.
 */
import type { DayAlerts } from './benign-replay';

const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const SHORT: Record<string, string> = { informational: 'info', low: 'low', medium: 'med', high: 'high', critical: 'crit' };

export interface BenignRun {
  readonly accounts: number;
  readonly eventsPerDay: number;
  readonly defaults: readonly DayAlerts[];
  readonly testMode: readonly DayAlerts[];
}

export interface Bar {
  readonly bar: string;
  readonly met: boolean;
  readonly measured: string;
}

/** Alerts per 10,000 accounts. */
export function per10k(alerts: number, accounts: number): number {
  return (alerts * 10_000) / accounts;
}

function sum(row: Record<string, number> | undefined, only?: (s: string) => boolean): number {
  return Object.entries(row ?? {}).reduce((n, [s, c]) => n + (only === undefined || only(s) ? c : 0), 0);
}

/** What was not flagged `learning` on a day, by detector and severity. */
function settled(d: DayAlerts): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [detector, row] of Object.entries(d.bySeverity)) {
    for (const [severity, n] of Object.entries(row)) {
      const left = n - (d.learningBySeverity[detector]?.[severity] ?? 0);
      if (left > 0) (out[detector] ??= {})[severity] = left;
    }
  }
  return out;
}

/**
 * Issue 15's bars. "After the learning period" is read per alert: an alert not flagged
 * `learning` came from a finished baseline or a detector without one, on whichever day.
 */
export function acceptance(r: BenignRun): Bar[] {
  const high = (s: string): boolean => s === 'high' || s === 'critical';
  const settledDays = r.defaults.map((d) => ({ day: d.day, table: settled(d) }));
  const settledHigh = settledDays.reduce((n, d) => n + Object.values(d.table).reduce((m, row) => m + sum(row, high), 0), 0);
  const rates = settledDays.map((d) => per10k(Object.values(d.table).reduce((m, row) => m + sum(row), 0), r.accounts));
  const worst = Math.max(0, ...rates);
  const day1 = r.defaults[0];
  const aboveInfo = day1 ? Object.values(day1.learningBySeverity).reduce((n, row) => n + sum(row, (s) => s !== 'informational'), 0) : 0;
  return [
    { bar: 'after the learning period, no high or critical alert at all (alerts not flagged learning, every day, defaults)', met: settledHigh === 0, measured: `${settledHigh} high or critical` },
    {
      bar: 'after the learning period, at most 1 alert per 10,000 accounts per day of any severity (defaults)', met: worst <= 1,
      measured: `worst day ${worst.toFixed(2)} per 10 k (${rates.map((x, i) => `d${i + 1} ${x.toFixed(2)}`).join(', ')})`,
    },
    { bar: 'day 1 with defaults, no learning-based alert above informational', met: day1 !== undefined && aboveInfo === 0, measured: `${aboveInfo} learning alerts above informational on day 1` },
  ];
}

/** The day × detector table: counts by severity for defaults | test mode, learning ones marked `L`. */
export function formatBenignTable(r: BenignRun): string[] {
  const cell = (d: DayAlerts | undefined, detector: string): string => SEVERITIES.map((s) => {
    const n = d?.bySeverity[detector]?.[s] ?? 0;
    const l = d?.learningBySeverity[detector]?.[s] ?? 0;
    return (n === 0 ? '·' : l === 0 ? String(n) : l === n ? `${n}L` : `${n}(${l}L)`).padStart(7);
  }).join('');
  const header = SEVERITIES.map((s) => SHORT[s]?.padStart(7) ?? '').join('');
  const detectors = [...new Set([...r.defaults, ...r.testMode].flatMap((d) => Object.keys(d.bySeverity)))].sort();
  const width = Math.max(24, ...detectors.map((d) => d.length));
  const lines = [
    `${'day  detector'.padEnd(width + 5)}  ${'defaults (learning on)'.padEnd(35)}  test mode`,
    `${''.padEnd(width + 5)}  ${header}  ${header}`,
  ];
  for (const [i, d] of r.defaults.entries()) {
    const t = r.testMode[i];
    const here = detectors.filter((x) => d.bySeverity[x] || t?.bySeverity[x]);
    if (here.length === 0) lines.push(`${String(d.day).padStart(3)}  ${'(no alerts)'.padEnd(width)}`);
    for (const x of here) lines.push(`${String(d.day).padStart(3)}  ${x.padEnd(width)}  ${cell(d, x)}  ${cell(t, x)}`);
    const learning = Object.values(d.learningBySeverity).reduce((n, row) => n + sum(row), 0);
    lines.push(`${String(d.day).padStart(3)}  ${'total'.padEnd(width)}  ${`${d.alerts} (${learning} learning), ${per10k(d.alerts, r.accounts).toFixed(2)} per 10 k accounts`.padEnd(35)}  ${t ? `${t.alerts}, ${per10k(t.alerts, r.accounts).toFixed(2)} per 10 k` : ''}`);
  }
  return lines;
}

export function formatAcceptance(bars: readonly Bar[]): string[] {
  return ['acceptance bars of issue 15 (a report, not a test):', ...bars.map((b) => `  ${b.met ? 'met    ' : 'NOT MET'}  ${b.bar}: ${b.measured}`)];
}
