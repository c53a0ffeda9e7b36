import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveConfig } from '../../core/config/config';
import type { Packager, PackageOptions } from '../platform';
import { analyticRules } from './solution/analytic-rules';
import { functionPackageEntries } from './solution/function-app';
import { createUiDefinition, mainTemplate } from './solution/main-template';
import { PLAYBOOKS, playbookName } from './solution/playbook-definitions';
import { playbookTemplate } from './solution/playbooks';
import { ruleYaml } from './solution/rule-yaml';
import { workbookContent } from './solution/workbook';
import { zip } from './solution/zip';

/**
 * `tierzero package sentinel`: the solution folder laid out as Content Hub solutions are in
 * Azure/Azure-Sentinel (`Solutions/<Name>/`: `Data/Solution_<Name>.json`, `Analytic Rules/`,
 * `Playbooks/<playbook>/azuredeploy.json`, `Workbooks/`, and `Package/` with mainTemplate.json,
 * createUiDefinition.json and `<version>.zip` of the two, as the V3 packaging tool writes it),
 * plus `Functions/tierzero-functions.zip`, the run-from-package zip of the scheduled engine.
 * The same declarations, version and mtime give the same bytes.
 */
export const SOLUTION_NAME = 'Tierzero';
const WORKBOOK_FILE = 'Workbooks/Tierzero.json';

export const buildSentinelPackage: Packager = async (o: PackageOptions) => {
  if (!/^\d+\.\d+\.\d+$/.test(o.version)) throw new Error(`solution version must be major.minor.patch, not ${o.version}`);
  // Native rules are compiled with the packaged config's thresholds (the defaults).
  const config = resolveConfig({}, o.declarations);
  const files = new Map<string, Buffer>();
  const json = (v: unknown): Buffer => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');
  const template = json(mainTemplate(o.declarations, config));
  const ui = json(createUiDefinition());
  files.set('Package/mainTemplate.json', template);
  files.set('Package/createUiDefinition.json', ui);
  files.set(`Package/${o.version}.zip`, zip([{ path: 'createUiDefinition.json', data: ui }, { path: 'mainTemplate.json', data: template }], o.mtime));
  const rules = analyticRules(o.declarations, config);
  for (const r of rules) files.set(`Analytic Rules/${r.file}.yaml`, Buffer.from(ruleYaml(r, o.version), 'utf8'));
  for (const p of PLAYBOOKS) files.set(`Playbooks/${playbookName(p)}/azuredeploy.json`, json(playbookTemplate(p)));
  files.set(WORKBOOK_FILE, json(workbookContent()));
  files.set('Functions/tierzero-functions.zip', zip(await functionPackageEntries(), o.mtime));
  files.set(`Data/Solution_${SOLUTION_NAME}.json`, json({
    Name: SOLUTION_NAME,
    Author: 'tierzero',
    Description: 'Identity threat detection for Active Directory and Entra ID: the tierzero engine on a schedule, incidents with mapped entities from its alerts, response playbooks that keep synced users changed in AD, and a priority workbook.',
    'Analytic Rules': rules.map((r) => `Analytic Rules/${r.file}.yaml`),
    Playbooks: PLAYBOOKS.map((p) => `Playbooks/${playbookName(p)}/azuredeploy.json`),
    Workbooks: [WORKBOOK_FILE],
    BasePath: `Solutions/${SOLUTION_NAME}`,
    Version: o.version,
    Metadata: 'SolutionMetadata.json',
    TemplateSpec: true,
    Is1PConnector: false,
  }));
  // The deployment guide travels with the solution.
  files.set('README.md', await readFile(join(__dirname, 'README.md')));
  files.set('SolutionMetadata.json', json({
    publisherId: 'tierzero', offerId: 'tierzero-sentinel', firstPublishDate: '2026-01-01', lastPublishDate: new Date(o.mtime * 1000).toISOString().slice(0, 10),
    providers: ['tierzero'], categories: { domains: ['Security - Threat Protection', 'Identity'] },
    support: { name: 'tierzero', tier: 'Community' },
  }));
  const root = join(o.outDir, `tierzero-sentinel-${o.version}`);
  // A rebuild replaces the folder whole: no file of an older build lingers in it.
  await rm(root, { recursive: true, force: true });
  let bytes = 0;
  for (const [rel, data] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const path = join(root, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    bytes += data.length;
  }
  return { path: root, bytes, files: files.size };
};
