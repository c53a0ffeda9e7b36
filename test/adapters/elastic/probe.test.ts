import { strict as assert } from 'node:assert';
import { Client } from '@elastic/elasticsearch';
import { probeElastic, type ElasticProbeOptions } from '../../../adapters/elastic/probe';
import { ProbeFailedError } from '../../../adapters/platform';
import { retryPolicy } from '../../../adapters/http/retry';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan } from '../../../core/rules/pull-plan';
import { branchMatches } from '../../../core/rules/evaluate';
import { records } from '../../core/rules/datasets';
import { useElasticsearch, type EsNode } from '../../support/elasticsearch';
import { FaultProxy } from '../../support/fault-proxy';
import { dropNamespace, indexRecords, namespace, nsSettings } from './es-events';

const KEYS = { url: 'elastic.url', auth: 'elastic.apiKeyEnv (ES_API_KEY)', windowsIndexes: 'elastic.source.windowsIndexes', entraIndexes: 'elastic.source.entraIndexes' };

describe('elastic probe (doctor --config) against the real node', function () {
  this.timeout(180_000);
  let es: EsNode;
  let client: Client;
  const ns = namespace();
  const plan = pullPlan(DETECTOR_MODULES);
  const options = (c: Client, origin: string): ElasticProbeOptions => ({
    client: c, plan, settings: nsSettings(ns), days: 3650, clock: Date.now, policy: retryPolicy(2, { sleep: async () => undefined }), keys: KEYS, origin,
  });
  // A dataset whose events are recent enough for a 3650-day window, in both layouts.
  const file = 'spray-eas-kerberos_4768_4771.jsonl';
  let indexed: Record<string, unknown>[];

  before(async function () {
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
    indexed = records(file);
    await indexRecords(client, indexed, 'agent', ns, () => new Date().toISOString());
    await indexRecords(client, indexed, 'winlogbeat', ns, () => new Date().toISOString());
  });
  after(async () => {
    // Skipped (no node outside CI): the before hook never made a client.
    if (client) await dropNamespace(client, ns);
    await client?.close();
  });

  it('reports connectivity, the unsecured cluster, and counts per channel and event.code that match what the pull would read', async () => {
    const r = await probeElastic(options(client, es.url));
    assert.equal(r.platform, 'elastic');
    assert.match(r.checks[0]?.detail ?? '', /status (green|yellow)/);
    assert.ok(r.checks.some((c) => c.setting === KEYS.auth && c.status === 'warn' && /security is not enabled/.test(c.detail)));
    assert.ok(r.checks.some((c) => /event\.ingested/.test(c.detail) && c.status === 'ok'));
    // What the pull plan's branches accept, counted by the reference evaluator, per id.
    const expected = new Map<string, number>();
    for (const rec of indexed) {
      for (const s of plan.sources) {
        if (s.source.kind !== 'windows') continue;
        if (branchMatches({ source: s.source, ...(s.where ? { where: s.where } : {}) }, rec, { thresholds: {}, settings: { honeytokens: [], directorySyncAccounts: [] } })) {
          const key = `${s.source.channel}:${String(rec['EventID'])}`;
          expected.set(key, (expected.get(key) ?? 0) + 2);
        }
      }
    }
    // The Entra tables are counted too, even at zero: a blind cloud detector shows as such.
    assert.deepEqual(r.counts.filter((c) => c.eventId === 0).map((c) => `${c.channel}:${c.count}`).sort(), ['AuditLogs:0', 'SigninLogs:0']);
    const got = new Map(r.counts.filter((c) => c.eventId !== 0).map((c) => [`${c.channel}:${c.eventId}`, c.count]));
    assert.ok(expected.size > 0);
    assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...expected].sort()));
    assert.match(r.query, /^POST \/logs-system\.security-/);
    assert.ok(JSON.parse(r.query.slice(r.query.indexOf('\n') + 1)).aggs.by_channel);
  });

  it('warns about events without event.ingested, which no pull window can reach', async () => {
    const ns2 = namespace();
    try {
      await client.index({ index: `winlogbeat-${ns2}`, document: { '@timestamp': new Date().toISOString(), event: { code: '4624' }, winlog: { channel: 'Security', event_id: 4624 } }, refresh: true });
      const r = await probeElastic({ ...options(client, es.url), settings: nsSettings(ns2) });
      assert.ok(r.checks.some((c) => c.status === 'warn' && /1 events .* no event\.ingested/.test(c.detail)), JSON.stringify(r.checks));
    } finally {
      await dropNamespace(client, ns2);
    }
  });

  it('names the url when the node cannot be reached, and the credential on a 401', async () => {
    const dead = new Client({ node: 'http://127.0.0.1:9', maxRetries: 0, requestTimeout: 2000 });
    await assert.rejects(probeElastic(options(dead, 'http://127.0.0.1:9')), (e: unknown) => e instanceof ProbeFailedError && e.setting === KEYS.url && /cannot reach/.test(e.message));
    await dead.close();
    const proxy = await FaultProxy.start(es.url);
    const viaProxy = new Client({ node: proxy.url });
    try {
      proxy.inject({ match: (r) => r.path.startsWith('/_cluster/health'), times: 1, respond: { status: 401, body: { error: { type: 'security_exception', reason: 'unable to authenticate with provided credentials' }, status: 401 } } });
      await assert.rejects(probeElastic(options(viaProxy, proxy.url)), (e: unknown) => e instanceof ProbeFailedError && e.setting === KEYS.auth && /401/.test(e.message));
      // A 503 on the count is retried under the policy.
      proxy.inject({ match: (r) => r.path.includes('/_search'), times: 1, respond: { status: 503 } });
      const r = await probeElastic(options(viaProxy, proxy.url));
      assert.equal(proxy.pending(), 0);
      assert.ok(r.counts.length > 0);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});
