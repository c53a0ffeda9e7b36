import { strict as assert } from 'node:assert';
import type { Alert } from '../../../core/alerts/alert';
import { mergeConfig, resolveConfig } from '../../../core/config/config';
import type { DetectorModule } from '../../../core/detectors/detector';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { evaluateQuery, type NativeResult } from '../../../core/rules/evaluate';
import { ruleParams } from '../../../core/rules/params';
import type { NativeQuery } from '../../../core/rules/tree';
import { detect } from '../detectors/harness';
import { corpora, type Corpus } from './corpora';
import { datasetsPresent } from './datasets';

/**
 * Every native condition held to its detector (issue "one neutral seam", build 2): over the
 * shared datasets and the sample day, in test mode (no learning), a native result is only ever
 * raised where the engine raises the detector's alert for the same entity; and a `detector`
 * form fires on every file labelled with the detector. This is what keeps the three native
 * packs honest: they compile from the same tree this evaluator reads.
 */
const NATIVE = DETECTOR_MODULES.filter((m) => m.declaration.native.kind !== 'none');
describe('native conditions against their detectors', function () {
  this.timeout(300_000);
  let all: Corpus[];
  before(function () {
    if (!datasetsPresent() && process.env['CI'] === 'true') throw new Error('../shared/datasets is missing');
    all = corpora();
  });

  it('covers every detector that declares a native form', () => {
    assert.ok(NATIVE.length >= 6, `only ${NATIVE.length} detectors declare a native form`);
    for (const m of DETECTOR_MODULES) {
      const n = m.declaration.native;
      if (n.kind === 'none') assert.ok(n.reason.length > 20, `${m.declaration.id}: say why it has no native form`);
    }
  });

  for (const module of NATIVE) {
    const d = module.declaration;
    const native = d.native as Extract<typeof d.native, { queries: unknown }>;
    for (const q of native.queries) {
      it(`${d.id} / ${q.name}: fires only where the detector alerts on the same entity`, async () => {
        let fired = 0;
        for (const c of all) {
          const { results, alerts } = await run(module, q, c);
          fired += results.length;
          for (const r of results) {
            assert.ok(alerts.some((a) => sameEntity(r, a)), `${c.name}: native ${d.id}/${q.name} fired for ${JSON.stringify(r.keys)} but the detector raised ${alerts.length ? alerts.map((a) => a.entities.accounts.map((x) => x.name).join('+')).join(', ') : 'nothing'}`);
          }
        }
        assert.ok(fired > 0, `${d.id}/${q.name} never fires on the sample or the datasets: the test proves nothing`);
      });
    }
    if (native.kind === 'detector') {
      it(`${d.id}: its native form fires on every file labelled with it`, async function () {
        const labelled = all.filter((c) => c.labelled.includes(d.id));
        if (labelled.length === 0) this.skip();
        for (const c of labelled) {
          const fired = (await Promise.all(native.queries.map((q) => run(module, q, c)))).some((x) => x.results.length > 0);
          assert.ok(fired, `${c.name} is labelled ${d.id}, but no native query of it fires`);
        }
      });
    }
  }
});

async function run(module: DetectorModule, q: NativeQuery, c: Corpus): Promise<{ results: NativeResult[]; alerts: Alert[] }> {
  const raw = mergeConfig(c.context, { testMode: true });
  const config = resolveConfig(raw, DECLARATIONS);
  const results = evaluateQuery(q, c.records, ruleParams(config, module.declaration.id));
  const alerts = results.length ? await detect(module, c.records, { config: raw }) : [];
  return { results, alerts };
}

/** The native result names an account or host that the alert names too. */
function sameEntity(r: NativeResult, a: Alert): boolean {
  const names = new Set<string>();
  for (const x of a.entities.accounts) {
    names.add(bare(x.name));
    if (x.sid) names.add(x.sid.toLowerCase());
  }
  for (const h of a.entities.hosts) {
    if (h.name) names.add(bare(h.name));
    if (h.ip) names.add(h.ip.toLowerCase());
  }
  const keys = [r.keys.user, r.keys.src].filter((k): k is string => k !== undefined).map(bare);
  return keys.length === 0 || keys.some((k) => names.has(k));
}

function bare(name: string): string {
  const n = name.toLowerCase().replace(/^::ffff:/, '');
  const slash = n.lastIndexOf('\\');
  const tail = slash >= 0 ? n.slice(slash + 1) : n;
  return tail.replace(/@.*$/, '').replace(/\..*$/, (m) => (/^\d/.test(tail) ? m : ''));
}
