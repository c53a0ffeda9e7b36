/* eslint-disable @typescript-eslint/no-require-imports -- the version is read from package.json at run time */
import { findPlatform, platformNames, PLATFORMS } from '../adapters/index';
import { DECLARATIONS } from '../core/detectors/registry';
import { parse, UsageError } from './args';
import { PACKAGE } from './commands';
import { reportFailure } from './failure';

/** `tierzero package <platform>`: the installable artefact for a SIEM (DESIGN §7). Exit 0 ok, 2 usage, 3 I/O. */
export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, PACKAGE);
    const [name, ...extra] = positionals;
    if (name === undefined || extra.length) throw new UsageError('give exactly one platform');
    const entry = findPlatform(name);
    if (!entry) throw new UsageError(`unknown platform ${name}: registered platforms are ${platformNames().join(', ')}`);
    const packager = entry.load().packager;
    if (!packager) {
      const packaged = PLATFORMS.filter((p) => p.load().packager !== undefined).map((p) => p.name);
      throw new UsageError(`${name} has no packager yet: ${packaged.length ? `packages exist for ${packaged.join(', ')}` : 'no platform has one'}`);
    }
    const epoch = Number(process.env['SOURCE_DATE_EPOCH']);
    const result = await packager()({
      outDir: values.out,
      version: (require('../package.json') as { version: string }).version,
      mtime: Number.isInteger(epoch) && epoch > 0 ? epoch : Math.floor(Date.now() / 1000),
      declarations: DECLARATIONS,
    });
    process.stdout.write(`${result.path} (${result.files} files, ${Math.round(result.bytes / 1024)} KiB)\n`);
    return 0;
  } catch (e) {
    return reportFailure(PACKAGE, e);
  }
}
