/**
 * Every command's operands and options, defined once: `parse` (cli/args.ts) builds the parser
 * from these and `helpText` the `--help` page, and `main` the top-level usage, so the parser
 * and the help cannot disagree. A new flag is added here, with its one-line description.
 * This module imports nothing, so `main` can print usage without loading any command.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly default?: string | boolean;
  /** The value's placeholder in help (`--state <file>`). */
  readonly value?: string;
  /** Shown without brackets in usage; the command checks it (with a message saying why). */
  readonly required?: boolean;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: string;
  /** Positional arguments as usage shows them. */
  readonly operands: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Further usage lines (respond's breaker commands) and notes shown under the options. */
  readonly more?: readonly string[];
}

const config = { type: 'string', value: 'file', description: 'deployment config (tierzero.json): honeytokens, DCs, detector thresholds, exclusions' } as const;
const json = { type: 'boolean', default: false, description: 'print one JSON document instead of text' } as const;

export const DETECT = {
  name: 'detect',
  operands: '<file|dir>...',
  summary: 'Replay exported Windows/Entra logs (.jsonl, .jsonl.gz, .json arrays, directories) through the detectors and write alerts.',
  options: {
    config,
    state: { type: 'string', value: 'file', description: 'keep baselines, delivered alert ids and scores here, so the next run continues' },
    out: { type: 'string', value: 'file', description: 'write alerts (JSON lines) to this file; without it alerts go to stdout and the summary to stderr' },
    scores: { type: 'string', value: 'file', description: 'write the pass\'s score updates (JSON lines, latest line per identity wins) to this file' },
    quarantine: { type: 'string', value: 'file', description: 'where malformed records are set aside (default tierzero.quarantine.jsonl beside --out/--state)' },
    'fail-on': { type: 'string', value: 'severity', description: 'exit 1 when an alert is at or above this severity (informational, low, medium, high, critical): for CI' },
    'future-skew': { type: 'string', value: 'minutes', description: 'events later than the clock plus this are quarantined as time in the future (default 360)' },
    progress: { type: 'boolean', default: false, description: 'report each file and a progress line (bytes, %, ETA) from the start, not only after 2 s' },
    quiet: { type: 'boolean', default: false, description: 'print no summary and no progress line' },
  },
} as const satisfies CommandSpec;

export const EVAL = {
  name: 'eval',
  operands: '<manifest.json>',
  summary: 'Score recall and precision per detector over a labelled dataset manifest; exit 1 on any miss or false alarm.',
  options: { config, json },
} as const satisfies CommandSpec;

export const DOCTOR = {
  name: 'doctor',
  operands: '[<file|dir>...]',
  summary: 'Check which detectors the data can feed: events seen per EventID, fields missing, blind detectors and the audit policy to enable. With --config and no files: the platform the config names, its connectivity, and the events counted in the SIEM.',
  options: {
    config,
    platform: { type: 'string', value: 'name', description: 'with --config and no files: which platform section to probe when the config has several' },
    days: { type: 'string', value: 'n', description: 'with --config and no files: count the events of the last n days in the SIEM (default 7)' },
    json,
  },
} as const satisfies CommandSpec;

export const PACKAGE = {
  name: 'package',
  operands: '<platform>',
  summary: 'Build the installable package for a registered SIEM platform (its config section name).',
  options: { out: { type: 'string', default: 'dist', value: 'dir', description: 'directory to write the package to (default dist)' } },
} as const satisfies CommandSpec;

export const RUN = {
  name: 'run',
  operands: '',
  summary: 'One scheduled pass on a SIEM: pull new events, detect, write alerts back, commit state.',
  options: {
    config: { ...config, required: true, description: 'deployment config with the platform section (named as the platform); required' },
    platform: { type: 'string', value: 'name', description: 'which platform section to use when the config has several' },
    quarantine: { type: 'string', value: 'file', description: 'where malformed records are set aside (default tierzero.quarantine.jsonl beside the config)' },
    json: { ...json, description: 'print the pass summary as one JSON object (indexed as sourcetype tierzero:run)' },
  },
} as const satisfies CommandSpec;

