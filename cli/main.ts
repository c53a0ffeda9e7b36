/* eslint-disable @typescript-eslint/no-require-imports -- lazy, synchronous loads under tsx's CJS hook */
import { COMMAND_SPECS, EXIT_CODES, synopsis, type CommandSpec } from './commands';

/**
 * `tierzero <command>`: the contract other tools and tests rely on (DESIGN §9).
 * Each command lives in its own module, loaded only when used so `detect` starts fast.
 */
export type Command = (argv: string[]) => Promise<number>;

const LOADERS: Record<string, () => { run: Command }> = {
  detect: () => require('./detect'),
  eval: () => require('./eval'),
  doctor: () => require('./doctor'),
  package: () => require('./package'),
  respond: () => require('./respond'),
  run: () => require('./run'),
  'serve-responder': () => require('./serve-responder'),
  users: () => require('./users'),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${require('../package.json').version}\n`);
    return 0;
  }
  const spec = COMMAND_SPECS.find((c) => c.name === name);
  const load = LOADERS[name];
  if (!spec || !load) {
    const { visible } = require('./visible') as typeof import('./visible');
    process.stderr.write(`tierzero: unknown command '${visible(name)}'\n${usage()}`);
    return 2;
  }
  try {
    return await load().run(rest);
  } catch (e) {
    // Commands report their own errors; this is the net under an error that escaped one.
    const { reportFailure } = require('./failure') as typeof import('./failure');
    return reportFailure(spec as CommandSpec, e);
  }
}

function usage(): string {
  return `usage: tierzero <command> [options]    (tierzero <command> --help: every option explained)\n\n`
    + `${COMMAND_SPECS.flatMap((c) => [synopsis(c), ...(c.more ?? []).map((m) => `${c.name} ${m}`)]).map((l) => `  tierzero ${l}`).join('\n')}\n  tierzero --version\n\n${EXIT_CODES}`;
}
