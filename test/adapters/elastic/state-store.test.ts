import { strict as assert } from 'node:assert';
import { Client } from '@elastic/elasticsearch';
import type { CallContext } from '../../../adapters/elastic/client';
import { resolveElasticSettings } from '../../../adapters/elastic/config';
import { ElasticStateStore } from '../../../adapters/elastic/state-store';
import { ensureTemplates } from '../../../adapters/elastic/templates';
import { retryPolicy } from '../../../adapters/http/retry';
import { emptyState, StateConflictError, type EngineState } from '../../../core/state/state';
import { useElasticsearch, type EsNode } from '../../support/elasticsearch';
import { FaultProxy } from '../../support/fault-proxy';
import { namespace } from './es-events';

/** The state document in `tierzero-state` under if_seq_no / if_primary_term, on the real node. */
describe('elastic state store: one document, compare-and-set on the real node', function () {
  this.timeout(120_000);
  let es: EsNode;
  let client: Client;
  const ctx: CallContext = { policy: retryPolicy(4, { sleep: async () => undefined }) };
  let n = 0;

  before(async function () {
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
  });
  after(async () => client?.close());

  async function stores(count: number, c: Client = client): Promise<ElasticStateStore[]> {
    const s = resolveElasticSettings({ url: es.url, namespace: namespace(), state: { index: `tierzero-state-${namespace()}`, deploymentId: `dep-${++n}` } }, '/');
    await ensureTemplates(client, s, ctx);
    return Array.from({ length: count }, () => new ElasticStateStore({ client: c, index: s.state.index, deploymentId: s.state.deploymentId, ctx, clock: () => Date.parse('2026-03-01T00:00:00Z') }));
  }
  const withCheckpoint = (cp: string): EngineState => ({ ...emptyState(), checkpoint: cp });

  it('loads nothing before the first save, then what was saved, with a token for the next save', async () => {
    const [store] = await stores(1) as [ElasticStateStore];
    assert.equal(await store.load(), undefined);
    const t1 = await store.save(withCheckpoint('a'), null);
    const loaded = await store.load();
    assert.equal(loaded?.state.checkpoint, 'a');
    assert.equal(loaded?.token, t1);
    const t2 = await store.save(withCheckpoint('b'), t1);
    assert.notEqual(t2, t1);
    assert.equal((await store.load())?.state.checkpoint, 'b');
  });

  it('lets exactly one of two first passes commit (op_type create)', async () => {
    const [a, b] = await stores(2) as [ElasticStateStore, ElasticStateStore];
    const results = await Promise.allSettled([a.save(withCheckpoint('a'), null), b.save(withCheckpoint('b'), null)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(lost.reason instanceof StateConflictError, String(lost.reason));
    const winner = results.findIndex((r) => r.status === 'fulfilled') === 0 ? 'a' : 'b';
    assert.equal((await a.load())?.state.checkpoint, winner);
  });

  it('lets exactly one of two overlapping passes that loaded the same state commit (if_seq_no / if_primary_term)', async () => {
    const [a, b] = await stores(2) as [ElasticStateStore, ElasticStateStore];
    await a.save(withCheckpoint('start'), null);
    const [la, lb] = [await a.load(), await b.load()];
    assert.equal(la?.token, lb?.token);
    const results = await Promise.allSettled([a.save(withCheckpoint('a'), la?.token ?? null), b.save(withCheckpoint('b'), lb?.token ?? null)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.match(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason), /StateConflictError: another pass committed state at Elasticsearch index tierzero-state-.*first \(the stored state is no longer/);
    const stored = (await a.load())?.state.checkpoint;
    assert.equal(stored, results[0]?.status === 'fulfilled' ? 'a' : 'b');
  });

  it('refuses a stale token after a later commit, leaving the newer state', async () => {
    const [store] = await stores(1) as [ElasticStateStore];
    const t1 = await store.save(withCheckpoint('1'), null);
    await store.save(withCheckpoint('2'), t1);
    await assert.rejects(store.save(withCheckpoint('stale'), t1), StateConflictError);
    assert.equal((await store.load())?.state.checkpoint, '2');
  });

  it('keeps a large state gzip\'d in one document, and reads it back unchanged', async () => {
    const [store] = await stores(1) as [ElasticStateStore];
    const big = { ...emptyState(), checkpoint: 'x'.repeat(2_000_000) };
    await store.save(big, null);
    assert.ok(store.stats.savedBytes < 100_000, `${store.stats.savedBytes} bytes`);
    assert.equal((await store.load())?.state.checkpoint, big.checkpoint);
  });

  it('commits when the node applied the write but its answer was lost (a 503 after the write): the retry finds its own version', async () => {
    const proxy = await FaultProxy.start(es.url);
    const c = new Client({ node: proxy.url, maxRetries: 0 });
    try {
      const [store, reader] = await stores(2, c) as [ElasticStateStore, ElasticStateStore];
      const t0 = await store.save(withCheckpoint('first'), null);
      proxy.inject({ match: (r) => r.method === 'PUT' && r.path.includes('/_doc/'), times: 1, rewrite: () => ({ status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'timed out' }, status: 503 } }) });
      const t1 = await store.save(withCheckpoint('second'), t0);
      assert.equal(proxy.pending(), 0);
      const loaded = await reader.load();
      assert.equal(loaded?.state.checkpoint, 'second');
      assert.equal(loaded?.token, t1);
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  it('still refuses after a retried try when another pass\'s write is what the retry found', async () => {
    const proxy = await FaultProxy.start(es.url);
    const c = new Client({ node: proxy.url, maxRetries: 0 });
    try {
      const [mine, other] = await stores(2, c) as [ElasticStateStore, ElasticStateStore];
      const t0 = await mine.save(withCheckpoint('start'), null);
      await other.save(withCheckpoint('other'), t0);
      proxy.inject({ match: (r) => r.method === 'PUT' && r.path.includes('/_doc/'), times: 1, respond: { status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'timed out' }, status: 503 } } });
      await assert.rejects(mine.save(withCheckpoint('mine'), t0), StateConflictError);
      assert.equal((await mine.load())?.state.checkpoint, 'other');
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  it('retries a 503 on the conditional write and commits once', async () => {
    const proxy = await FaultProxy.start(es.url);
    const c = new Client({ node: proxy.url, maxRetries: 0 });
    try {
      const [store] = await stores(1, c) as [ElasticStateStore];
      proxy.inject({ match: (r) => r.method === 'PUT' && r.path.includes('/_doc/'), times: 1, respond: { status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' }, status: 503 } } });
      const t = await store.save(withCheckpoint('after-503'), null);
      assert.equal(proxy.pending(), 0);
      assert.equal((await store.load())?.token, t);
    } finally {
      await c.close();
      await proxy.close();
    }
  });
});
