import type { Alert } from '../core/alerts/alert';
import { SEVERITIES } from '../core/alerts/alert';
import type { PassStats } from '../core/engine/engine';
import { renderTable } from './table';
import { visible } from './visible';

/** The end-of-run summary of `detect`: alerts by detector and severity, top actors, data health. */
export function renderSummary(alerts: readonly Alert[], stats: PassStats, extra: { seconds: number; quarantinePath?: string; skippedFiles: number; skippedLines?: number }): string {
  const out: string[] = [];
  const skipped = extra.skippedLines ?? 0;
  out.push(`\n${stats.records + skipped} records, ${stats.events} identity events used, ${alerts.length} alerts in ${extra.seconds.toFixed(1)} s`
    + (skipped ? ` (${skipped} left unparsed: no enabled detector uses their EventID)` : '')
    + (extra.skippedFiles ? ` (${extra.skippedFiles} input file(s) already processed per --state, skipped)` : '') + '\n');
  if (alerts.length) {
    const byDetector = new Map<string, Map<string, number>>();
    for (const a of alerts) {
      const m = byDetector.get(a.detector) ?? new Map<string, number>();
      m.set(a.severity, (m.get(a.severity) ?? 0) + 1);
      byDetector.set(a.detector, m);
    }
    const sev = [...SEVERITIES].reverse();
    out.push('\n' + renderTable(['detector', ...sev, 'total'],
      [...byDetector].sort().map(([d, m]) => [d, ...sev.map((s) => m.get(s) ?? 0), [...m.values()].reduce((x, y) => x + y, 0)])));
    out.push('\n' + renderTable(['severity', 'detector', 'first seen', 'accounts', 'source'],
      alerts.slice(0, 25).map((a) => [
        a.severity, a.detector, a.firstSeen.replace('.000Z', 'Z'),
        a.entities.accounts.slice(0, 3).map((x) => `${x.name} (${x.role})`).join(', '),
        a.entities.hosts.filter((h) => h.role === 'source').map((h) => h.name ?? h.ip).slice(0, 2).join(', '),
      ])));
    if (alerts.length > 25) out.push(`… and ${alerts.length - 25} more\n`);
    const actors = new Map<string, number>();
    for (const a of alerts) for (const x of a.entities.accounts) if (x.role === 'actor') actors.set(x.name, (actors.get(x.name) ?? 0) + 1);
    if (actors.size) {
      out.push('\n' + renderTable(['top actors', 'alerts'], [...actors].sort((a, b) => b[1] - a[1]).slice(0, 10)));
    }
  }
  if (stats.quarantined) {
    out.push(`\n${stats.quarantined} malformed record(s) set aside in ${visible(extra.quarantinePath ?? 'quarantine')}: `
      + [...stats.quarantineReasons].map(([r, n]) => `${visible(r)} ×${n}`).join('; ') + '\n');
  }
  const suppressed = stats.excluded + stats.heldWhileLearning + stats.alreadyDelivered;
  if (suppressed) {
    out.push(`${stats.excluded} alert signal(s) excluded by config, ${stats.heldWhileLearning} held while learning, ${stats.alreadyDelivered} already delivered earlier\n`);
  }
  return out.join('');
}
