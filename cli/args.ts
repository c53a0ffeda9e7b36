import { parseArgs, type ParseArgsConfig } from 'node:util';
import { helpText, type CommandSpec } from './commands';

/** A command-line mistake: exit code 2 with the message and the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `-h`/`--help` was given: the command prints its help page to stdout and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';

  constructor(readonly text: string) {
    super('help requested');
  }
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** Parses argv with the command's declared options (cli/commands.ts), plus `-h`/`--help`. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], spec: CommandSpec & { readonly options: O }) {
  let parsed;
  try {
    const options: O & typeof HELP = { ...spec.options, ...HELP };
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // `detect --bogus --help`: the user asked for help, so give it rather than the error.
    if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(helpText(spec));
    throw new UsageError((e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(helpText(spec));
  return parsed;
}
