import { userInfo } from 'node:os';
import { buildResponder } from '../playbooks/build';
import { CircuitBreaker } from '../playbooks/circuit-breaker';
import { systemClock } from '../playbooks/clock';
import { InvalidIdentifierError } from '../playbooks/errors';
import { parseUserIdentifier } from '../playbooks/identifiers';
import { loadResponseSettings } from '../playbooks/load-config';
import { isAction } from '../playbooks/plan';
import type { ActionResult } from '../playbooks/responder';
import { scrubSecrets } from '../core/config/secret';
import { parse, UsageError } from './args';
import { RESPOND } from './commands';
import { reportFailure } from './failure';
import { jsonText, visible } from './visible';

/** Output streams, injectable so tests read what an operator would see. */
export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env };

/** `tierzero respond …` — exit 0 done (or dry run), 1 action failed or refused, 2 usage/config error, 3 I/O failure. */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    return await respond(argv, io);
  } catch (err) {
    // A malformed --user is a command-line mistake, not a failed action.
    return reportFailure(RESPOND, err instanceof InvalidIdentifierError ? new UsageError(err.message) : err, io);
  }
}

async function respond(argv: string[], io: Io): Promise<number> {
  const { positionals, values } = parse(argv, RESPOND);
  const command = positionals[0];
  if (command === undefined || positionals.length > 1 || !(isAction(command) || command === 'breaker-status' || command === 'reset-breaker')) {
    throw new UsageError(command === undefined ? 'an action is required' : `unknown action '${positionals.join(' ')}'`);
  }
  const settings = loadResponseSettings(values.config ?? 'tierzero.json', io.env);
  if (command === 'breaker-status') {
    const s = await new CircuitBreaker(settings.circuitBreaker.stateFile, settings.circuitBreaker.maxActionsPerHour, systemClock).status();
    io.out(`circuit breaker: ${s.open ? `OPEN since ${s.trippedAt}` : 'closed'}; ${s.actionsLastHour}/${s.limit} actions in the last hour\n`);
    return 0;
  }
  const responder = buildResponder(settings);
  if (command === 'reset-breaker') {
    if (!values.reason) throw new UsageError('reset-breaker needs --reason (it is written to the audit log)');
    const before = await responder.resetBreaker(actor(io.env), values.reason);
    io.out(`circuit breaker reset (was ${before.open ? `open since ${before.trippedAt}` : 'closed'}, ${before.actionsLastHour} recent actions); audit log: ${visible(settings.auditLog)}\n`);
    return 0;
  }
  if (!values.user) throw new UsageError('--user is required');
  parseUserIdentifier(values.user);
  const result = await responder.run({
    action: command,
    user: values.user,
    actor: actor(io.env),
    dryRun: values['dry-run'] ?? false,
    ...(values.reason !== undefined && { reason: values.reason }),
    ...(values['alert-id'] !== undefined && { alertId: values['alert-id'] }),
  });
  const shown = scrubbed(result);
  io.out(values.json ? `${jsonText(shown, 2)}\n` : render(shown, settings.auditLog));
  return result.outcome === 'succeeded' || result.outcome === 'dry-run' ? 0 : 1;
}

/**
 * The result with every registered secret masked — a token endpoint that echoes the request
 * puts the client secret, URL-encoded, into a step's detail — except the temporary password,
 * which is this output's purpose (shown once, never logged), as the responder server does.
 */
function scrubbed(result: ActionResult): ActionResult {
  const { temporaryPassword, ...rest } = result;
  const clean = JSON.parse(scrubSecrets(JSON.stringify(rest))) as ActionResult;
  return temporaryPassword === undefined ? clean : { ...clean, temporaryPassword };
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
