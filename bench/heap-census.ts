/**
 * What each owner of a pass holds live at its end (issue 13): the bench workload is run
 * in-process as the engine runs it (core/engine/engine.ts: same restore-less start, routes,
 * hourly eviction, flush, collector, score book), then every owner is released in turn and
 * the heap measured after a full collection (bench/heap-release.ts), V8 heap and typed-array
 * backing stores apart. An owner's figure is what letting it go frees: what two owners share
 * is counted under the later one. The baseline (node and the tsx loader, then the modules'
 * code and config) is measured before the pass. With `--snapshot <file>`, a V8 heap snapshot
 * is written with every owner still live, to be read by bench/heap-snapshot-groups.ts.
 *
 *   npx tsx bench/heap-census.ts [--events 1000000] [--accounts 100000] [--snapshot out.heapsnapshot] [--arrays]
 *
 * With `--arrays`, the typed arrays of the live owners are listed by path first (bench/typed-arrays.ts).
 *
 * Reads the workload `npm run bench` generated (bench/out/workload-e<events>-a<accounts>.jsonl).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Alert } from '../core/alerts/alert';
import type { DetectionContext, Detector } from '../core/detectors/detector';
import { difference, liveHeap, releaseField, releaseInTurn, type Owner, type Released } from './heap-release';

async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
  };
  const file = join(__dirname, 'out', `workload-e${arg('events', '1000000')}-a${arg('accounts', '100000')}.jsonl`);
  const atStart = liveHeap();
  const m = loadModules();
  m.limitHeapGrowth();
  const params = JSON.parse(readFileSync(`${file}.params.json`, 'utf8')) as { config: unknown };
  const config = m.resolveConfig(params.config, m.DETECTOR_MODULES.map((d) => d.declaration));
  const modulesLoaded = liveHeap();
  const live = await passLive(m, file, config);

  if (argv.includes('--arrays')) {
    const { typedArraysByPath } = require('./typed-arrays') as typeof import('./typed-arrays');
    const rows = typedArraysByPath({ directory: live.directory, identities: live.identities, kerberos: live.kerberos, detectors: live.detectors });
    process.stdout.write(`typed arrays by path (MB):\n${rows.filter((r) => r.mb >= 0.5).map((r) => `${r.mb.toFixed(1).padStart(7)}  ${r.kind.padEnd(13)} ${r.path}`).join('\n')}\n\n`);
  }
  const snapshotFile = arg('snapshot', '');
  if (snapshotFile) writeHeapSnapshot(snapshotFile);
  const snapshots = snapshotHeaps(live);
  const atSave = saveHeaps(live);
  const identities = (live.identities as { directory: object }).directory;
  const owners: Owner[] = [
    { name: 'alerts (drained, annotated)', release: () => { live.alerts = undefined; } },
    { name: 'alert collector (delivered set, pending)', release: () => { live.collector = undefined; } },
    { name: 'score book', release: () => { live.scores = undefined; } },
    ...Object.keys(live.detectors).map((id) => ({ name: `detector ${id}`, release: () => { delete live.detectors[id]; } })),
    { name: 'kerberos ledger', release: () => { live.kerberos = undefined; } },
    { name: 'identities: name↔SID pairs', release: () => releaseField(identities, ['nameSids']) },
    { name: 'identities: aliases', release: () => releaseField(identities, ['aliases']) },
    { name: 'identities: display names, reasons', release: () => { releaseField(identities, ['displayNames']); releaseField(identities, ['reasons']); } },
    { name: 'identities: account table', release: () => { releaseField(identities, ['table']); live.identities = undefined; } },
    { name: 'directory model', release: () => { live.directory = undefined; } },
    { name: 'event field memos (core/events/fields.ts)', release: () => m.forgetMemos() },
  ];
  const { freed, full, last } = releaseInTurn(owners);
  const { events, accountRows } = live;
  const alerts = live.alertCount;
  const sorted = [...freed].sort((a, b) => b.heapMb + b.arrayBuffersMb - (a.heapMb + a.arrayBuffersMb));
  const result = {
    file, events, alerts, accountRows,
    total: difference('whole pass (all owners)', full, modulesLoaded),
    byOwner: sorted,
    unaccounted: difference('left after every owner, beyond the modules', last, modulesLoaded),
    snapshotsByOwner: snapshots, atSave,
    baseline: [difference('node + tsx loader', atStart, { heap: 0, arrayBuffers: 0 }), difference('modules (code, config)', modulesLoaded, atStart)],
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n\n${table([result.total, ...sorted, result.unaccounted, ...result.baseline])}\n\nsnapshots (held one at a time; made when read, a snapshot holds little until the writer reads its columns):\n${table(snapshots)}\n\nlargest single column of each snapshot (what the streaming save holds of it at once):\n${snapshots.map((r) => `${r.name.padEnd(26)}  ${r.largestColumnMb.toFixed(1).padStart(6)} MB  ${r.largestColumn}`).join('\n')}\n\nat the save, beside the live owners:\n${table(atSave)}\n`);
}

/** The pass's owners at its end, each a field so that it can be let go alone. */
interface Live {
  directory?: unknown;
  identities?: unknown;
  kerberos?: unknown;
  collector?: unknown;
  scores?: unknown;
  alerts?: unknown;
  readonly alertCount: number;
  readonly detectors: Record<string, Detector>;
  readonly events: number;
  readonly accountRows: number;
}

