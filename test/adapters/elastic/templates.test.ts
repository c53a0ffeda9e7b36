import { strict as assert } from 'node:assert';
import { Client } from '@elastic/elasticsearch';
import type { CallContext } from '../../../adapters/elastic/client';
import { resolveElasticSettings, type ElasticSettings } from '../../../adapters/elastic/config';
import { ensureTemplates, TEMPLATE_VERSION, templateBodies } from '../../../adapters/elastic/templates';
import { retryPolicy } from '../../../adapters/http/retry';
import { useElasticsearch, type EsNode } from '../../support/elasticsearch';
import { namespace } from './es-events';

/** `tierzero setup` as the first pass runs it (templates.ts), on the real node. */
describe('elastic index templates: installed by the first pass, on the real node', function () {
  this.timeout(120_000);
  let es: EsNode;
  let client: Client;
  const ctx: CallContext = { policy: retryPolicy(3, { sleep: async () => undefined }) };

  before(async function () {
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
  });
  after(async () => client?.close());

  const settings = (over: Record<string, unknown> = {}): ElasticSettings => {
    const ns = namespace();
    return resolveElasticSettings({ url: es.url, namespace: ns, state: { index: `tierzero-state-${ns}` }, ...over }, '/');
  };
  const mappingOf = async (index: string): Promise<Record<string, unknown>> => {
    const m = await client.indices.getMapping({ index });
    return Object.values(m)[0]?.mappings as Record<string, unknown>;
  };

  it('installs the alert, risk and state templates and creates the risk and state indices, then does nothing on the next pass', async () => {
    const s = settings();
    const first = await ensureTemplates(client, s, ctx);
    assert.deepEqual(first.created, [s.riskIndex, s.state.index]);
    for (const name of [`tierzero-risk-score@${s.riskIndex}`, `tierzero-state@${s.state.index}`]) assert.ok(first.installed.includes(name), name);
    const again = await ensureTemplates(client, s, ctx);
    assert.deepEqual(again, { installed: [], created: [] });
  });

  it('gives each of two deployments on one cluster its own risk and state mappings', async () => {
    const [a, b] = [settings(), settings()];
    await ensureTemplates(client, a, ctx);
    await ensureTemplates(client, b, ctx);
    for (const s of [a, b]) {
      const risk = JSON.stringify(await mappingOf(s.riskIndex));
      assert.match(risk, /"calculated_score_norm":\{"type":"float"\}/, s.riskIndex);
      const state = await mappingOf(s.state.index);
      assert.equal(state['dynamic'], 'strict');
      assert.deepEqual((state['properties'] as Record<string, unknown>)['state'], { type: 'binary' });
    }
  });

  it('lets two passes install at once', async () => {
    const s = settings();
    const both = await Promise.all([ensureTemplates(client, s, ctx), ensureTemplates(client, s, ctx)]);
    assert.deepEqual(both.flatMap((r) => r.created).sort(), [s.riskIndex, s.state.index].sort());
  });

  it('leaves a template a newer tierzero wrote alone', async () => {
    const s = settings();
    const state = templateBodies(s).find((t) => t.name.startsWith('tierzero-state@')) as { name: string; body: Record<string, unknown> };
    await client.indices.putIndexTemplate({ name: state.name, ...state.body, version: TEMPLATE_VERSION + 1 });
    const r = await ensureTemplates(client, s, ctx);
    assert.ok(!r.installed.includes(state.name));
    const got = await client.indices.getIndexTemplate({ name: state.name });
    assert.equal(got.index_templates[0]?.index_template.version, TEMPLATE_VERSION + 1);
  });

  it('leaves Kibana\'s own risk index and its template to Kibana', async () => {
    const s = settings({ riskIndex: `risk-score.risk-score-latest-${namespace()}` });
    const r = await ensureTemplates(client, s, ctx);
    assert.ok(!r.installed.some((n) => n.startsWith('tierzero-risk-score')));
    assert.deepEqual(r.created, [s.state.index]);
    assert.equal(await client.indices.exists({ index: s.riskIndex }), false);
  });
});
