/* eslint-disable @typescript-eslint/no-require-imports -- splunk-sdk has no types */
import { strict as assert } from 'node:assert';
import { compileNativeSearch } from '../../../adapters/splunk/native-spl';
import { mergeConfig, resolveConfig, type ResolvedConfig } from '../../../core/config/config';
import type { DetectorDeclaration } from '../../../core/detectors/detector';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { evaluateQuery, type RuleParams } from '../../../core/rules/evaluate';
import { ruleParams } from '../../../core/rules/params';
import type { NativeQuery } from '../../../core/rules/tree';
import type { Row } from '../../emulators/splunk/spl-eval';
import { corpora, type Corpus } from '../../core/rules/corpora';
import { datasetsPresent, manifest } from '../../core/rules/datasets';
import { PASSWORD } from './harness';
import { decoysOf, divergences, indexed, indexedStore, nativeMacros, runNative, searchOver, type WindowsFormat } from './native-searches';
import { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';

/**
 * Issue 9 acceptance: the Splunk emulator's SPL evaluator runs each compiled native search over
 * the dev datasets, the sample day, the cloud tenant and the bombing fixture, with Windows
 * events in both forms the Splunk Add-on for Windows indexes (XmlWinEventLog, classic
 * WinEventLog) and sign-ins as the Microsoft Cloud Services add-on does, and its results match
 * the core evaluator's over the canonical records. An aggregation is compared twice: at its
 * configured threshold (the keys that fire and their largest count) and at threshold 1, where
 * every matching event's key takes part.
 */
const FORMATS: readonly WindowsFormat[] = ['xml', 'classic'];
const QUERIES = DETECTOR_MODULES.flatMap((m) => {
  const n = m.declaration.native;
  return n.kind === 'none' ? [] : n.queries.map((q) => ({ d: m.declaration, q }));
});

interface Outcome { readonly corpus: string; readonly expected: number; readonly rows: number; readonly divergences: readonly string[] }

function configOf(c: Corpus, extra: Record<string, unknown> = {}): ResolvedConfig {
  return resolveConfig(mergeConfig(mergeConfig(c.context, { testMode: true }), extra), DECLARATIONS);
}

/**
 * The ways each query is compared: as configured; an aggregation also at threshold 1 (its
 * window unchanged), so every matching event's key takes part, and per event (its grouping
 * taken away), so every output of every matching event is compared; a query naming the
 * honeytoken list also with decoys drawn from the corpus's own records.
 */
type Variant = 'configured' | 'threshold 1' | 'each event' | 'corpus decoys';

function variants(q: NativeQuery): Variant[] {
  const out: Variant[] = ['configured'];
  if (q.aggregate) out.push('threshold 1', 'each event');
  if (JSON.stringify(q.match).includes('"setting":"honeytokens"')) out.push('corpus decoys');
  return out;
}

function paramsFor(q: NativeQuery, params: RuleParams, v: Variant): RuleParams {
  return v === 'threshold 1' && q.aggregate ? { ...params, thresholds: { ...params.thresholds, [q.aggregate.threshold]: 1 } } : params;
}

const key = (d: DetectorDeclaration, q: NativeQuery, format: WindowsFormat, v: Variant): string => `${d.id}/${q.name}/${format}/${v}`;

describe('native searches in the Splunk emulator against the core evaluator', function () {
  this.timeout(120_000);
  let all: Corpus[];
  const outcomes = new Map<string, Outcome[]>();

  before(function () {
    if (!datasetsPresent() && process.env['CI'] === 'true') throw new Error('../shared/datasets is missing');
    all = corpora();
    for (const c of all) {
      const configured = configOf(c);
      const decoyed = configOf(c, { honeytokens: decoysOf(c.records) });
      for (const format of FORMATS) {
        const store = indexedStore(c.records, format);
        const searches = { configured: searchOver(store, nativeMacros(configured)), decoyed: searchOver(store, nativeMacros(decoyed)) };
        for (const { d, q } of QUERIES) {
          for (const v of variants(q)) {
            const config = v === 'corpus decoys' ? decoyed : configured;
            const params = paramsFor(q, ruleParams(config, d.id), v);
            const asked: NativeQuery = v === 'each event' ? { ...q, aggregate: undefined } : q;
            const expected = evaluateQuery(asked, c.records, params);
            const rows = runNative(v === 'corpus decoys' ? searches.decoyed : searches.configured, asked, params);
            const list = outcomes.get(key(d, q, format, v)) ?? [];
            list.push({ corpus: c.name, expected: expected.length, rows: rows.length, divergences: divergences(asked, expected, rows) });
            outcomes.set(key(d, q, format, v), list);
          }
        }
      }
    }
  });

  it('runs over every dataset of the manifest besides the sample day, the cloud tenant and the bombing fixture', function () {
    if (!datasetsPresent()) this.skip();
    assert.deepEqual(all.slice(3).map((c) => c.name), manifest().map((e) => e.file));
    assert.ok(all.length >= 73 + 3, `only ${all.length} corpora`);
  });

  for (const { d, q } of QUERIES) {
    for (const format of FORMATS) {
      for (const v of variants(q)) {
        it(`${d.id} / ${q.name} in ${format === 'xml' ? 'XmlWinEventLog' : 'classic WinEventLog'} form${v === 'configured' ? '' : v === 'each event' ? ', for each event,' : `, with ${v},`} gives the evaluator's results on every corpus`, () => {
          const list = outcomes.get(key(d, q, format, v)) ?? [];
          assert.equal(list.length, all.length);
          const wrong = list.filter((o) => o.divergences.length > 0).map((o) => `${o.corpus}: ${o.divergences.slice(0, 3).join('; ')}`);
          assert.deepEqual(wrong, []);
          assert.ok(list.some((o) => o.rows > 0), `${d.id}/${q.name} fires nowhere: the comparison proves nothing`);
        });
      }
    }
  }

  describe('a compiler that strays', () => {
    const bf = QUERIES.find((x) => x.d.id === 'brute_force');

    let found: { c: Corpus; config: ResolvedConfig; params: RuleParams } | undefined;
    /** The smallest corpus where the evaluator fires brute_force (the outcomes above say which). */
    function firing(q: NativeQuery): { c: Corpus; config: ResolvedConfig; params: RuleParams } {
      const names = new Set(outcomes.get(key(bf?.d as DetectorDeclaration, q, 'xml', 'configured'))?.filter((o) => o.expected > 0).map((o) => o.corpus));
      const c = all.filter((x) => names.has(x.name)).sort((a, b) => a.records.length - b.records.length)[0];
      if (!c) throw new Error('brute_force fires on no corpus');
      found ??= { c, config: configOf(c), params: ruleParams(configOf(c), 'brute_force') };
      return found;
    }

    it('fails the comparison when a threshold is raised past the burst', () => {
      assert.ok(bf?.q.aggregate);
      const { c, config, params } = firing(bf.q);
      const expected = evaluateQuery(bf.q, c.records, params);
      const raised = { ...params, thresholds: { ...params.thresholds, [bf.q.aggregate.threshold]: Math.max(...expected.map((r) => r.count)) + 1 } };
      const search = searchOver(indexedStore(c.records, 'xml'), nativeMacros(config));
      assert.deepEqual(divergences(bf.q, expected, runNative(search, bf.q, params)), []);
      assert.notDeepEqual(divergences(bf.q, expected, runNative(search, bf.q, raised)), []);
    });

    it('fails the comparison when a branch is dropped', () => {
      assert.ok(bf);
      const { c, config, params } = firing(bf.q);
      const expected = evaluateQuery(bf.q, c.records, params);
      const branch = bf.q.match.findIndex((b) => evaluateQuery({ ...bf.q, match: [b] }, c.records, params).length > 0);
      const dropped: NativeQuery = { ...bf.q, match: bf.q.match.filter((_, i) => i !== branch) };
      const search = searchOver(indexedStore(c.records, 'classic'), nativeMacros(config));
      assert.deepEqual(divergences(bf.q, expected, runNative(search, bf.q, params)), []);
      assert.notDeepEqual(divergences(bf.q, expected, runNative(search, dropped, params)), []);
    });
  });

  describe('through the real splunk-sdk over loopback', () => {
    let emu: SplunkEmulator | undefined;
    afterEach(async () => emu?.stop());

    it('gives the evaluator\'s brute-force results from a search job on classic WinEventLog', async () => {
      const bf = QUERIES.find((x) => x.d.id === 'brute_force');
      assert.ok(bf);
      const c = all.find((x) => x.labelled.includes('brute_force') && evaluateQuery(bf.q, x.records, ruleParams(configOf(x), 'brute_force')).length > 0);
      assert.ok(c, 'no labelled brute-force corpus fires');
      const config = configOf(c);
      const params = ruleParams(config, 'brute_force');
      emu = await new SplunkEmulator({ users: { svc_tierzero: PASSWORD }, apps: { tierzero: { macros: nativeMacros(config) } } }).start();
      for (const r of c.records) emu.addEvent(indexed(r, 'classic'));
      const rows = await sdkSearch(emu, compileNativeSearch(bf.q, params).search);
      assert.ok(rows.length > 0);
      assert.deepEqual(divergences(bf.q, evaluateQuery(bf.q, c.records, params), rows), []);
      assert.ok(emu.requestsTo(/\/search\/v2\/jobs\/[^/]+\/results$/).length > 0);
    });
  });
});

interface SdkJob { track(o: { period: number }, cb: { done: () => void; failed: () => void; error: (e: unknown) => void }): Promise<unknown>; results(p: Record<string, unknown>): Promise<[{ fields: string[]; rows: unknown[][] }, SdkJob]> }
interface SdkService { login(): Promise<unknown>; search(spl: string, params: Record<string, unknown>): Promise<SdkJob> }
const splunkjs = require('splunk-sdk') as { Service: new (params: Record<string, unknown>) => SdkService };

/** A normal search job through splunk-sdk, its rows back in the emulator's shape. */
async function sdkSearch(emu: SplunkEmulator, spl: string): Promise<Row[]> {
  const svc = new splunkjs.Service({ scheme: 'http', host: '127.0.0.1', port: Number(new URL(emu.url).port), username: 'svc_tierzero', password: PASSWORD, owner: 'nobody', app: 'tierzero' });
  await svc.login();
  const job = await svc.search(spl, { earliest_time: '0' });
  await new Promise<void>((resolve, reject) => {
    void job.track({ period: 1 }, { done: () => resolve(), failed: () => reject(new Error('search job failed')), error: reject });
  });
  const [page] = await job.results({ count: 0 });
  return page.rows.map((values) => Object.fromEntries(page.fields.flatMap((f, i) => (values[i] === null || values[i] === undefined ? [] : [[f, values[i] as string | string[]]]))));
}