type Modules = ReturnType<typeof loadModules>;

/** Loaded when called, not imported, so the modules' code is measured apart from node and the loader. */
function loadModules() {
  const { limitHeapGrowth } = require('../cli/heap-growth') as typeof import('../cli/heap-growth');
  const { FileSource } = require('../adapters/file/file-source') as typeof import('../adapters/file/file-source');
  const { resolveConfig } = require('../core/config/config') as typeof import('../core/config/config');
  const { AlertCollector } = require('../core/alerts/collector') as typeof import('../core/alerts/collector');
  const { DETECTOR_MODULES } = require('../core/detectors/registry') as typeof import('../core/detectors/registry');
  const { wantedEvents, enabledModules } = require('../core/engine/engine') as typeof import('../core/engine/engine');
  const { kerberosLedgerOptions } = require('../core/engine/kerberos-ledger-options') as typeof import('../core/engine/kerberos-ledger-options');
  const { restoreDetector } = require('../core/engine/restore-detector') as typeof import('../core/engine/restore-detector');
  const { DirectoryModel } = require('../core/estate/directory-model') as typeof import('../core/estate/directory-model');
  const { KerberosLedger } = require('../core/estate/kerberos-ledger') as typeof import('../core/estate/kerberos-ledger');
  const { forgetMemos } = require('../core/events/fields') as typeof import('../core/events/fields');
  const { normalize } = require('../core/events/normalize') as typeof import('../core/events/normalize');
  const { Identities } = require('../core/identity/identities') as typeof import('../core/identity/identities');
  const { passScoring } = require('../core/scoring/pass-scoring') as typeof import('../core/scoring/pass-scoring');
  const { ScoreBook } = require('../core/scoring/score-book') as typeof import('../core/scoring/score-book');
  return {
    limitHeapGrowth, FileSource, resolveConfig, AlertCollector, DETECTOR_MODULES, wantedEvents, enabledModules, kerberosLedgerOptions,
    restoreDetector, DirectoryModel, KerberosLedger, forgetMemos, normalize, Identities, passScoring, ScoreBook,
  };
}

/**
 * The bench workload through every owner as core/engine/engine.ts runs a first pass (no saved
 * state): its locals go out of scope on return, so only the returned fields keep the owners.
 */
