import { ConfigError } from '../core/config/config';
import { scrubSecrets } from '../core/config/secret';
import { HelpRequested, UsageError } from './args';
import { usageLines, type CommandSpec } from './commands';
import { visible } from './visible';

/**
 * How every command ends on an error, so exit codes mean one thing everywhere (README, "Exit
 * codes"): 2 the user must fix the command line or the config; 3 the input, the state or the
 * I/O failed. An error class says 3 (or another code) with `readonly exitCode`; anything
 * unexpected is 3 too, as one line — the stack only with TIERZERO_DEBUG=1.
 */
export const EXIT = { ok: 0, failOn: 1, usage: 2, failure: 3 } as const;

export interface ErrorOutput {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const stdio: ErrorOutput = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export function exitCodeOf(e: unknown): number {
  if (e instanceof HelpRequested) return EXIT.ok;
  if (e instanceof UsageError || e instanceof ConfigError) return EXIT.usage;
  const code = (e as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 125 ? code : EXIT.failure;
}

/** Writes what the user needs (help page, usage, one-line error) and returns the exit code. */
export function reportFailure(spec: CommandSpec, e: unknown, io: ErrorOutput = stdio): number {
  if (e instanceof HelpRequested) {
    io.out(e.text);
    return EXIT.ok;
  }
  const message = visible(scrubSecrets(e instanceof Error ? e.message : String(e)));
  const code = exitCodeOf(e);
  const known = e instanceof UsageError || e instanceof ConfigError || (e as { exitCode?: unknown } | null)?.exitCode !== undefined || isOurs(e);
  const debug = (io.env ?? process.env)['TIERZERO_DEBUG'] === '1';
  let text = `tierzero ${spec.name}: ${known || !(e instanceof Error) ? '' : `${e.name}: `}${message}\n`;
  if (e instanceof UsageError) text += usageLines(spec);
  if (debug && e instanceof Error && e.stack) text += `${scrubSecrets(e.stack)}\n`;
  else if (!known) text += 'set TIERZERO_DEBUG=1 for the stack trace\n';
  io.err(text);
  return code;
}

const BUILT_IN: readonly ErrorConstructor[] = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

/**
 * An error class of ours (InputError, StateVersionError, …) carries a message written for the
 * user; a built-in one (a bug's TypeError, Node's ENOENT `Error`) gets its name and the
 * TIERZERO_DEBUG hint, since its message alone may not say what failed.
 */
function isOurs(e: unknown): boolean {
  return e instanceof Error && !BUILT_IN.some((c) => Object.getPrototypeOf(e) === c.prototype);
}
