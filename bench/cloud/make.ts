import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createCloudWorkload } from './workload';

/**
 * Writes a synthetic Entra tenant's logs for `tierzero detect` and `tierzero users`:
 *   node --require tsx/cjs bench/cloud/make.ts [--seed s] [--days 14] [--users 300] [--out bench/out/cloud]
 * → entra-logs.jsonl.gz (SigninLogs + AuditLogs rows), users.json (Graph users export),
 *   tierzero.json (corporate networks, the export as identities), labels.json.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: 'tierzero-cloud-1' },
    days: { type: 'string', default: '14' },
    users: { type: 'string', default: '300' },
    start: { type: 'string', default: '2024-03-04T00:00:00.000Z' },
    out: { type: 'string', default: join('bench', 'out', 'cloud') },
  },
});
const w = createCloudWorkload({ seed: values.seed, start: values.start, days: Number(values.days), users: Number(values.users) });
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'entra-logs.jsonl.gz'), gzipSync(w.records.map((r) => JSON.stringify(r)).join('\n') + '\n'));
writeFileSync(join(values.out, 'users.json'), JSON.stringify(w.directoryExport, null, 1));
writeFileSync(join(values.out, 'tierzero.json'), JSON.stringify({ ...w.config, identities: { directoryExport: 'users.json' } }, null, 2));
writeFileSync(join(values.out, 'labels.json'), JSON.stringify({ seed: values.seed, attacks: w.labels, benign: w.benign }, null, 2));
process.stdout.write(`${w.records.length} records for ${w.users.length} users over ${values.days} days, ${w.labels.length} labelled attacks → ${values.out}\n`);
