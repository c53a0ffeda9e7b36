import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { INCIDENT_RULE_QUERY } from '../../../adapters/sentinel/solution/analytic-rules';
import { LogsIngestionEmulator, solutionDcr } from '../../emulators/azure/logs-ingestion';
import { loopbackTls } from '../../emulators/azure/tls';
import { AZURITE_KEY, type AzuriteBlob } from '../../support/azurite';
import { azure, CLIENT_ID, CLIENT_SECRET, TENANT, WORKSPACE, type Azure } from './harness';
import { securityEventRow, securityShapeTable, windowsEventRow, type Canonical } from './to-rows';

/**
 * What the `tierzero run` / `doctor` / `package` CLI tests on Sentinel share: the token endpoint,
 * the Log Analytics workspace and the Logs Ingestion endpoint on loopback TLS (trusted by the
 * child process through `sentinel.caFile`), Azurite for the state blob, and the config file a
 * Function app would hold. Secrets reach the child only through the environment.
 */
export const DCR = `dcr-${'5e1f0000abcd4ef0'.repeat(2)}`;
export const ALERTS_STREAM = 'Custom-TierzeroAlerts_CL';
export const SCORES_STREAM = 'Custom-TierzeroScores_CL';
export const ENV = { TZ_TEST_AZURE_SECRET: CLIENT_SECRET, TZ_TEST_AZURITE_KEY: AZURITE_KEY };
const DATASETS = join(__dirname, '..', '..', '..', '..', 'shared', 'datasets');

export interface Estate {
  readonly az: Azure;
  readonly ingest: LogsIngestionEmulator;
  readonly dir: string;
  readonly container: string;
  stop(): Promise<void>;
}

export async function estate(o: { lifetimeSeconds?: number } = {}): Promise<Estate> {
  const az = await azure(o.lifetimeSeconds ? { lifetimeSeconds: o.lifetimeSeconds } : {});
  const ingest = await new LogsIngestionEmulator({ token: az.token, dcr: solutionDcr(DCR), workspace: az.la, publishers: [CLIENT_ID] }).start();
  const dir = await mkdtemp(join(tmpdir(), 'tz-sentinel-'));
  await writeFile(join(dir, 'emulator-ca.pem'), loopbackTls().cert);
  return { az, ingest, dir, container: `tz-${randomUUID().slice(0, 8)}`, stop: async () => { await ingest.stop(); await az.stop(); } };
}

/** The `sentinel` section pointing at the emulators and Azurite; `over` replaces top-level keys. */
export function section(e: Estate, blob: AzuriteBlob, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    workspaceId: WORKSPACE,
    queryEndpoint: e.az.la.endpoint,
    authorityHost: e.az.token.authorityHost,
    caFile: 'emulator-ca.pem',
    credential: { kind: 'clientSecret', tenantId: TENANT, clientId: CLIENT_ID, clientSecretEnv: 'TZ_TEST_AZURE_SECRET' },
    ingestion: { endpoint: e.ingest.endpoint, dcrImmutableId: DCR },
    state: { accountUrl: blob.accountUrl, container: e.container, accountKeyEnv: 'TZ_TEST_AZURITE_KEY' },
    // The datasets' events happened years ago; only their ingestion time is recent.
    query: { eventLookbackHours: 24 * 365 * 10 },
    maxAttempts: 4,
    ...over,
  };
}

export async function configFile(e: Estate, sentinel: Record<string, unknown>): Promise<string> {
  const path = join(e.dir, 'tierzero.json');
  await writeFile(path, JSON.stringify({ sentinel }));
  return path;
}

export function readDataset(file: string): Canonical[] {
  const buf = readFileSync(join(DATASETS, file));
  const text = (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Canonical);
}

/**
 * A dataset as the workspace holds it, ingested ten minutes ago by the wall clock (the CLI's
 * clock); `retime` moves the events' own time there too (doctor counts by event time).
 */
export function loadRecent(e: Estate, file: string, o: { retime?: boolean; ingestedAt?: number } = {}): number {
  const start = o.ingestedAt ?? Date.now() - 600_000;
  const events = readDataset(file).map((ev, i) => (o.retime ? { ...ev, TimeCreated: new Date(start - 60_000 + i * 1000).toISOString() } : ev));
  events.forEach((ev, i) => {
    const table = securityShapeTable(ev);
    const itemId = randomUUID();
    e.az.la.ingest(table, [table === 'SecurityEvent' ? securityEventRow(ev, itemId) : windowsEventRow(ev, itemId)], start + i);
  });
  return events.length;
}

/**
 * The alert ids an analyst sees: the readers' dedupe, the incident rule's own first line
 * (solution/analytic-rules.ts INCIDENT_RULE_QUERY), run in the workspace — one per id.
 */
export function dedupedAlertIds(e: Estate): string[] {
  const q = `${INCIDENT_RULE_QUERY.split('\n').slice(0, 2).join('\n')}\n| project AlertId`;
  return e.az.la.run(q).rows.map((r) => String(r[0])).sort();
}

/** Every alert row ingested, duplicates included. */
export function alertRows(e: Estate): string[] {
  return e.ingest.rows(ALERTS_STREAM).map((r) => String(r['AlertId']));
}
