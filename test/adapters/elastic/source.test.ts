import { strict as assert } from 'node:assert';
import { Client } from '@elastic/elasticsearch';
import { ElasticSource, type ElasticCheckpoint } from '../../../adapters/elastic/source';
import { CheckpointMismatchError, ElasticRequestError } from '../../../adapters/elastic/errors';
import { retryPolicy } from '../../../adapters/http/retry';
import type { SourceRecord } from '../../../core/engine/ports';
import type { PullPlan } from '../../../core/rules/pull-plan';
import { security } from '../../../core/rules/tree';
import { useElasticsearch, type EsNode } from '../../support/elasticsearch';
import { FaultProxy } from '../../support/fault-proxy';
import { dropNamespace, indexDocs, indexRecords, namespace, nsSettings } from './es-events';
import { toEcs } from './to-ecs';

const PLAN: PullPlan = { sources: [{ source: security(4624), fields: ['TimeCreated', 'Computer', 'Channel', 'EventID', 'EventRecordID', 'TargetUserName', 'IpAddress'] }] };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const CLOCK = T0 + 3_600_000;

/** A 4624 numbered n (its record id), so a pull's output names exactly which events came. */
function logon(n: number): Record<string, unknown> {
  return {
    TimeCreated: new Date(T0 - 600_000 + n).toISOString(), Computer: 'dc1.corp.example', Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing',
    EventID: 4624, EventRecordID: n, TargetUserName: `user${n % 50}`, TargetDomainName: 'CORP', LogonType: '3', IpAddress: `10.0.${Math.floor(n / 250) % 250}.${n % 250}`,
  };
}

function ids(pages: readonly (readonly SourceRecord[])[]): number[] {
  return pages.flat().map((r) => (r.kind === 'record' ? Number((r.value as Record<string, unknown>)['EventRecordID']) : -1));
}

async function drain(source: ElasticSource, checkpoint: unknown): Promise<SourceRecord[][]> {
  const out: SourceRecord[][] = [];
  for await (const page of source.pull(checkpoint)) out.push([...page]);
  return out;
}

