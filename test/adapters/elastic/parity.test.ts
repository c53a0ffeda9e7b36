import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { FileSource } from '../../../adapters/file/file-source';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { ElasticSource } from '../../../adapters/elastic/source';
import type { EcsLayout } from '../../../adapters/elastic/field-map';
import { retryPolicy } from '../../../adapters/http/retry';
import type { Alert } from '../../../core/alerts/alert';
import { mergeConfig, resolveConfig, type ResolvedConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { listSettings } from '../../../core/rules/params';
import { pullPlan } from '../../../core/rules/pull-plan';
import { DATASETS, datasetsPresent, manifest } from '../../core/rules/datasets';
import { useElasticsearch } from '../../support/elasticsearch';
import { BASE, datasetCorpus, HOUR, type DatasetCorpus } from './dataset-corpus';
import { nsSettings } from './es-events';

/**
 * Parity (issue 10 acceptance): every dev dataset, indexed into the real node as ECS in the
 * Agent and the Winlogbeat 7 layouts (to-ecs.ts, the field map's inverse), pulled through
 * ElasticSource with the pushed-down query, gives exactly the alert ids of `tierzero detect`
 * (the file source) on the same file — in one pass, and in capped passes that carry the
 * checkpoint and the engine state from pass to pass.
 */
async function fileAlerts(file: string, config: ResolvedConfig): Promise<Alert[]> {
  const sink = new MemorySink();
  await runPass({
    source: new FileSource([join(DATASETS, file)], { maxLineBytes: config.maxLineBytes }),
    sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES,
  });
  return sink.alerts;
}

/** Id and detector: where events share an instant, a merged alert's evidence count may differ; its id cannot. */
function summary(a: Alert): string {
  return `${a.id} ${a.detector}`;
}

const SETTLE_SECONDS = 30;

describe('Elastic parity with the file source on every dev dataset (real node)', function () {
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
  before(async function () {
    const es = await useElasticsearch(this);
    this.timeout(900_000);
    client = new Client({ node: es.url, requestTimeout: 120_000 });
    corpus.agent = await datasetCorpus(client, 'agent');
    corpus.winlogbeat = await datasetCorpus(client, 'winlogbeat');
  });
  after(async () => client?.close());

  /** One or more passes over dataset k's hour of ingest time; alerts as the sink received them. */
  async function elasticAlerts(c: DatasetCorpus, k: number, config: ResolvedConfig, cap?: number): Promise<{ alerts: Alert[]; quarantined: number; passes: number }> {
    const plan = pullPlan(DETECTOR_MODULES, config);
    const settings = nsSettings(c.ns, { lists: listSettings(config), settleSeconds: SETTLE_SECONDS, pageSize: 1000 });
    const clock = (): number => BASE + (k + 1) * HOUR + SETTLE_SECONDS * 1000;
    const sink = new MemorySink();
    const store = new MemoryStateStore();
    const quarantine = new MemoryQuarantine();
    let passes = 0;
    for (;;) {
      const source = new ElasticSource({ client, plan, settings, policy: retryPolicy(3), clock, initialLookbackMinutes: 60, ...(cap ? { maxEventsPerPass: cap } : {}) });
      const before = sink.alerts.length;
      await runPass({ source, sink, store, quarantine, config, modules: DETECTOR_MODULES, clock });
      passes++;
      if (!cap || (source.stats.pulled === 0 && sink.alerts.length === before)) break;
      assert.ok(passes < 50, 'capped passes never finished');
    }
    return { alerts: sink.alerts, quarantined: quarantine.records.length, passes };
  }

  manifest().forEach((entry, k) => {
    describe(entry.file, () => {
      const config = resolveConfig(mergeConfig({}, entry.context ?? {}), DECLARATIONS);
      let expected: Alert[];
      before(async () => {
        expected = await fileAlerts(entry.file, config);
      });
      for (const layout of ['agent', 'winlogbeat'] as const) {
        it(`gives the alert ids of the file source (${layout} layout)`, async () => {
          const r = await elasticAlerts(corpus[layout] as DatasetCorpus, k, config);
          assert.deepEqual(r.alerts.map(summary).sort(), expected.map(summary).sort());
          assert.equal(r.quarantined, 0);
        });
      }
      it('gives the same alert ids over capped passes carrying checkpoint and state (agent layout)', async function () {
        const n = (corpus.agent as DatasetCorpus).entries[k]?.records.length ?? 0;
        if (expected.length === 0 || n < 3) this.skip();
        const r = await elasticAlerts(corpus.agent as DatasetCorpus, k, config, Math.ceil(n / 3));
        const ids = r.alerts.map((a) => a.id);
        assert.equal(new Set(ids).size, ids.length, 'an alert was raised twice');
        assert.deepEqual(ids.sort(), expected.map((a) => a.id).sort());
        assert.ok(r.passes >= 2, `${r.passes} passes`);
      });
    });
  });
});
