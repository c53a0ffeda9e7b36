/* eslint-disable @typescript-eslint/no-require-imports -- lazy, synchronous loads under tsx's CJS hook */
/**
 * `tierzero <command>`: the contract other tools and tests rely on (DESIGN §9).
 * Each command lives in its own module, loaded only when used so `detect` starts fast.
 */
import { platformNames } from '../adapters/index';

export type Command = (argv: string[]) => Promise<number>;

const PLATFORM_LIST = platformNames().join('|');

const COMMANDS: Record<string, { readonly load: () => Promise<{ run: Command }>; readonly help: string }> = {
  detect: { load: async () => require('./detect') as { run: Command }, help: 'detect <file|dir>... [--config f] [--state f] [--out alerts.jsonl] [--fail-on severity]' },
  eval: { load: async () => require('./eval') as { run: Command }, help: 'eval <manifest.json> [--config f] [--json]' },
  doctor: { load: async () => require('./doctor') as { run: Command }, help: 'doctor <file|dir>... [--config f] | doctor --config tierzero.json [--days N]   (files, or the SIEM the config names)' },
  package: { load: async () => require('./package') as { run: Command }, help: `package ${PLATFORM_LIST} [--out dist/]` },
  respond: { load: async () => require('./respond') as { run: Command }, help: 'respond suspend|enable|revoke-sessions|reset-password --user <upn|sam|sid> [--dry-run] [--reason text]' },
  run: { load: async () => require('./run') as { run: Command }, help: `run --config tierzero.json [--platform ${PLATFORM_LIST}] [--json]   (one scheduled pass on a SIEM)` },
  'serve-responder': { load: async () => require('./serve-responder') as { run: Command }, help: 'serve-responder --config tierzero.json [--port n]' },
  users: { load: async () => require('./users') as { run: Command }, help: 'users --state f [--top N] [--user X] [--format table|json] [--html out.html] [--reset X] [--at time|now]' },
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
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tierzero: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

function usage(): string {
  return `usage: tierzero <command>\n${Object.values(COMMANDS).map((c) => `  tierzero ${c.help}`).join('\n')}\n`;
}
