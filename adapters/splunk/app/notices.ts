import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * THIRD-PARTY-NOTICES for the bundled engine: esbuild inlines every dependency into one file
 * and drops their LICENSE files, which MIT, ISC, BSD and Apache-2.0 all require to be kept
 * with copies. So each package esbuild read (its metafile inputs) is listed with its version,
 * declared licence and the licence text its package ships.
 */
export interface BundledPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** The package's own licence file(s), verbatim; empty when it ships none. */
  readonly text: string;
}

/** Package directories (relative to `root`) of bundled inputs, nested node_modules included. */
export function bundledPackageDirs(inputs: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const path = input.split('\\').join('/');
    const at = path.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const rest = path.slice(at + 'node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '');
    dirs.add(`${path.slice(0, at)}node_modules/${name}`);
  }
  return [...dirs].sort();
}

export async function readBundledPackages(root: string, inputs: readonly string[]): Promise<BundledPackage[]> {
  const out: BundledPackage[] = [];
  for (const dir of bundledPackageDirs(inputs)) {
    const abs = join(root, dir);
    const pkg = JSON.parse(await readFile(join(abs, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: unknown };
    const entries = await readdir(abs);
    const files = entries.filter((f) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(f)).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(abs, f), 'utf8')));
    // Some packages (agent-base, https-proxy-agent) carry their licence only in the README.
    const readme = entries.find((f) => /^readme(\.md)?$/i.test(f));
    if (texts.length === 0 && readme !== undefined) texts.push(readmeLicence(await readFile(join(abs, readme), 'utf8')));
    out.push({
      name: pkg.name ?? dir,
      version: pkg.version ?? 'unknown',
      license: typeof pkg.license === 'string' ? pkg.license : 'see licence text',
      text: texts.map((t) => t.trim()).join('\n\n'),
    });
  }
  // The same package at two versions is two entries; the same one reached twice is one.
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(`${p.name}@${p.version}`) && seen.add(`${p.name}@${p.version}`)).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/**
 * The README's licence section: from a `License` heading (`## License`, or `License` underlined
 * with `---`/`===`) to the next heading, or the end.
 */
export function readmeLicence(readme: string): string {
  const lines = readme.split('\n');
  const setext = (i: number): boolean => /^\s*(-{3,}|={3,})\s*$/.test(lines[i + 1] ?? '') && (lines[i] ?? '').trim() !== '';
  const heading = (i: number): boolean => /^#{1,6}\s/.test(lines[i] ?? '') || setext(i);
  const start = lines.findIndex((l, i) => heading(i) && /^(#{1,6}\s*)?licen[cs]e\b/i.test(l.trim()));
  if (start < 0) return '';
  let end = start + (setext(start) ? 2 : 1);
  while (end < lines.length && !heading(end)) end++;
  return lines.slice(start, end).join('\n').trim();
}

export function thirdPartyNotices(packages: readonly BundledPackage[]): string {
  const rule = '='.repeat(78);
  const sections = packages.map((p) => [
    rule,
    `${p.name} ${p.version} (${p.license})`,
    rule,
    p.text || `This package ships no licence file; its package.json declares ${p.license}.`,
  ].join('\n'));
  return [
    'bin/tierzero.cjs bundles the following open-source packages. Their licence notices follow.',
    '',
    ...packages.map((p) => `- ${p.name} ${p.version} (${p.license})`),
    '',
    ...sections.map((s) => `${s}\n`),
  ].join('\n');
}
