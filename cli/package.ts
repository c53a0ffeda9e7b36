/* eslint-disable @typescript-eslint/no-require-imports -- packagers load lazily: they pull in esbuild */
import { DECLARATIONS } from '../core/detectors/registry';
import { parse, UsageError } from './args';
import { PACKAGE } from './commands';
import { reportFailure } from './failure';

/** One line per platform that has a packager. */
const PACKAGERS: Record<string, () => (o: { outDir: string; version: string; mtime: number }) => Promise<{ path: string; bytes: number; files: number }>> = {
  splunk: () => {
    const m = require('../adapters/splunk/app/build') as typeof import('../adapters/splunk/app/build');
    return (o) => m.buildSplunkApp({ ...o, declarations: DECLARATIONS });
  },
};

/** `tierzero package <platform>`: the installable artefact for a SIEM (DESIGN §7). Exit 0 ok, 2 usage, 3 I/O. */
export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, PACKAGE);
    const [platform, ...extra] = positionals;
    if (platform === undefined || extra.length) throw new UsageError('give exactly one platform');
    const packager = PACKAGERS[platform];
    if (!packager) {
      throw new UsageError(['elastic', 'sentinel'].includes(platform) ? `no ${platform} packager yet: only splunk is built` : `unknown platform ${platform}`);
    }
    const epoch = Number(process.env['SOURCE_DATE_EPOCH']);
    const result = await packager()({
      outDir: values.out,
      version: (require('../package.json') as { version: string }).version,
      mtime: Number.isInteger(epoch) && epoch > 0 ? epoch : Math.floor(Date.now() / 1000),
    });
    process.stdout.write(`${result.path} (${result.files} files, ${Math.round(result.bytes / 1024)} KiB)\n`);
    return 0;
  } catch (e) {
    return reportFailure(PACKAGE, e);
  }
}