async function passLive(m: Modules, file: string, config: ReturnType<Modules['resolveConfig']>): Promise<Live> {
  const { AlertCollector, DirectoryModel, FileSource, Identities, KerberosLedger, ScoreBook, normalize, passScoring, restoreDetector } = m;
  const enabled = m.enabledModules(config, m.DETECTOR_MODULES);
  const wanted = m.wantedEvents(config, m.DETECTOR_MODULES);
  const ledgerOptions = m.kerberosLedgerOptions(config, enabled);
  const held: Record<string, unknown> = {
    directory: new DirectoryModel(config),
    identities: new Identities(config),
    kerberos: new KerberosLedger(ledgerOptions ?? { etypes: false }, undefined, 'the census'),
    collector: new AlertCollector({ learningMode: config.learningMode, exclusions: new Map([...config.detectors].map(([id, r]) => [id, r.exclusions])), delivered: new Set() }),
  };
  const directory = held['directory'] as InstanceType<typeof DirectoryModel>;
  const identities = held['identities'] as InstanceType<typeof Identities>;
  const kerberos = held['kerberos'] as InstanceType<typeof KerberosLedger>;
  const collector = held['collector'] as InstanceType<typeof AlertCollector>;
  const detectors: Record<string, Detector> = {};
  const routes = new Map<string, { detector: Detector; ctx: DetectionContext }[]>();
  for (const module of enabled) {
    const settings = config.detectors.get(module.declaration.id)?.settings;
    if (!settings) throw new Error(`no settings for ${module.declaration.id}`);
    const detector = restoreDetector(module, settings, undefined, 'the census');
    detectors[module.declaration.id] = detector;
    const ctx: DetectionContext = {
      directory, network: config.corporateNetworks, kerberos, nameSids: identities.nameSids, emit: (s) => collector.add(detector.declaration, s),
    };
    for (const kind of detector.declaration.consumes) routes.set(kind, [...(routes.get(kind) ?? []), { detector, ctx }]);
  }

  let events = 0;
  let watermark = -Infinity;
  let lastEviction = -Infinity;
  const evict = (at: number): void => {
    for (const d of Object.values(detectors)) d.evictIdle(at - config.stateTtlMs, at);
    directory.evictIdle(at - config.stateTtlMs, at);
    identities.nameSids.evictBefore(at - config.stateTtlMs);
    if (ledgerOptions) kerberos.evictIdle(at - config.stateTtlMs, at);
  };
  const source = new FileSource([file], { maxLineBytes: config.maxLineBytes, wanted });
  for await (const page of source.pull(null)) {
    for (const rec of page) {
      if (rec.kind !== 'malformed') {
        const n = normalize(rec.value, wanted);
        if (n.status === 'event') {
          events++;
          const ev = n.event;
          if (ev.time > watermark) watermark = ev.time;
          directory.observe(ev);
          identities.observe(ev, directory);
          if (ledgerOptions) kerberos.observe(ev);
          for (const t of routes.get(ev.kind) ?? []) t.detector.handle(ev, t.ctx);
        }
      }
      // As the engine: hourly in event time, the first hour only sets the clock.
      if (watermark - lastEviction >= 3_600_000) {
        if (lastEviction !== -Infinity) evict(watermark);
        lastEviction = watermark;
      }
    }
  }
  const flushed = new Set<Detector>();
  for (const list of routes.values()) for (const r of list) if (!flushed.has(r.detector)) { flushed.add(r.detector); r.detector.flush?.(r.ctx, watermark); }
  const alerts: Alert[] = collector.drain().map((a) => identities.annotate(a, directory));
  const scores = new ScoreBook(undefined);
  scores.update(alerts, passScoring({ identities, directory, at: watermark, testMode: config.testMode, precision: config.scoring.precision }));
  evict(watermark);
  identities.evictIdle(watermark - config.stateTtlMs, scores.ids());
  routes.clear();
  return { ...held, detectors, alerts, alertCount: alerts.length, scores, events, accountRows: identities.snapshot().seqs.length };
}


/**
 * What each owner's snapshot holds while it is referenced, its bytes as JSON, and the most
 * the file store holds of it at once as it streams it (adapters/file/json-chunks.ts reads one
 * column at a time; core/state/made-when-read.ts): the largest single value, a column or a
 * small section, made and measured alone. Measured one at a time, owners live.
 */
