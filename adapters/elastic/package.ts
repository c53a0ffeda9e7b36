import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from '../../core/config/config';
import { ruleParams } from '../../core/rules/params';
import type { PackageOptions, Packager } from '../platform';
import { actionBodies, responderConnector } from './connector';
import { dashboardNdjson } from './dashboard';
import type { KibanaRule } from './kibana-rule';
import { nativeRules } from './native-rules';
import { promotionRule } from './promotion-rule';
import { ruleVersion } from './rule-ids';
import { kibanaRuleProblems } from './rule-schema';

/**
 * `tierzero package elastic`: the detection-rule pack as a directory `tierzero-elastic-<version>/`
 * of files each install call takes as they are (README.md):
 * - `rules.ndjson` — `POST /api/detection_engine/rules/_import`: the promotion rule first, then
 *   one native rule per query of each declaration's native form; every rule is checked
 *   against the schema (kibana-rule.schema.json) here, so a pack that Kibana would refuse is
 *   never written;
 * - `dashboard.ndjson` — `POST /api/saved_objects/_import`: the data views and dashboards;
 * - `connector/tierzero-responder.json` — `POST /api/actions/connector`, with placeholders for
 *   the responder URL and token; `connector/action-bodies.json` — the webhook action body per
 *   responder action;
 * - `README.md` — the rules and the install calls.
 * Files are written in a fixed order with the given mtime, so the same inputs give the same
 * bytes and times (SOURCE_DATE_EPOCH). A directory, not an archive: `curl --form file=@…`
 * takes each file directly.
 */
export interface ElasticPackageOptions extends PackageOptions {
  /** tierzero config whose thresholds, lists and `elastic` section the pack is built with. */
  readonly config?: unknown;
}

export class InvalidRulePackError extends Error {
  override name = 'InvalidRulePackError';
}

export const buildElasticPackage: Packager = async (o: ElasticPackageOptions) => {
  const version = ruleVersion(o.version);
  const raw = (o.config ?? {}) as Record<string, unknown>;
  // The `elastic` section is this adapter's (the registry checks it); the core resolves the rest.
  const { elastic: _section, ...core } = raw;
  const config = resolveConfig(core, o.declarations);
  const rules: KibanaRule[] = [promotionRule(version), ...nativeRules(o.declarations, (d) => ruleParams(config, d.id), version)];
  const problems = rules.flatMap((r) => kibanaRuleProblems(r).map((p) => `${r.name}: ${p}`));
  if (problems.length) throw new InvalidRulePackError(`the rule pack fails Kibana's rule schema:\n${problems.join('\n')}`);
  const files: [string, string][] = [
    ['README.md', packageReadme(o.version, rules)],
    ['connector/action-bodies.json', `${JSON.stringify(actionBodies(), null, 2)}\n`],
    ['connector/tierzero-responder.json', `${JSON.stringify(responderConnector(), null, 2)}\n`],
    ['dashboard.ndjson', dashboardNdjson({ riskIndexPattern: riskIndexPattern(raw) })],
    ['rules.ndjson', `${rules.map((r) => JSON.stringify(r)).join('\n')}\n`],
  ];
  const dir = join(o.outDir, `tierzero-elastic-${o.version}`);
  await rm(dir, { recursive: true, force: true });
  let bytes = 0;
  for (const [rel, text] of files) {
    const path = join(dir, rel);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text, 'utf8');
    await utimes(path, o.mtime, o.mtime);
    bytes += Buffer.byteLength(text);
  }
  for (const d of [join(dir, 'connector'), dir]) await utimes(d, o.mtime, o.mtime);
  return { path: dir, bytes, files: files.length };
};

/**
 * The data view over the risk index: the configured index as is when it names one namespace's
 * index (`elastic.riskIndex`), the default's namespace wildcard otherwise
 * (adapters/elastic/config.ts: `tierzero-risk-score-latest-<namespace>`).
 */
function riskIndexPattern(raw: Record<string, unknown>): string {
  const section = raw['elastic'];
  const configured = section !== null && typeof section === 'object' ? (section as { riskIndex?: unknown }).riskIndex : undefined;
  if (configured === undefined) return 'tierzero-risk-score-latest-*';
  // The same rule config.ts applies to elastic.riskIndex: an index name Elasticsearch accepts.
  if (typeof configured !== 'string' || !/^[a-z0-9_][a-z0-9_.+-]*$/.test(configured)) throw new InvalidRulePackError(`elastic.riskIndex ${JSON.stringify(configured)} is not an index name`);
  return configured;
}

function packageReadme(version: string, rules: readonly KibanaRule[]): string {
  const row = (r: KibanaRule): string => `| ${r.name.replace(/\|/g, '\\|')} | ${r.type} | ${r.severity} | ${r.interval} / ${r.from} | \`${r.rule_id}\` |`;
  return [
    `# tierzero for Elastic Security ${version}`,
    '',
    'Import the files in this order (see adapters/elastic/README.md for privileges and details). Every call needs the `kbn-xsrf` header and a Kibana API key with the rights the README lists.',
    '',
    '```sh',
    'KIBANA=https://kibana.example.com:5601',
    'AUTH="Authorization: ApiKey $KIBANA_API_KEY"',
    '# 1. The rules: the promotion rule and the native rules, all disabled.',
    'curl -sS -X POST "$KIBANA/api/detection_engine/rules/_import?overwrite=true" -H "$AUTH" -H "kbn-xsrf: true" --form file=@rules.ndjson',
    '# 2. The dashboards and their data views.',
    'curl -sS -X POST "$KIBANA/api/saved_objects/_import?overwrite=true" -H "$AUTH" -H "kbn-xsrf: true" --form file=@dashboard.ndjson',
    '# 3. The responder connector (fills in the URL and token from your environment).',
    'envsubst \'${TIERZERO_RESPONDER_URL} ${TIERZERO_RESPONDER_TOKEN}\' < connector/tierzero-responder.json \\',
    '  | curl -sS -X POST "$KIBANA/api/actions/connector" -H "$AUTH" -H "kbn-xsrf: true" -H "Content-Type: application/json" --data-binary @-',
    '```',
    '',
    'Check each answer: `_import` reports `success_count` and `errors`; the pack has',
    `${rules.length} rules, so a complete import answers \`"success_count": ${rules.length}\`.`,
    '',
    '| Rule | Type | Severity | Schedule / look-back | rule_id |',
    '|---|---|---|---|---|',
    ...rules.map(row),
    '',
  ].join('\n');
}
