import { strict as assert } from 'node:assert';
import { Client, type estypes } from '@elastic/elasticsearch';
import { branchQuery, predicateQuery, sourceFilter, type DslOptions, type EsQuery } from '../../../adapters/elastic/dsl';
import { ecsReadPaths, type EcsLayout, type FieldSource } from '../../../adapters/elastic/field-map';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { branchMatches, holds, type RuleParams } from '../../../core/rules/evaluate';
import { pullPlan } from '../../../core/rules/pull-plan';
import type { Branch, Predicate } from '../../../core/rules/tree';
import { datasetsPresent, manifest } from '../../core/rules/datasets';
import { useElasticsearch } from '../../support/elasticsearch';
import { datasetCorpus, type DatasetCorpus } from './dataset-corpus';

/**
 * The query DSL's semantics held to the reference evaluator on the real node: for every
 * branch of every detector's native queries and for every pull-plan condition, the documents
 * the node returns for the compiled query (exact mode) are exactly the canonical records
 * `core/rules/evaluate.ts` accepts — over every dev dataset, in both layouts. The only
 * documents left out of the comparison are those whose value of a field the predicate reads
 * was longer than `ignore_above` (Elasticsearch lists them in `_ignored`): no keyword query
 * can see such a value, which is why the pull's superset mode keeps them.
 */
function fieldsOf(p: Predicate | undefined): string[] {
  if (!p) return [];
  if (p.op === 'not') return fieldsOf(p.of);
  if ('of' in p) return p.of.flatMap(fieldsOf);
  return [p.field];
}

/** Every honeytoken any dataset's context configures, so `in_setting` compiles to something. */
function params(): RuleParams {
  const honeytokens = new Set<string>();
  for (const e of manifest()) for (const h of ((e.context as { honeytokens?: string[] } | undefined)?.honeytokens ?? [])) honeytokens.add(h);
  return { thresholds: {}, settings: { honeytokens: [...honeytokens], directorySyncAccounts: ['Sync_AADC01_5e2f9a0c1b7d@contosocorp.onmicrosoft.com'] } };
}

async function allIds(client: Client, index: string, query: EsQuery): Promise<Set<string>> {
  const pit = await client.openPointInTime({ index, keep_alive: '1m' });
  const out = new Set<string>();
  let after: estypes.SortResults | undefined;
  try {
    for (;;) {
      const r = await client.search({ pit: { id: pit.id, keep_alive: '1m' }, size: 10_000, _source: false, query, sort: [{ _shard_doc: 'asc' }], ...(after ? { search_after: after } : {}), track_total_hits: false });
      for (const h of r.hits.hits) out.add(h._id as string);
      if (r.hits.hits.length < 10_000) break;
      after = r.hits.hits[r.hits.hits.length - 1]?.sort;
    }
  } finally {
    await client.closePointInTime({ id: pit.id });
  }
  return out;
}

/** `_id` → the fields whose values were too long to index. */
async function ignoredFields(client: Client, index: string): Promise<Map<string, string[]>> {
  const r = await client.search({ index, size: 10_000, _source: false, query: { exists: { field: '_ignored' } }, fields: ['_ignored'] });
  const out = new Map<string, string[]>();
  for (const h of r.hits.hits) out.set(h._id as string, (h as { _ignored?: string[] })._ignored ?? []);
  return out;
}