export const USERS = {
  name: 'users',
  operands: '',
  summary: 'Investigation priority of every identity from the state detect --state keeps: ranking, one user\'s breakdown, HTML report, reset.',
  options: {
    state: { type: 'string', value: 'file', required: true, description: 'the state file tierzero detect --state writes; required' },
    top: { type: 'string', value: 'n', description: 'how many identities to rank (default 20)' },
    user: { type: 'string', value: 'name|upn|sid', description: 'show one identity: why, evidence, recommendations, and the score worked out' },
    format: { type: 'string', default: 'table', value: 'table|json', description: 'output format (default table)' },
    html: { type: 'string', value: 'file', description: 'write a self-contained HTML report there and print only its path' },
    reset: { type: 'string', value: 'name|upn|sid', description: 'clear an identity\'s score after investigation (its signals and history are kept)' },
    at: { type: 'string', value: 'time|now', description: 'compute scores at this ISO-8601 time, or now (default: the latest event in the state)' },
  },
} as const satisfies CommandSpec;

export const RESPOND = {
  name: 'respond',
  operands: 'suspend|enable|revoke-sessions|reset-password',
  summary: 'Run a response playbook on one account in Active Directory and/or Entra ID (audited, rate-limited by a circuit breaker).',
  options: {
    user: { type: 'string', short: 'u', value: 'upn|sam|sid', required: true, description: 'the account to act on; required for actions' },
    'dry-run': { type: 'boolean', description: 'show the plan and check access without changing anything' },
    reason: { type: 'string', value: 'text', description: 'why, written to the audit log (required by reset-breaker)' },
    'alert-id': { type: 'string', value: 'id', description: 'the alert this action answers, written to the audit log' },
    config: { type: 'string', short: 'c', value: 'file', description: 'config with the response section (default tierzero.json)' },
    json: { type: 'boolean', description: 'print the action result as JSON' },
  },
  more: ['breaker-status [--config file]', 'reset-breaker --reason text [--config file]'],
} as const satisfies CommandSpec;

export const SERVE_RESPONDER = {
  name: 'serve-responder',
  operands: '',
  summary: 'Serve the response playbooks over HTTPS (or loopback HTTP) to SIEM alert actions, with a bearer token.',
  options: {
    config: { type: 'string', short: 'c', value: 'file', description: 'config with the response section (default tierzero.json)' },
    port: { type: 'string', value: 'n', description: 'port to listen on (default response.responder.port, 8787)' },
  },
} as const satisfies CommandSpec;

export const COMMAND_SPECS: readonly CommandSpec[] = [DETECT, EVAL, DOCTOR, PACKAGE, RESPOND, RUN, SERVE_RESPONDER, USERS];

/** `[--state file] [--quiet]`: a command's whole synopsis on one line. */
export function synopsis(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` ${o.value ?? 'value'}` : ''}`;
    return o.required ? flag : `[${flag}]`;
  });
  return [spec.name, spec.operands, ...flags].filter(Boolean).join(' ');
}

export function usageLines(spec: CommandSpec): string {
  return [`usage: tierzero ${synopsis(spec)}`, ...(spec.more ?? []).map((m) => `       tierzero ${spec.name} ${m}`)].join('\n') + '\n';
}

/** The `--help` page: synopsis, what it does, every option with one line, exit codes. */
export function helpText(spec: CommandSpec): string {
  const rows = [
    ...Object.entries(spec.options).map(([name, o]) => [
      `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`, o.description,
    ]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([f]) => (f ?? '').length));
  return `${usageLines(spec)}\n${spec.summary}\n\noptions:\n${rows.map(([f, d]) => `  ${(f ?? '').padEnd(width)}  ${d}`).join('\n')}\n\n${EXIT_CODES}`;
}

export const EXIT_CODES = 'exit codes: 0 ok; 1 an alert at or above --fail-on (detect), a miss or false alarm (eval), a blind detector (doctor), an action failed or refused (respond); 2 usage or config error; 3 input, state or I/O failure\n';
