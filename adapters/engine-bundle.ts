import { build } from 'esbuild';
import { resolve } from 'node:path';

/** The repository root: esbuild's working directory, against which its metafile names inputs. */
export const REPO_ROOT = resolve(__dirname, '..');
const REPO = REPO_ROOT;

/**
 * The whole CLI in one CommonJS file, for hosts that ship Node but no node_modules (Splunk's
 * scripted input, an Azure Functions package), and the inputs esbuild read (their licences go
 * into the package's THIRD-PARTY-NOTICES).
 */
export async function bundleEngine(): Promise<{ code: Buffer; inputs: string[] }> {
  const entry = [
    "const major = Number(process.versions.node.split('.')[0]);",
    "if (major < 20) { process.stderr.write(`tierzero needs Node.js >= 20; this is ${process.version}\\n`); process.exit(2); }",
    "const { main } = require('./cli/main.ts');",
    'main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {',
    "  process.stderr.write(`tierzero: ${err && err.message ? err.message : String(err)}\\n`); process.exitCode = 3; });",
  ].join('\n');
  const out = await build({
    stdin: { contents: entry, resolveDir: REPO, sourcefile: 'tierzero-app-entry.ts', loader: 'ts' },
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, absWorkingDir: REPO,
    // Licence texts go to THIRD-PARTY-NOTICES.txt whole, not as scattered comments.
    banner: { js: '#!/usr/bin/env node' }, legalComments: 'none', logLevel: 'silent', metafile: true,
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return { code: Buffer.from(file.contents), inputs: Object.keys(out.metafile.inputs) };
}
