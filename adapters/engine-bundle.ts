import { build, type Plugin } from 'esbuild';
import { resolve, sep } from 'node:path';

/** The repository root: esbuild's working directory, against which its metafile names inputs. */
export const REPO_ROOT = resolve(__dirname, '..');
const REPO = REPO_ROOT;

/** The registry's lazy `require('./<platform>/config' | './<platform>/run-adapter')` lines. */
const PLATFORM_MODULE = /^\.\/([a-z]+)\/(config|run-adapter)$/;
const REGISTRY = `${sep}adapters${sep}index.ts`;

/**
 * Keeps the other platforms' adapters out of a host's bundle. The registry loads adapters on
 * demand, but esbuild follows every `require`, so without this the Splunk app would carry the
 * Elasticsearch client and the Azure SDKs (and their licences) that it never runs. A config with
 * another platform's section, run by this bundle, gets an error that says where that platform is.
 */
function onlyPlatform(host: string): Plugin {
  return {
    name: 'tierzero-only-platform',
    setup(b) {
      b.onResolve({ filter: PLATFORM_MODULE }, (args) => {
        const name = PLATFORM_MODULE.exec(args.path)?.[1];
        if (!args.importer.endsWith(REGISTRY) || name === undefined || name === host) return undefined;
        return { path: name, namespace: 'tierzero-absent-platform' };
      });
      // A ConfigError naming the section, so the command exits 2 as for any bad key.
      b.onLoad({ filter: /.*/, namespace: 'tierzero-absent-platform' }, (args) => ({
        loader: 'ts',
        resolveDir: REPO,
        contents: [
          "import { ConfigError } from './core/config/config';",
          `throw new ConfigError(${JSON.stringify(args.path)}, ${JSON.stringify(`is a platform this engine was not packaged with (it carries ${host} only): run tierzero from npm for it`)});`,
        ].join('\n'),
      }));
    },
  };
}

/**
 * The whole CLI in one CommonJS file, for hosts that ship Node but no node_modules (Splunk's
 * scripted input, an Azure Functions package), carrying only the host's own platform adapter,
 * and the inputs esbuild read (their licences go into the package's THIRD-PARTY-NOTICES).
 */
export async function bundleEngine(host: string): Promise<{ code: Buffer; inputs: string[] }> {
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
    plugins: [onlyPlatform(host)],
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return { code: Buffer.from(file.contents), inputs: Object.keys(out.metafile.inputs) };
}