describe('elastic source: PIT + search_after against the real node', function () {
  this.timeout(120_000);
  let es: EsNode;
  let client: Client;
  const spaces: string[] = [];
  const sleeps: number[] = [];
  const policy = retryPolicy(5, { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 });
  const source = (ns: string, c: Client, extra: Partial<ConstructorParameters<typeof ElasticSource>[0]> = {}, pageSize = 100): ElasticSource => new ElasticSource({
    client: c, plan: PLAN, settings: nsSettings(ns, { pageSize }), policy, clock: () => CLOCK, initialLookbackMinutes: 7 * 24 * 60, ...extra,
  });

  before(async function () {
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
  });
  after(async () => {
    for (const ns of spaces) await dropNamespace(client, ns);
    await client?.close();
  });
  const fresh = (): string => {
    const ns = namespace();
    spaces.push(ns);
    return ns;
  };

  it('pages through more than a page at a time, in ingest order, each document once, with a bounded page size', async () => {
    const ns = fresh();
    const records = Array.from({ length: 1234 }, (_, i) => logon(i));
    // Ten documents share each millisecond of event.ingested, as bulk requests stamp them.
    await indexRecords(client, records, 'agent', ns, (i) => new Date(T0 + Math.floor(i / 10)).toISOString());
    const s = source(ns, client);
    const pages = await drain(s, null);
    assert.ok(pages.length >= 13, `${pages.length} pages`);
    assert.ok(pages.every((p) => p.length <= 100));
    assert.deepEqual(ids(pages).sort((a, b) => a - b), records.map((_, i) => i));
    assert.equal(s.stats.pulled, 1234);
    const cp = s.checkpointAfterPull() as ElasticCheckpoint;
    assert.deepEqual(cp, { version: 1, ingested: new Date(CLOCK - 30_000).toISOString(), inclusive: true });
  });

  it('resumes from its checkpoint with nothing duplicated or skipped: equal event.ingested across page and pass boundaries, and on the window edge', async () => {
    const ns = fresh();
    // 150 documents per instant, pages of 100: every instant straddles a page boundary.
    const first = Array.from({ length: 900 }, (_, i) => logon(i));
    await indexRecords(client, first, 'winlogbeat', ns, (i) => new Date(T0 + Math.floor(i / 150)).toISOString());
    const seen: number[] = [];
    let cp: unknown = null;
    let passes = 0;
    // Capped passes: each stops only where the instant changes, never inside one.
    for (;;) {
      const s = source(ns, client, { maxEventsPerPass: 230 });
      const got = ids(await drain(s, cp));
      passes++;
      cp = s.checkpointAfterPull();
      if (got.length === 0) break;
      assert.equal(got.length % 150, 0, `a capped pass ended inside an instant (${got.length} events)`);
      seen.push(...got);
      assert.ok(passes < 20);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), first.map((_, i) => i));
    // A later pass at a later clock: documents ingested exactly on the previous window's end belong to the new one.
    const edge = (cp as ElasticCheckpoint).ingested;
    assert.equal(edge, new Date(CLOCK - 30_000).toISOString());
    const later = Array.from({ length: 40 }, (_, i) => logon(10_000 + i));
    await indexRecords(client, later, 'winlogbeat', ns, (i) => (i < 20 ? edge : new Date(Date.parse(edge) + 5).toISOString()));
    const s2 = source(ns, client, { clock: () => CLOCK + 60_000 });
    const got2 = ids(await drain(s2, cp));
    assert.deepEqual(got2.sort((a, b) => a - b), later.map((_, i) => 10_000 + i));
    // And the pass after that reads nothing again.
    const s3 = source(ns, client, { clock: () => CLOCK + 60_000 });
    assert.deepEqual(ids(await drain(s3, s2.checkpointAfterPull())), []);
  });

  it('reopens a point in time closed mid-pull and resumes with nothing skipped or repeated', async () => {
    const ns = fresh();
    const records = Array.from({ length: 700 }, (_, i) => logon(i));
    await indexRecords(client, records, 'agent', ns, (i) => new Date(T0 + Math.floor(i / 120)).toISOString());
    const proxy = await FaultProxy.start(es.url);
    const viaProxy = new Client({ node: proxy.url });
    try {
      let searches = 0;
      // Before the 3rd and 5th page requests, the PIT they name is deleted on the node itself.
      proxy.inject({
        match: (r) => r.method === 'POST' && r.path.startsWith('/_search') && ++searches % 2 === 1 && searches >= 3 && searches <= 5,
        times: 2,
        before: async (r) => {
          const id = (JSON.parse(r.body) as { pit: { id: string } }).pit.id;
          await client.closePointInTime({ id });
        },
      });
      const logs: Record<string, unknown>[] = [];
      const s = source(ns, viaProxy, { log: (e) => logs.push(e) });
      const got = ids(await drain(s, null));
      assert.equal(proxy.pending(), 0, 'the PIT was never closed under the pull');
      assert.equal(s.stats.pitReopened, 2);
      assert.ok(s.stats.skippedAfterResume > 0, 'the resume never had to skip what it had already handed on');
      assert.equal(got.length, 700, 'duplicates or gaps');
      assert.deepEqual([...got].sort((a, b) => a - b), records.map((_, i) => i));
      assert.ok(logs.some((l) => /point in time lost/.test(String(l['msg']))));
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('retries 429 and 503 through the shared policy (Retry-After honoured), then pulls everything', async () => {
    const ns = fresh();
    const records = Array.from({ length: 350 }, (_, i) => logon(i));
    await indexRecords(client, records, 'agent', ns);
    const proxy = await FaultProxy.start(es.url);
    const viaProxy = new Client({ node: proxy.url });
    try {
      sleeps.length = 0;
      proxy.inject({ match: (r) => r.path.includes('/_pit') && r.method === 'POST', times: 1, respond: { status: 503 } });
      let n = 0;
      proxy.inject({ match: (r) => r.path.startsWith('/_search') && ++n === 2, times: 1, respond: { status: 429, headers: { 'retry-after': '2' } } });
      // Once the 429 was answered (its rule retired), the next two searches — its retries — get 503s.
      proxy.inject({ match: (r) => r.path.startsWith('/_search') && n >= 2, times: 2, respond: { status: 503 } });
      const s = source(ns, viaProxy);
      const got = ids(await drain(s, null));
      assert.equal(proxy.pending(), 0);
      assert.deepEqual(got.sort((a, b) => a - b), records.map((_, i) => i));
      assert.equal(sleeps.length, 4, `waits: ${sleeps.join(', ')}`);
      assert.ok(sleeps.includes(2000), 'Retry-After: 2 was not honoured');
      // The client made no retries of its own: each injected answer reached the source once.
      assert.equal(proxy.log.filter((l) => l.injected).length, 4);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('gives up after the policy\'s attempts with an error naming the call, and does not retry a 400', async () => {
    const ns = fresh();
    await indexRecords(client, [logon(1)], 'agent', ns);
    const proxy = await FaultProxy.start(es.url);
    const viaProxy = new Client({ node: proxy.url });
    try {
      proxy.inject({ match: (r) => r.path.startsWith('/_search'), times: 10, respond: { status: 503 } });
      await assert.rejects(drain(source(ns, viaProxy), null), (e: unknown) => e instanceof ElasticRequestError && /search: HTTP 503/.test(e.message));
      proxy.clear();
      proxy.inject({ match: (r) => r.path.startsWith('/_search'), times: 10, respond: { status: 400, body: { error: { type: 'parsing_exception', reason: 'bad query' }, status: 400 } } });
      const before = proxy.log.length;
      await assert.rejects(drain(source(ns, viaProxy), null), /parsing_exception: bad query/);
      assert.equal(proxy.log.filter((l, i) => i >= before && l.path.startsWith('/_search')).length, 1);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('hands on an unmappable document as malformed with the reason, never drops it', async () => {
    const ns = fresh();
    const good = toEcs(logon(1), 'agent', '2026-01-01T00:00:00.000Z');
    const bad = { ...good, '@timestamp': 'yesterday-ish', winlog: { ...(good['winlog'] as object), event_id: '4624' } };
    // The template maps @timestamp as a date: the bad one is written with an ignorable value in a dotted copy instead.
    await indexDocs(client, [
      { index: `logs-system.security-${ns}`, doc: good },
      { index: `logs-system.security-${ns}`, doc: { ...bad, '@timestamp': undefined, winlog: { ...(bad.winlog as object), time_created: 'not a time' } } },
    ]);
    const s = source(ns, client);
    const all = (await drain(s, null)).flat();
    assert.equal(all.length, 2);
    const m = all.find((r) => r.kind === 'malformed');
    assert.ok(m && m.kind === 'malformed');
    assert.match(m.reason, /no usable @timestamp/);
    assert.match(m.origin, /^elastic:logs-system\.security-/);
    assert.equal(s.stats.malformed, 1);
  });

  it('reads nothing when the window is empty, and refuses another platform\'s checkpoint', async () => {
    const ns = fresh();
    const s = source(ns, client);
    const cp = { version: 1, ingested: new Date(CLOCK).toISOString(), inclusive: true };
    assert.deepEqual(await drain(s, cp), []);
    assert.deepEqual(s.checkpointAfterPull(), cp);
    await assert.rejects(drain(source(ns, client), { version: 1, indexTime: 5, boundary: [] }), CheckpointMismatchError);
  });

  it('pulls from a real data stream (bulk create into a composable template with data_stream)', async () => {
    const ns = `ds${namespace()}`;
    const records = Array.from({ length: 30 }, (_, i) => logon(i));
    await indexRecords(client, records, 'agent', ns);
    const ds = await client.indices.get({ index: `logs-system.security-${ns}` });
    assert.ok(Object.keys(ds).some((k) => k.startsWith('.ds-logs-system.security-')), Object.keys(ds).join(','));
    assert.deepEqual(ids(await drain(source(ns, client), null)).sort((a, b) => a - b), records.map((_, i) => i));
  });
});
