import { strict as assert } from 'node:assert';
import { Client } from '@elastic/elasticsearch';
import type { CallContext } from '../../../adapters/elastic/client';
import { resolveElasticSettings, type ElasticSettings } from '../../../adapters/elastic/config';
import { ElasticSink } from '../../../adapters/elastic/sink';
import { SinkRejectedError } from '../../../adapters/elastic/sink-errors';
import { ensureTemplates } from '../../../adapters/elastic/templates';
import { retryPolicy } from '../../../adapters/http/retry';
import type { Alert } from '../../../core/alerts/alert';
import type { ScoreUpdate } from '../../../core/scoring/score-update';
import { useElasticsearch, type EsNode } from '../../support/elasticsearch';
import { FaultProxy, type ProxiedRequest } from '../../support/fault-proxy';
import { namespace } from './es-events';
import { samplePass } from './sample-pass';

/**
 * The bulk sink against the real node: `create` by alert id into the alert data stream, the
 * bulk outcomes of issue 10 (409 = already written, per-item 429 retried, any other refusal
 * fails), and scores into the entity-risk index. Faults come from the loopback proxy in front
 * of the node, so everything else the sink sees is Elasticsearch's own answer.
 */
const CLOCK = Date.parse('2026-03-01T12:00:00.000Z');

const isBulk = (r: ProxiedRequest): boolean => r.method === 'POST' && r.path.startsWith('/_bulk');
const isIdsSearch = (r: ProxiedRequest): boolean => r.path.includes('/_search') && r.body.includes('"ids"');
/** The `_id`s of the bulk request's action lines, in order. */
const bulkIds = (r: ProxiedRequest): string[] => r.body.trim().split('\n').filter((_, i) => i % 2 === 0)
  .map((l) => Object.values(JSON.parse(l) as Record<string, { _id: string }>)[0]?._id ?? '');

