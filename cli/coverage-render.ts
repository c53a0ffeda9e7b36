import type { CoverageReport, DetectorCoverage, InputCoverage, SharedNeedCoverage } from '../core/engine/coverage';
import { renderTable } from './table';

/** What `tierzero doctor` prints: coverage per detector, then what to enable, for files or a SIEM. */
export function renderReport(report: CoverageReport, files: number, malformed: number): string {
  return `${report.records.toLocaleString('en-US')} records in ${files} file${files === 1 ? '' : 's'}`
    + `${malformed ? `, ${malformed} unreadable` : ''}${report.unrecognised ? `, ${report.unrecognised} not canonical events` : ''}\n\n${renderCoverage(report, 'this data')}`;
}

/** The per-detector table, then the blind and partial detectors with the audit policy to enable. */
export function renderCoverage(report: CoverageReport, where: string): string {
  const out: string[] = [];
  const rows = report.detectors.map((d) => [d.id, d.enabled ? d.status : `${d.status} (disabled)`, seenText(d), gapText(d)]);
  out.push(renderTable(['detector', 'status', 'events seen', 'missing'], rows));
  const blind = report.detectors.filter((d) => d.enabled && d.status === 'blind');
  if (blind.length) {
    out.push(`\nblind detectors (no input event present) — enable:`);
    for (const d of blind) out.push(...advice(d, d.inputs));
  }
  const partial = report.detectors.filter((d) => d.enabled && d.status === 'partial');
  if (partial.length) {
    out.push(`\npartially covered — to see everything, enable:`);
    for (const d of partial) out.push(...advice(d, d.inputs.filter((i) => i.total === 0 || i.missingFields.length > 0)));
  }
  out.push(...sharedText(report.shared));
  out.push(blind.length ? `\n${blind.length} enabled detector${blind.length === 1 ? ' is' : 's are'} blind on ${where}.\n` : `\nno enabled detector is blind on ${where}.\n`);
  return out.join('\n');
}

/** The shared models every detector reads through: their coverage, and for each gap what it costs. */
function sharedText(shared: readonly SharedNeedCoverage[]): string[] {
  if (shared.length === 0) return [];
  const out = ['\nshared needs (read whichever detectors are enabled):', renderTable(['shared need', 'status', 'events seen', 'missing'], shared.map((n) => [n.name, n.status, seenText(n), gapText(n)]))];
  const gaps = shared.filter((n) => n.status !== 'ok');
  for (const n of gaps) {
    out.push(`  ${n.name}: ${n.purpose}`);
    for (const i of n.inputs.filter((x) => x.total === 0 || x.missingFields.length > 0)) {
      out.push(`    ${inputName(i)}${i.total > 0 ? ` (present, but no event carried ${i.missingFields.join(', ')})` : ''}: ${i.auditPolicy}`);
    }
  }
  return out;
}

function seenText(d: { readonly inputs: readonly InputCoverage[] }): string {
  const parts = d.inputs.flatMap((i) => Object.entries(i.counts).filter(([, n]) => n > 0).map(([id, n]) => `${channelPrefix(i)}${id}×${n}`));
  return parts.length ? [...new Set(parts)].join(' ') : '-';
}

/** Security is the default log; others are named so `1×2` cannot be read as a Security event. */
function channelPrefix(i: InputCoverage): string {
  if (i.channel === 'Security') return '';
  if (i.channel === 'Microsoft-Windows-Sysmon/Operational') return 'Sysmon ';
  return `${i.channel} `;
}

function gapText(d: { readonly inputs: readonly InputCoverage[] }): string {
  const missingInputs = d.inputs.filter((i) => i.total === 0).map((i) => inputName(i));
  const missingFields = [...new Set(d.inputs.flatMap((i) => i.missingFields))];
  return [...missingInputs, ...(missingFields.length ? [`fields not seen: ${missingFields.join(', ')}`] : [])].join('; ') || '-';
}

function advice(d: DetectorCoverage, inputs: readonly InputCoverage[]): string[] {
  return [`  ${d.id}`, ...inputs.map((i) => `    ${inputName(i)}${i.total > 0 ? ` (present, but no event carried ${i.missingFields.join(', ')})` : ''}: ${i.auditPolicy}`)];
}

function inputName(i: InputCoverage): string {
  if (i.channel === 'SigninLogs') return 'Entra sign-in logs';
  if (i.channel === 'AuditLogs') return 'Entra audit logs';
  const ids = Object.keys(i.counts);
  if (ids.length === 1 && ids[0] === '0') return i.channel;
  return `${i.channel} ${ids.length > 4 ? `${ids.slice(0, 3).join('/')} +${ids.length - 3} more` : ids.join('/')}`;
}
