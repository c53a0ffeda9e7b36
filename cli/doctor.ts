import { FileSource } from '../adapters/file/file-source';
import { DECLARATIONS } from '../core/detectors/registry';
import { EventCoverage, type CoverageReport, type DetectorCoverage, type InputCoverage } from '../core/engine/coverage';
import { parse, UsageError } from './args';
import { DOCTOR } from './commands';
import { loadConfig } from './config-file';
import { reportFailure } from './failure';
import { jsonText } from './visible';
import { renderTable } from './table';

/**
 * `tierzero doctor` over exported logs: for every detector, whether the events it needs are in
 * the data (counts per EventID), which declared fields the export dropped, and which detectors are
 * blind with the audit policy that would feed them. Exit 0, 1 when an enabled detector is blind,
 * 2 on a usage or config error.
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
    throw new UsageError('give the event files to check (exported logs: files or directories)');
  }
  const config = await loadConfig(values.config);
  const coverage = new EventCoverage(DECLARATIONS);
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

export function renderReport(report: CoverageReport, files: number, malformed: number): string {
  const out: string[] = [];
  out.push(`${report.records.toLocaleString('en-US')} records in ${files} file${files === 1 ? '' : 's'}`
    + `${malformed ? `, ${malformed} unreadable` : ''}${report.unrecognised ? `, ${report.unrecognised} not canonical events` : ''}\n`);
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
  out.push(blind.length ? `\n${blind.length} enabled detector${blind.length === 1 ? ' is' : 's are'} blind on this data.\n` : '\nno enabled detector is blind on this data.\n');
  return out.join('\n');
}

function seenText(d: DetectorCoverage): string {
  const parts = d.inputs.flatMap((i) => Object.entries(i.counts).filter(([, n]) => n > 0).map(([id, n]) => `${channelPrefix(i)}${id}×${n}`));
  return parts.length ? [...new Set(parts)].join(' ') : '-';
}

/** Security is the default log; others are named so `1×2` cannot be read as a Security event. */
function channelPrefix(i: InputCoverage): string {
  if (i.channel === 'Security') return '';
  if (i.channel === 'Microsoft-Windows-Sysmon/Operational') return 'Sysmon ';
  return `${i.channel} `;
}

function gapText(d: DetectorCoverage): string {
  const missingInputs = d.inputs.filter((i) => i.total === 0).map((i) => inputName(i));
  const missingFields = [...new Set(d.inputs.flatMap((i) => i.missingFields))];
  return [...missingInputs, ...(missingFields.length ? [`fields not seen: ${missingFields.join(', ')}`] : [])].join('; ') || '-';
}

function advice(d: DetectorCoverage, inputs: readonly InputCoverage[]): string[] {
  return [`  ${d.id}`, ...inputs.map((i) => `    ${inputName(i)}${i.total > 0 ? ` (present, but no event carried ${i.missingFields.join(', ')})` : ''}: ${i.auditPolicy}`)];
}

function inputName(i: InputCoverage): string {
  if (i.channel === 'SigninLogs') return 'Entra sign-in logs';
  const ids = Object.keys(i.counts);
  if (ids.length === 1 && ids[0] === '0') return i.channel;
  return `${i.channel} ${ids.length > 4 ? `${ids.slice(0, 3).join('/')} +${ids.length - 3} more` : ids.join('/')}`;
}
