import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { buildResponder } from '../playbooks/build';
import { CircuitBreaker } from '../playbooks/circuit-breaker';
import { systemClock } from '../playbooks/clock';
import { ConfigError } from '../playbooks/config';
import { InvalidIdentifierError } from '../playbooks/errors';
import { parseUserIdentifier } from '../playbooks/identifiers';
import { loadResponseSettings } from '../playbooks/load-config';
import { ACTIONS, isAction } from '../playbooks/plan';
import type { ActionResult } from '../playbooks/responder';
import { scrubSecrets } from '../core/config/secret';
import { visible } from './visible';

const USAGE = `usage: tierzero respond ${ACTIONS.join('|')} --user <upn|sam|sid> [--dry-run] [--reason text] [--alert-id id] [--config tierzero.json] [--json]
       tierzero respond breaker-status [--config tierzero.json]
       tierzero respond reset-breaker --reason text [--config tierzero.json]
`;

/** Output streams, injectable so tests read what an operator would see. */
export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env };

/** `tierzero respond …` — exit 0 done (or dry run), 1 action failed or refused, 2 usage/config error. */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`tierzero respond: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = args;
  const command = positionals[0];
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (command === undefined || positionals.length > 1 || !(isAction(command) || command === 'breaker-status' || command === 'reset-breaker')) {
    io.err(`tierzero respond: ${command === undefined ? 'an action is required' : `unknown action '${positionals.join(' ')}'`}\n${USAGE}`);
    return 2;
  }
  try {
    const settings = loadResponseSettings(values.config ?? 'tierzero.json', io.env);
    if (command === 'breaker-status') {
      const s = await new CircuitBreaker(settings.circuitBreaker.stateFile, settings.circuitBreaker.maxActionsPerHour, systemClock).status();
      io.out(`circuit breaker: ${s.open ? `OPEN since ${s.trippedAt}` : 'closed'}; ${s.actionsLastHour}/${s.limit} actions in the last hour\n`);
      return 0;
    }
    const responder = buildResponder(settings);
    if (command === 'reset-breaker') {
      if (!values.reason) {
        io.err(`tierzero respond: reset-breaker needs --reason (it is written to the audit log)\n${USAGE}`);
        return 2;
      }
      const before = await responder.resetBreaker(actor(io.env), values.reason);
      io.out(`circuit breaker reset (was ${before.open ? `open since ${before.trippedAt}` : 'closed'}, ${before.actionsLastHour} recent actions); audit log: ${settings.auditLog}\n`);
      return 0;
    }
    if (!values.user) {
      io.err(`tierzero respond: --user is required\n${USAGE}`);
      return 2;
    }
    parseUserIdentifier(values.user);
    const result = await responder.run({
      action: command,
      user: values.user,
      actor: actor(io.env),
      dryRun: values['dry-run'] ?? false,
      ...(values.reason !== undefined && { reason: values.reason }),
      ...(values['alert-id'] !== undefined && { alertId: values['alert-id'] }),
    });
    io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : render(result, settings.auditLog));
    return result.outcome === 'succeeded' || result.outcome === 'dry-run' ? 0 : 1;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InvalidIdentifierError) {
      io.err(`tierzero respond: ${scrubSecrets(err.message)}\n`);
      return 2;
    }
    io.err(`tierzero respond: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      user: { type: 'string', short: 'u' },
      'dry-run': { type: 'boolean' },
      reason: { type: 'string' },
      'alert-id': { type: 'string' },
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The audit log's "who": the login behind sudo when there is one. */
function actor(env: NodeJS.ProcessEnv): string {
  let name = env.SUDO_USER ?? env.USER;
  try {
    name ??= userInfo().username;
  } catch {
    name ??= 'unknown';
  }
  return `cli:${name}`;
}

const MARK: Record<string, string> = { changed: '✓', unchanged: '=', planned: '→', failed: '✗' };

function render(r: ActionResult, auditLog: string): string {
  const lines = [`${r.action} ${visible(r.user)}: ${r.outcome.toUpperCase()}`, visible(r.message)];
  for (const s of r.steps) lines.push(`  ${MARK[s.status] ?? '?'} ${s.step.padEnd(22)} ${s.status.padEnd(9)} ${visible(s.detail)}`);
  for (const n of r.notes) lines.push(`  note: ${visible(n)}`);
  if (r.temporaryPassword !== undefined) {
    lines.push('', `temporary password (shown once, never logged; the user must change it at next logon):`, `  ${r.temporaryPassword}`);
  }
  lines.push(`action id ${r.actionId}; audit log ${auditLog}`);
  return `${lines.join('\n')}\n`;
}
