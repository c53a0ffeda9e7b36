/**
 * Every dev dataset (../shared/datasets) indexed into the real node once per mocha run and
 * layout, for the parity and DSL-semantics tests. One namespace per layout; dataset k's
 * documents are ingested in hour k after BASE (one millisecond apart, in the file's time
 * order), so a pull window of that hour reads exactly that dataset — and each parity pass
 * exercises the source's window arithmetic. Documents carry `_id` `<k>-<i>`, so a search hit
 * names its canonical record.
 */
import type { Client } from '@elastic/elasticsearch';
import type { EcsLayout } from '../../../adapters/elastic/field-map';
import { manifest, records, type DatasetEntry } from '../../core/rules/datasets';
import { installTemplates, indexIn, namespace } from './es-events';
import { toEcs } from './to-ecs';

export const BASE = Date.parse('2026-02-01T00:00:00.000Z');
export const HOUR = 3_600_000;

export interface DatasetCorpus {
  readonly ns: string;
  readonly layout: EcsLayout;
  readonly entries: readonly { readonly entry: DatasetEntry; readonly k: number; readonly records: readonly Record<string, unknown>[] }[];
  /** Canonical record by `_id`. */
  readonly byId: ReadonlyMap<string, Record<string, unknown>>;
  readonly count: number;
}

const corpora = new Map<EcsLayout, Promise<DatasetCorpus>>();

export function datasetCorpus(client: Client, layout: EcsLayout): Promise<DatasetCorpus> {
  let c = corpora.get(layout);
  if (!c) {
    c = build(client, layout);
    corpora.set(layout, c);
  }
  return c;
}

async function build(client: Client, layout: EcsLayout): Promise<DatasetCorpus> {
  await installTemplates(client);
  const ns = namespace();
  const entries = manifest().map((entry, k) => ({ entry, k, records: records(entry.file) }));
  const byId = new Map<string, Record<string, unknown>>();
  const indexes = new Set<string>();
  let ops: unknown[] = [];
  const flush = async (): Promise<void> => {
    if (ops.length === 0) return;
    const res = await client.bulk({ operations: ops, refresh: false });
    ops = [];
    if (res.errors) throw new Error(`bulk indexing failed: ${JSON.stringify(res.items.find((it) => Object.values(it)[0]?.error)).slice(0, 500)}`);
  };
  for (const { k, records: rs } of entries) {
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i] as Record<string, unknown>;
      const id = `${k}-${i}`;
      byId.set(id, r);
      const index = indexIn(r, layout, ns);
      indexes.add(index);
      ops.push({ create: { _index: index, _id: id } }, toEcs(r, layout, new Date(BASE + k * HOUR + i).toISOString()));
      if (ops.length >= 8000) await flush();
    }
  }
  await flush();
  await client.indices.refresh({ index: [...indexes] });
  return { ns, layout, entries, byId, count: byId.size };
}