interface Case {
  readonly name: string;
  readonly query: (o: DslOptions) => EsQuery;
  readonly accepts: (r: Record<string, unknown>, p: RuleParams) => boolean;
  readonly fields: readonly string[];
  readonly source: FieldSource;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const d of DECLARATIONS) {
    if (d.native.kind === 'none') continue;
    for (const q of d.native.queries) {
      q.match.forEach((b: Branch, i) => {
        const source: FieldSource = b.source.kind === 'windows' ? { kind: 'windows', channel: b.source.channel } : { kind: 'cloud', table: b.source.table };
        out.push({ name: `${d.id}/${q.name} branch ${i}`, query: (o) => branchQuery(b, o), accepts: (r, p) => branchMatches(b, r, p), fields: fieldsOf(b.where), source });
      });
    }
  }
  pullPlan(DETECTOR_MODULES).sources.forEach((s, i) => {
    if (!s.where) return;
    const where = s.where;
    const source: FieldSource = s.source.kind === 'windows' ? { kind: 'windows', channel: s.source.channel } : { kind: 'cloud', table: s.source.table };
    const branch: Branch = { source: s.source, where };
    out.push({ name: `pull plan source ${i} (${s.source.kind === 'windows' ? s.source.channel : s.source.table}) where`, query: (o) => branchQuery(branch, o), accepts: (r, p) => branchMatches(branch, r, p), fields: fieldsOf(where), source });
    // The bare predicate too, over the source's events, through predicateQuery.
    out.push({
      name: `pull plan source ${i} predicateQuery`,
      query: (o) => ({ bool: { filter: [sourceFilter(s.source), predicateQuery(where, s.source.kind === 'windows' ? { kind: 'windows', channel: s.source.channel, eventId: s.source.eventIds[0] as number } : source, o)] } }),
      accepts: (r, p) => branchMatches({ source: s.source }, r, p) && holds(where, r, p),
      fields: fieldsOf(where),
      source,
    });
  });
  return out;
}

describe('elastic query DSL: the node returns what the reference evaluator accepts', function () {
  this.timeout(600_000);
  if (!datasetsPresent()) {
    it('needs ../shared/datasets', function () {
      if (process.env['CI'] === 'true') throw new Error('../shared/datasets is missing');
      this.skip();
    });
    return;
  }
  let client: Client;
  const corpus: Partial<Record<EcsLayout, DatasetCorpus>> = {};
  const ignored: Partial<Record<EcsLayout, Map<string, string[]>>> = {};
  const p = params();
  before(async function () {
    const es = await useElasticsearch(this);
    this.timeout(900_000);
    client = new Client({ node: es.url, requestTimeout: 120_000 });
    for (const layout of ['agent', 'winlogbeat'] as const) {
      corpus[layout] = await datasetCorpus(client, layout);
      ignored[layout] = await ignoredFields(client, `*-${(corpus[layout] as DatasetCorpus).ns}`);
    }
  });
  after(async () => client?.close());

  const all = cases();
  it('has cases for every detector with a native form and for the plan\'s conditions', () => {
    assert.ok(all.length >= 30, `${all.length} cases`);
    assert.ok(all.some((c) => c.name.startsWith('pull plan')));
  });

  let matchedSomewhere = 0;
  for (const layout of ['agent', 'winlogbeat'] as const) {
    for (const c of all) {
      it(`${c.name} (${layout})`, async () => {
        const cor = corpus[layout] as DatasetCorpus;
        const o: DslOptions = { settings: p.settings, mode: 'exact', layout: undefined };
        const got = await allIds(client, `*-${cor.ns}`, c.query(o));
        const paths = new Set(c.fields.flatMap((f) => {
          try {
            return ecsReadPaths(f, c.source);
          } catch {
            return [];
          }
        }));
        const unknowable = (id: string): boolean => (ignored[layout]?.get(id) ?? []).some((f) => paths.has(f));
        const want = new Set<string>();
        for (const [id, r] of cor.byId) if (c.accepts(r, p)) want.add(id);
        const missing = [...want].filter((id) => !got.has(id) && !unknowable(id));
        const extra = [...got].filter((id) => !want.has(id) && !unknowable(id));
        const show = (ids: string[]): string => ids.slice(0, 3).map((id) => `${id} ${JSON.stringify(cor.byId.get(id)).slice(0, 400)}`).join('\n');
        assert.deepEqual(missing, [], `the node missed ${missing.length} of ${want.size}:\n${show(missing)}`);
        assert.deepEqual(extra, [], `the node returned ${extra.length} the evaluator rejects:\n${show(extra)}`);
        if (want.size > 0) matchedSomewhere++;
      });
    }
  }
  it('compared real matches, not just empty sets', () => {
    assert.ok(matchedSomewhere >= all.length / 2, `only ${matchedSomewhere} of ${all.length * 2} cases matched anything`);
  });
});