function snapshotHeaps(live: Live): (Released & { readonly jsonMb: number; readonly largestColumn: string; readonly largestColumnMb: number })[] {
  const owners: [string, { snapshot(): unknown } | undefined][] = [
    ['directory model', live.directory as { snapshot(): unknown }],
    ['identities', live.identities as { snapshot(): unknown }],
    ['kerberos ledger', live.kerberos as { snapshot(): unknown }],
    ['score book', live.scores as { snapshot(): unknown }],
    ...Object.entries(live.detectors),
  ];
  const out: (Released & { readonly jsonMb: number; readonly largestColumn: string; readonly largestColumnMb: number })[] = [];
  for (const [name, owner] of owners) {
    if (!owner) continue;
    const before = liveHeap();
    let snapshot: unknown = owner.snapshot();
    const held = liveHeap();
    const jsonMb = Buffer.byteLength(JSON.stringify(snapshot ?? null)) / 2 ** 20;
    const largest = largestColumn(snapshot);
    snapshot = undefined;
    out.push({ ...difference(name, held, before), jsonMb: Math.round(jsonMb * 10) / 10, largestColumn: largest.path, largestColumnMb: Math.round(largest.mb * 10) / 10 });
  }
  return out.filter((r) => r.heapMb + r.arrayBuffersMb + r.jsonMb >= 0.1).sort((a, b) => b.heapMb - a.heapMb);
}

/**
 * The largest value a streaming writer holds of `snapshot` at once: each array, and each value
 * that is not a plain object, read from its holder alone (a getter makes it then) and measured
 * while held, beyond the heap just before it was read. Plain objects are walked into, as the writer does.
 */
function largestColumn(snapshot: unknown): { path: string; mb: number } {
  let best = { path: '(none)', mb: 0 };
  const walk = (holder: Record<string, unknown>, path: string): void => {
    for (const key of Object.keys(holder)) {
      const before = liveHeap();
      let value: unknown = holder[key];
      const at = `${path}${key}`;
      const plain = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
      if (plain) {
        walk(value as Record<string, unknown>, `${at}.`);
        continue;
      }
      const d = difference(at, liveHeap(), before);
      value = undefined;
      const mb = d.heapMb + d.arrayBuffersMb;
      if (mb > best.mb) best = { path: at, mb };
    }
  };
  if (snapshot !== null && typeof snapshot === 'object') walk(snapshot as Record<string, unknown>, '');
  return best;
}

/**
 * Every snapshot at once, beside the live directory, identities and ledger (made when read,
 * they hold little until read), and then the document as one JSON string, as the stores that
 * call JSON.stringify (Elastic, Sentinel, Splunk KV) hold it; the file store streams it instead.
 */
function saveHeaps(live: Live): Released[] {
  const owners = [live.directory, live.identities, live.kerberos, live.scores, ...Object.values(live.detectors)] as { snapshot(): unknown }[];
  const before = liveHeap();
  let snapshots: unknown[] | undefined = owners.map((o) => o.snapshot());
  const held = liveHeap();
  let text: string | undefined = JSON.stringify(snapshots);
  const withText = liveHeap();
  const rows = [difference('every snapshot at once', held, before), difference(`the document as JSON (${(text.length / 2 ** 20).toFixed(1)} M chars)`, withText, held)];
  snapshots = undefined;
  text = undefined;
  return rows;
}

function table(rows: readonly Released[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  const line = (a: string, b: string, c: string, d: string): string => `${a.padEnd(w)}  ${b.padStart(8)}  ${c.padStart(8)}  ${d.padStart(8)}`;
  return [line('owner', 'heap MB', 'arrays MB', 'sum MB'), ...rows.map((r) => line(r.name, r.heapMb.toFixed(1), r.arrayBuffersMb.toFixed(1), (r.heapMb + r.arrayBuffersMb).toFixed(1)))].join('\n');
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
