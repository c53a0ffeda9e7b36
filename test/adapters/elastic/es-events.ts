/**
 * Filling the real test node with Windows and Entra events as Elastic's shippers would index
 * them (to-ecs.ts), for the source, parity and DSL tests and the bench.
 *
 * Each test gets its own namespace (`tz<n>…`), so index patterns name only its documents and
 * tests sharing the node never see each other's events. Agent-layout documents go to
 * `logs-<dataset>-<namespace>`; with `dataStream` they are real data streams (bulk `create`),
 * otherwise plain indexes of the same names, which a test can delete afterwards (this node
 * has no `_data_stream` REST API to delete a data stream with).
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { eventMappings } from '../../../adapters/elastic/dsl';
import type { EcsLayout } from '../../../adapters/elastic/field-map';
import type { ElasticSearchSettings } from '../../../adapters/elastic/pull-query';
import { indexFor, toEcs } from './to-ecs';

let counter = 0;

export function namespace(): string {
  counter++;
  return `tz${process.pid.toString(36)}${counter}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The index a record lands in under a namespace: to-ecs's dataset, this test's namespace. */
export function indexIn(record: Record<string, unknown>, layout: EcsLayout, ns: string): string {
  const base = indexFor(record, layout);
  return layout === 'winlogbeat' && record['EventID'] !== undefined ? `winlogbeat-${ns}` : base.replace(/-default$/, `-${ns}`);
}

/** Settings whose index patterns are this namespace's (the shipped defaults, with `-<ns>` for `-*`). */
export function nsSettings(ns: string, overrides: Partial<ElasticSearchSettings> = {}): ElasticSearchSettings {
  return {
    windowsIndexes: ['logs-system.security', 'logs-system.system', 'logs-windows.forwarded', 'logs-windows.sysmon_operational', 'winlogbeat'].map((p) => `${p}-${ns}`),
    entraIndexes: ['logs-azure.signinlogs', 'logs-azure.auditlogs'].map((p) => `${p}-${ns}`),
    lists: { honeytokens: [], directorySyncAccounts: [] },
    settleSeconds: 30,
    pageSize: 500,
    ...overrides,
  };
}

const TEMPLATE = 'tierzero-test-events';
const STREAM_TEMPLATE = 'tierzero-test-event-streams';
let installed: Promise<void> | undefined;

/** Index templates with the integrations' mappings (dsl.ts eventMappings): once per node. */
export function installTemplates(client: Client): Promise<void> {
  installed ??= (async () => {
    const mappings = eventMappings();
    await client.indices.putIndexTemplate({
      name: TEMPLATE, index_patterns: ['logs-system.*-tz*', 'logs-windows.*-tz*', 'logs-azure.*-tz*', 'winlogbeat-tz*'], priority: 400,
      template: { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' }, mappings },
    });
    await client.indices.putIndexTemplate({
      name: STREAM_TEMPLATE, index_patterns: ['logs-system.*-ds*', 'logs-windows.*-ds*'], priority: 401, data_stream: {},
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings },
    });
  })();
  return installed;
}

export interface Indexed {
  readonly count: number;
  readonly indexes: readonly string[];
}

/**
 * Bulk-creates the documents (one refresh at the end). `ingested(i)` stamps each document's
 * `event.ingested`; by default one instant for all, as a single bulk request of a shipper gets.
 */
export async function indexRecords(client: Client, records: readonly Record<string, unknown>[], layout: EcsLayout, ns: string, ingested: (i: number) => string = () => '2026-01-01T00:00:00.000Z'): Promise<Indexed> {
  await installTemplates(client);
  const indexes = new Set<string>();
  const chunk = 4000;
  for (let start = 0; start < records.length; start += chunk) {
    const ops: unknown[] = [];
    records.slice(start, start + chunk).forEach((r, j) => {
      const index = indexIn(r, layout, ns);
      indexes.add(index);
      ops.push({ create: { _index: index } }, toEcs(r, layout, ingested(start + j)));
    });
    const res = await client.bulk({ operations: ops, refresh: false });
    if (res.errors) {
      const bad = res.items.find((it) => Object.values(it)[0]?.error);
      throw new Error(`bulk indexing failed: ${JSON.stringify(bad).slice(0, 500)}`);
    }
  }
  if (indexes.size) await client.indices.refresh({ index: [...indexes] });
  return { count: records.length, indexes: [...indexes] };
}

/** Raw documents as they are (the DSL tests index hand-made ones). */
export async function indexDocs(client: Client, docs: readonly { index: string; doc: Record<string, unknown>; id?: string }[]): Promise<void> {
  await installTemplates(client);
  const ops: unknown[] = [];
  for (const d of docs) ops.push({ create: { _index: d.index, ...(d.id ? { _id: d.id } : {}) } }, d.doc);
  const res = await client.bulk({ operations: ops });
  if (res.errors) throw new Error(`bulk indexing failed: ${JSON.stringify(res.items.find((it) => Object.values(it)[0]?.error)).slice(0, 500)}`);
  await client.indices.refresh({ index: [...new Set(docs.map((d) => d.index))] });
}

export async function dropNamespace(client: Client, ns: string): Promise<void> {
  await client.indices.delete({ index: `*-${ns}`, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: ['open', 'closed'] } as estypes.IndicesDeleteRequest, { ignore: [404] });
}