describe('elastic sink: bulk create by alert id against the real node', function () {
  this.timeout(120_000);
  let es: EsNode;
  let client: Client;
  let proxy: FaultProxy;
  let proxied: Client;
  let alerts: readonly Alert[];
  let scores: readonly ScoreUpdate[];
  const ctx: CallContext = { policy: retryPolicy(5, { sleep: async () => undefined, random: () => 0.5 }) };

  before(async function () {
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
    proxy = await FaultProxy.start(es.url);
    proxied = new Client({ node: proxy.url, maxRetries: 0 });
    ({ alerts, scores } = await samplePass());
  });
  afterEach(() => proxy.clear());
  after(async () => {
    await proxied?.close();
    await client?.close();
    await proxy?.close();
  });

  /** A namespace of its own, its templates installed as the first pass would. */
  async function fresh(): Promise<ElasticSettings> {
    const s = resolveElasticSettings({ url: es.url, namespace: namespace(), state: { index: `tierzero-state-${namespace()}` }, bulk: { maxDocs: 10 } }, '/');
    await ensureTemplates(client, s, ctx);
    return s;
  }
  const sink = (s: ElasticSettings, c: Client = proxied): ElasticSink => new ElasticSink({
    client: c, ctx, alertDataStream: s.alertDataStream, namespace: s.namespace, riskIndex: s.riskIndex, maxDocs: s.bulk.maxDocs, maxBytes: s.bulk.maxBytes, clock: () => CLOCK,
  });
  async function storedIds(index: string): Promise<string[]> {
    await client.indices.refresh({ index });
    const res = await client.search({ index, size: 1000, _source: false, query: { match_all: {} } });
    return res.hits.hits.map((h) => h._id ?? '').sort();
  }

  it('creates one document per alert in logs-tierzero.alert-<namespace>, its _id the alert id, and a risk document per score', async () => {
    const s = await fresh();
    const k = sink(s);
    await k.write(alerts, scores);
    assert.ok(alerts.length >= 20, `${alerts.length} alerts`);
    assert.deepEqual(await storedIds(s.alertDataStream), alerts.map((a) => a.id).sort());
    assert.equal(k.stats.created, alerts.length);
    assert.ok(k.stats.bulkRequests >= Math.ceil(alerts.length / 10), 'batches of maxDocs');
    const risk = scores.filter((u) => u.kind === 'score');
    assert.deepEqual(await storedIds(s.riskIndex), risk.map((u) => u.key).sort());
    const doc = await client.search<{ event: { kind: string; id: string }; data_stream: { dataset: string } }>({ index: s.alertDataStream, query: { ids: { values: [alerts[0]?.id ?? ''] } } });
    assert.equal(doc.hits.hits[0]?._source?.event.kind, 'alert');
    assert.equal(doc.hits.hits[0]?._source?.event.id, alerts[0]?.id);
    assert.equal(doc.hits.hits[0]?._source?.data_stream.dataset, 'tierzero.alert');
  });

  it('skips alerts already in the data stream, writing nothing twice', async () => {
    const s = await fresh();
    await sink(s).write(alerts, []);
    await client.indices.refresh({ index: s.alertDataStream });
    const again = sink(s);
    await again.write(alerts, []);
    assert.equal(again.stats.alreadyPresent, alerts.length);
    assert.equal(again.stats.created, 0);
    assert.deepEqual(await storedIds(s.alertDataStream), alerts.map((a) => a.id).sort());
  });

  it('counts a 409 on create as already written (the id search missed an unrefreshed document)', async () => {
    const s = await fresh();
    await sink(s).write(alerts, []);
    // Not yet refreshed, as right after a crashed pass: the ids search is told it found nothing.
    proxy.inject({ match: isIdsSearch, times: 10, rewrite: () => ({ status: 200, body: { took: 0, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { hits: [] } } }) });
    const again = sink(s);
    await again.write(alerts, []);
    assert.equal(again.stats.conflicts, alerts.length);
    assert.equal(again.stats.created, 0);
    assert.deepEqual(await storedIds(s.alertDataStream), alerts.map((a) => a.id).sort());
  });

  it('sends again only the items a bulk answer throttled (per-item 429), until all are written', async () => {
    const s = await fresh();
    const bodies: string[][] = [];
    proxy.inject({ match: (r) => { if (isBulk(r)) bodies.push(bulkIds(r)); return false; }, times: 1000 });
    // The node wrote the first batch, but its answer says items 1 and 3 were rejected by a full write queue.
    proxy.inject({
      match: isBulk, times: 1,
      rewrite: (up) => {
        const res = JSON.parse(up.body) as { errors: boolean; items: Record<string, Record<string, unknown>>[] };
        for (const i of [1, 3]) {
          const item = res.items[i]?.['create'] as Record<string, unknown>;
          res.items[i] = { create: { _index: item['_index'], _id: item['_id'], status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (queue capacity 200)' } } };
        }
        return { status: 200, body: { ...res, errors: true } };
      },
    });
    const k = sink(s);
    await k.write(alerts.slice(0, 10), []);
    assert.deepEqual(bodies[1], [alerts[1]?.id, alerts[3]?.id], 'the retry carries the throttled items only');
    assert.equal(k.stats.throttledItems, 2);
    // Those two were in fact written the first time: the retry's create answers 409, already written.
    assert.equal(k.stats.created + k.stats.conflicts, 10);
    assert.deepEqual(await storedIds(s.alertDataStream), alerts.slice(0, 10).map((a) => a.id).sort());
  });

  it('retries a whole bulk answered 429 or 503, honouring Retry-After', async () => {
    const s = await fresh();
    const waits: number[] = [];
    const k = new ElasticSink({
      client: proxied, ctx: { policy: retryPolicy(5, { sleep: async (ms) => { waits.push(ms); }, random: () => 0.5 }) }, alertDataStream: s.alertDataStream, namespace: s.namespace,
      riskIndex: s.riskIndex, maxDocs: 100, maxBytes: s.bulk.maxBytes, clock: () => CLOCK,
    });
    proxy.inject({ match: isBulk, times: 1, respond: { status: 429, headers: { 'retry-after': '2' }, body: { error: { type: 'es_rejected_execution_exception', reason: 'rejected' }, status: 429 } } });
    proxy.inject({ match: isBulk, times: 1, respond: { status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' }, status: 503 } } });
    await k.write(alerts, []);
    assert.equal(proxy.pending(), 0);
    assert.equal(waits[0], 2000);
    assert.deepEqual(await storedIds(s.alertDataStream), alerts.map((a) => a.id).sort());
  });

  it('fails with SinkRejectedError naming the index, the id and Elasticsearch\'s reason for any other per-item refusal', async () => {
    const s = await fresh();
    proxy.inject({
      match: isBulk, times: 1,
      rewrite: (up) => {
        const res = JSON.parse(up.body) as { items: Record<string, Record<string, unknown>>[] };
        const item = res.items[2]?.['create'] as Record<string, unknown>;
        res.items[2] = { create: { _index: item['_index'], _id: item['_id'], status: 400, error: { type: 'document_parsing_exception', reason: '[1:2] failed to parse field [source.ip] of type [ip]' } } };
        return { status: 200, body: { ...res, errors: true } };
      },
    });
    const err = await sink(s).write(alerts.slice(0, 5), []).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SinkRejectedError, String(err));
    assert.equal(err.failed, 1);
    assert.equal(err.first.id, alerts[2]?.id);
    assert.match(err.message, new RegExp(`refused 1 document\\(s\\) written to ${s.alertDataStream}.*HTTP 400 document_parsing_exception: .*source\\.ip`));
  });

  it('is refused for real by the node when a document breaks the template\'s mapping', async () => {
    const s = await fresh();
    const bad = { ...alerts[0], id: 'tz-bad-mapping', firstSeen: 'not a date', lastSeen: 'not a date either' } as Alert;
    const err = await sink(s, client).write([bad], []).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SinkRejectedError, String(err));
    assert.equal(err.first.status, 400);
    assert.match(err.message, /tz-bad-mapping: HTTP 400 document_parsing_exception/);
  });
});
