import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { DetectorDeclaration } from '../../../core/detectors/detector';
import { APP_ID, appConf, appManifest, parseAppVersion } from './app-manifest';
import { ALERT_ACTION_ICONS, appIcon } from './icon';
import { generatedMacrosConf } from './macros';
import { resolveConfig } from '../../../core/config/config';
import { listSettings } from '../../../core/rules/params';
import { settingMacros } from '../native-spl';
import { stanza } from './conf-stanza';
import { readBundledPackages, thirdPartyNotices } from './notices';
import { nativeSearches, savedSearchesConf } from './savedsearches';
import { tarGz, type TarEntry } from './tar';
import { bundleEngine } from '../../engine-bundle';

export { APP_ID } from './app-manifest';

/**
 * `tierzero package splunk`: the Splunk app as a .tgz with one top folder named as the app id
 * (AppInspect packaging rules, research/platforms.md §1.4). Static files come from app/files;
 * generated ones from the declarations (saved searches, detector lookup) and the code (the
 * engine bundled into one CommonJS file, since Splunk ships no Node and no node_modules).
 */
const FILES = join(__dirname, 'files');
const REPO = resolve(__dirname, '..', '..', '..');

export interface BuildOptions {
  readonly outDir: string;
  /** Major.Minor.Revision, as AppInspect requires. */
  readonly version: string;
  readonly declarations: readonly DetectorDeclaration[];
  /** Archive mtime, epoch seconds (SOURCE_DATE_EPOCH for reproducible builds). */
  readonly mtime: number;
  /** tierzero config whose thresholds and lists the native searches are compiled with. */
  readonly config?: unknown;
}

export interface BuildResult {
  readonly path: string;
  readonly bytes: number;
  readonly files: number;
}

export async function buildSplunkApp(o: BuildOptions): Promise<BuildResult> {
  parseAppVersion(o.version);
  const files = new Map<string, { data: Buffer; mode: number }>();
  for (const path of await walk(FILES)) {
    const rel = relative(FILES, path).split('\\').join('/');
    const mode = (await stat(path)).mode & 0o111 ? 0o755 : 0o644;
    files.set(rel, { data: await readFile(path), mode });
  }
  const text = (s: string): { data: Buffer; mode: number } => ({ data: Buffer.from(s, 'utf8'), mode: 0o644 });
  files.set('app.manifest', text(appManifest(o.version)));
  files.set('default/app.conf', text(appConf(o.version)));
  // Native searches are compiled with the packaged config's thresholds (defaults unless given).
  const config = resolveConfig(o.config ?? {}, o.declarations);
  files.set('default/savedsearches.conf', text(savedSearchesConf(o.declarations, config)));
  const macros = files.get('default/macros.conf')?.data.toString('utf8') ?? '';
  const filtered = [...new Set(nativeSearches(o.declarations).map((n) => n.declaration.id))];
  files.set('default/macros.conf', text(`${macros}${generatedMacrosConf(filtered)}\n${listMacros(config)}`));
  files.set('lookups/tierzero_detectors.csv', text(detectorLookup(o.declarations)));
  files.set('static/appIcon.png', { data: appIcon(36), mode: 0o644 });
  files.set('static/appIcon_2x.png', { data: appIcon(72), mode: 0o644 });
  for (const [action, colour] of Object.entries(ALERT_ACTION_ICONS)) files.set(`appserver/static/${action}.png`, { data: appIcon(48, colour), mode: 0o644 });
  const engine = await bundleEngine('splunk');
  files.set('bin/tierzero.cjs', { data: engine.code, mode: 0o755 });
  files.set('THIRD-PARTY-NOTICES.txt', text(thirdPartyNotices(await readBundledPackages(REPO, engine.inputs))));

  const entries: TarEntry[] = [];
  const dirs = new Set<string>([APP_ID]);
  for (const rel of [...files.keys()].sort()) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${APP_ID}/${parts.slice(0, i).join('/')}`);
  }
  for (const d of [...dirs].sort()) entries.push({ path: d, mode: 0o755 });
  for (const rel of [...files.keys()].sort()) {
    const f = files.get(rel);
    if (f) entries.push({ path: `${APP_ID}/${rel}`, data: f.data, mode: f.mode });
  }
  const archive = tarGz(entries, o.mtime);
  await mkdir(o.outDir, { recursive: true });
  const path = join(o.outDir, `${APP_ID}-${o.version}.tgz`);
  await writeFile(path, archive);
  return { path, bytes: archive.length, files: files.size };
}

/** The list settings' macros (honeytokens, sync accounts), defaulting to the packaged config's values. */
function listMacros(config: ReturnType<typeof resolveConfig>): string {
  return Object.entries(settingMacros(listSettings(config)))
    .map(([name, m]) => stanza(name, { args: m.args, definition: m.definition, description: 'A tierzero list setting, for the native searches: edit in local/macros.conf' }))
    .join('\n');
}

function detectorLookup(declarations: readonly DetectorDeclaration[]): string {
  const csv = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = declarations.map((d) => [d.id, d.title, d.severity, d.mitre.tactics.join('|'), d.mitre.techniques.join('|'), d.requires.map((r) => r.auditPolicy).join('; ')].map(csv).join(','));
  return `detector,title,severity,tactics,techniques,audit_policy\n${rows.join('\n')}\n`;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    // Editor and OS droppings must never reach the package (AppInspect: no dot-files).
    if (e.name.startsWith('.') || e.name === '__pycache__') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}
