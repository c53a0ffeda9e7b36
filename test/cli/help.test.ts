import { strict as assert } from 'node:assert';
import { COMMAND_SPECS } from '../../cli/commands';
import { tierzero } from '../support/cli';

/** `--xxx` flags listed in a help page's options section. */
function helpFlags(help: string): string[] {
  const section = help.slice(help.indexOf('\noptions:\n'));
  return [...section.matchAll(/^\s+(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((f) => f !== 'help');
}

describe('--help on every command', function () {
  this.timeout(60_000);

  for (const spec of COMMAND_SPECS) {
    describe(`tierzero ${spec.name}`, () => {
      let help = '';
      before(async () => {
        const r = await tierzero([spec.name, '--help']);
        assert.equal(r.code, 0, r.stderr);
        help = r.stdout;
      });

      it('exits 0 with the help on stdout for -h as for --help', async () => {
        const r = await tierzero([spec.name, '-h']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, help);
      });

      it('lists every option the command declares, each with a description', () => {
        for (const [name, o] of Object.entries(spec.options)) {
          const line = help.split('\n').find((l) => l.includes(`--${name}`) && l.includes(o.description));
          assert.ok(line, `--${name} missing from ${spec.name} --help:\n${help}`);
        }
      });

      it('lists only options the command\'s parser accepts', async () => {
        const flags = helpFlags(help);
        assert.deepEqual(flags.sort(), Object.keys(spec.options).sort());
        const results = await Promise.all(flags.map((f) => tierzero([spec.name, `--${f}`, ...(spec.options[f]?.type === 'string' ? ['x'] : [])])));
        for (const [i, r] of results.entries()) assert.doesNotMatch(r.stderr, /Unknown option|unexpected/i, `--${flags[i]}: ${r.stderr}`);
      });

      it('rejects an option it does not list, with exit 2 and its usage', async () => {
        const r = await tierzero([spec.name, '--no-such-option']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, new RegExp(`^tierzero ${spec.name}: Unknown option '--no-such-option'`));
        assert.match(r.stderr, new RegExp(`usage: tierzero ${spec.name}`));
      });
    });
  }

  it('the top-level usage lists every option of every command, including --quarantine, --progress and --quiet', async () => {
    const r = await tierzero(['--help']);
    assert.equal(r.code, 0);
    for (const spec of COMMAND_SPECS) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  tierzero ${spec.name} `) || l === `  tierzero ${spec.name}`);
      assert.ok(line, `${spec.name} missing from usage`);
      for (const name of Object.keys(spec.options)) assert.ok(line.includes(`--${name}`), `--${name} missing from ${line}`);
    }
    assert.match(r.stdout, /--quarantine file.*--progress.*--quiet/);
  });
});
