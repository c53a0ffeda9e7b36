import type { Alert } from '../alerts/alert';
import { AlertCollector } from '../alerts/collector';
import type { Exclusions, ResolvedConfig } from '../config/config';
import type { DetectionContext, Detector, DetectorModule } from '../detectors/detector';
import type { DetectorId } from '../detectors/detector-id';
import { DirectoryModel } from '../estate/directory-model';
import { KerberosLedger } from '../estate/kerberos-ledger';
import type { IdentityEventKind } from '../events/identity-event';
import { forgetMemos } from '../events/fields';
import { normalize, type EventFilter } from '../events/normalize';
import { Identities } from '../identity/identities';
import { enabledModules, planFilter, pullPlan } from '../rules/pull-plan';
import { passScoring } from '../scoring/pass-scoring';
import { ScoreBook } from '../scoring/score-book';
import { scoreUpdates, type ScoreUpdate } from '../scoring/score-update';
import { stateOnDemand } from './state-on-demand';
import { emptyState, STATE_VERSION, type EngineState, type StateStore } from '../state/state';
import { restoreDetector } from './restore-detector';
import { kerberosLedgerOptions } from './kerberos-ledger-options';
import { boundedJson, boundedText } from '../events/bounded-text';
import type { Quarantine, Sink, Source, SourceRecord } from './ports';

export interface PassOptions {
  readonly source: Source;
  readonly sink: Sink;
  readonly store: StateStore;
  readonly quarantine: Quarantine;
  readonly config: ResolvedConfig;
  readonly modules: readonly DetectorModule[];
  /** Called every `progressEvery` records with running totals; the caller decides what to show. */
  readonly onProgress?: (stats: PassStats) => void;
  readonly progressEvery?: number;
  /** The trusted wall clock, epoch ms (tests pin it). */
  readonly clock?: () => number;
  /** How far past the clock an event may be dated before it is quarantined as in the future. */
  readonly futureSkewMs?: number;
  /**
   * The input is finished (a one-shot `detect` over files): verdicts waiting for clock skew or a
   * grace period are released at the end of the pass. Scheduled passes leave it off and keep waiting.
   */
  readonly finalInput?: boolean;
}

export interface PassStats {
  records: number;
  events: number;
  quarantined: number;
  /** Valid events no enabled detector models, by `channel:EventID`. */
  unmodelled: Map<string, number>;
  alerts: number;
  excluded: number;
  heldWhileLearning: number;
  alreadyDelivered: number;
  quarantineReasons: Map<string, number>;
}

export interface PassResult {
  readonly alerts: readonly Alert[];
  /** What the sink received about scores. */
  readonly scores: readonly ScoreUpdate[];
  readonly stats: PassStats;
  readonly state: EngineState;
}

/**
 * Six hours covers a DC on the wrong time zone setting with minutes of drift to spare; one host
 * dated 9999 must not drag the watermark forward and evict every baseline (issue 12, item 2).
 */
export const DEFAULT_FUTURE_SKEW_MS = 6 * 3_600_000;

/** Idle eviction sweeps every entity of every detector: once per hour of event time is plenty. */
const EVICT_EVERY_MS = 3_600_000;

/**
 * One pass of DESIGN §3: source → normalize → detect → collect → sink → commit. State is
 * saved only after the sink resolved, so a crash anywhere redoes the pass with the same ids.
 */
export async function runPass(o: PassOptions): Promise<PassResult> {
  try {
    return await pass(o);
  } finally {
    // Module memos hold this pass's strings; a long-lived process must not carry them on.
    forgetMemos();
  }
}

async function pass(o: PassOptions): Promise<PassResult> {
  const enabled = enabledModules(o.config, o.modules);
  const ledgerOptions = kerberosLedgerOptions(o.config, enabled);
  // The loaded document is let go once restored: only what passes through is carried (a month of
  // state was held twice through the whole pass, once as the document and once live).
  const { token, carried: prior, directory, identities, kerberos, detectors } = await restore(o, enabled, ledgerOptions);
  const exclusions = new Map<DetectorId, Exclusions>();
  for (const [id, r] of o.config.detectors) exclusions.set(id, r.exclusions);
  const collector = new AlertCollector({
    learningMode: o.config.learningMode,
    exclusions,
    delivered: new Set(Object.keys(prior.delivered)),
  });
  const routes = routeByKind(detectors, { directory, network: o.config.corporateNetworks, kerberos, nameSids: identities.nameSids }, collector);
  const wanted = planFilter(pullPlan(enabled));
  const stats: PassStats = {
    records: 0, events: 0, quarantined: 0, unmodelled: new Map(), alerts: 0,
    excluded: 0, heldWhileLearning: 0, alreadyDelivered: 0, quarantineReasons: new Map(),
  };
  const futureSkewMs = o.futureSkewMs ?? DEFAULT_FUTURE_SKEW_MS;
  const latestTrusted = (o.clock ?? Date.now)() + futureSkewMs;
  // A watermark beyond the clock was left by a pass before this bound existed: start afresh.
  let watermark = prior.watermark !== null && prior.watermark <= latestTrusted ? prior.watermark : -Infinity;
  let lastEviction = -Infinity;
  const progressEvery = o.progressEvery ?? 50_000;

  const quarantine = (reason: string, origin: string, text: string): void => {
    stats.quarantined++;
    const family = reason.replace(/[:(].*$/, '').trim();
    stats.quarantineReasons.set(family, (stats.quarantineReasons.get(family) ?? 0) + 1);
    o.quarantine.put({ reason, origin, text });
  };

  for await (const page of o.source.pull(prior.checkpoint)) {
    for (const rec of page) {
      stats.records++;
      if (rec.kind === 'malformed') {
        quarantine(rec.reason, rec.origin, boundedText(rec.text));
      } else {
        const n = normalize(rec.value, wanted);
        if (n.status === 'event' && n.event.time > latestTrusted) {
          quarantine(futureReason(n.event.time, latestTrusted, futureSkewMs), rec.origin, safeText(rec));
        } else if (n.status === 'event') {
          stats.events++;
          const ev = n.event;
          if (ev.time > watermark) watermark = ev.time;
          directory.observe(ev);
          identities.observe(ev, directory);
          if (ledgerOptions) kerberos.observe(ev);
          const targets = routes.get(ev.kind);
          if (targets) for (const t of targets) t.detector.handle(ev, t.ctx);
        } else if (n.status === 'unmodelled') {
          const key = `${n.channel}:${n.eventId}`;
          stats.unmodelled.set(key, (stats.unmodelled.get(key) ?? 0) + 1);
        } else {
          quarantine(n.reason, rec.origin, safeText(rec));
        }
      }
      if (watermark - lastEviction >= EVICT_EVERY_MS) {
        if (lastEviction !== -Infinity) {
          evictIdle(detectors, directory, watermark - o.config.stateTtlMs, watermark);
          identities.nameSids.evictBefore(watermark - o.config.stateTtlMs);
          if (ledgerOptions) kerberos.evictIdle(watermark - o.config.stateTtlMs, watermark);
        }
        lastEviction = watermark;
      }
      if (o.onProgress && stats.records % progressEvery === 0) {
        stats.alerts = collector.size;
        o.onProgress(stats);
      }
    }
  }

  if (o.finalInput && Number.isFinite(watermark)) for (const r of flushRoutes(routes)) r.detector.flush?.(r.ctx, watermark);
  const alerts = collector.drain().map((a) => identities.annotate(a, directory));
  Object.assign(stats, collector.counts, { alerts: alerts.length });
  const finalWatermark = Number.isFinite(watermark) ? watermark : null;
  // Scores decay with event time: they are recomputed at the pass's latest event (DESIGN §6),
  // before the sink write so the sink carries them; nothing is committed until it acknowledged.
  const scores = new ScoreBook(prior.scores ?? undefined);
  let updates: ScoreUpdate[] = [];
  if (finalWatermark !== null) {
    const changes = scores.update(alerts, passScoring({ identities, directory, at: finalWatermark, testMode: o.config.testMode, precision: o.config.scoring.precision }));
    updates = scoreUpdates(scores.ranked(finalWatermark), changes, finalWatermark);
    scores.markSent(new Map(updates.flatMap((u) => (u.kind === 'score' ? [[u.key, u.score] as const] : []))));
  }
  await o.sink.write(alerts, updates);
  await o.quarantine.close();

  if (finalWatermark !== null) {
    evictIdle(detectors, directory, finalWatermark - o.config.stateTtlMs, finalWatermark);
    if (ledgerOptions) kerberos.evictIdle(finalWatermark - o.config.stateTtlMs, finalWatermark);
    identities.evictIdle(finalWatermark - o.config.stateTtlMs, scores.ids());
  }
  // Routes hold every detector: cleared, so each one is released as soon as it is snapshotted.
  routes.clear();
  // Detector sections are small and taking them releases each detector: made once, now.
  const detectorSnapshots = snapshotDetectors(prior.detectorOrder, prior.detectors, detectors);
  const checkpoint = o.source.checkpointAfterPull();
  const deliveredIds = delivered(prior.delivered, alerts, finalWatermark, o.config.stateTtlMs);
  const state = stateOnDemand({
    version: () => STATE_VERSION,
    checkpoint: () => checkpoint,
    watermark: () => finalWatermark,
    directory: () => directory.snapshot(),
    kerberos: () => (ledgerOptions ? kerberos.snapshot() : prior.kerberos),
    detectors: () => detectorSnapshots,
    delivered: () => deliveredIds,
    identities: () => identities.snapshot(),
    scores: () => scores.snapshot(),
  });
  // Compare-and-set: a pass that overlapped another one fails here, before it changed anything.
  await o.store.save(state, token);
  return { alerts, scores: updates, stats, state };
}

/** What of the loaded state the pass carries beyond restoring it: the rest is released. */
interface Carried {
  readonly checkpoint: unknown;
  readonly watermark: number | null;
  readonly delivered: Readonly<Record<string, number>>;
  readonly scores: EngineState['scores'];
  /** The ledger's saved snapshot, when no reader is enabled and it passes through untouched. */
  readonly kerberos: EngineState['kerberos'];
  /** Saved detectors that are not enabled this pass, passed through untouched. */
  readonly detectors: Readonly<Record<string, unknown>>;
  /** The saved document's detector order, kept so an unchanged state writes the same bytes. */
  readonly detectorOrder: readonly string[];
}

/** The live structures from the loaded state; the document itself goes out of scope on return. */
async function restore(o: PassOptions, enabled: readonly DetectorModule[], ledgerOptions: ReturnType<typeof kerberosLedgerOptions>) {
  const loaded = await o.store.load();
  const prior = loaded?.state ?? emptyState();
  const directory = new DirectoryModel(o.config, prior.directory ?? undefined);
  const identities = new Identities(o.config, prior.identities ?? undefined);
  // Fed only while a reader is enabled; otherwise its saved snapshot passes through untouched.
  const kerberos = new KerberosLedger(ledgerOptions ?? { etypes: false }, prior.kerberos ?? undefined, 'the loaded state');
  const detectors = enabled.map((m) => {
    const resolved = o.config.detectors.get(m.declaration.id);
    if (!resolved) throw new Error(`no settings for ${m.declaration.id}`);
    return restoreDetector(m, resolved.settings, prior.detectors[m.declaration.id], 'the loaded state');
  });
  const live = new Set(enabled.map((m) => m.declaration.id as string));
  const carried: Carried = {
    checkpoint: prior.checkpoint,
    watermark: prior.watermark,
    delivered: prior.delivered,
    scores: prior.scores,
    kerberos: ledgerOptions ? null : prior.kerberos ?? null,
    detectors: Object.fromEntries(Object.entries(prior.detectors).filter(([id]) => !live.has(id))),
    detectorOrder: Object.keys(prior.detectors),
  };
  return { token: loaded?.token ?? null, carried, directory, identities, kerberos, detectors };
}

/**
 * Every detector's snapshot, in the saved document's order, then new ones in registry order:
 * `{ ...saved, ...current }` as before. Each live detector is taken off the list as it is
 * snapshotted, so the pass never holds all of its live state and all of its snapshot at once.
 */
function snapshotDetectors(order: readonly string[], carried: Readonly<Record<string, unknown>>, live: Detector[]): Record<string, unknown> {
  const taken = new Map<string, unknown>();
  for (let d = live.shift(); d !== undefined; d = live.shift()) taken.set(d.declaration.id, d.snapshot());
  const out: Record<string, unknown> = {};
  for (const id of order) out[id] = taken.has(id) ? taken.get(id) : carried[id];
  for (const [id, s] of taken) if (!(id in out)) out[id] = s;
  return out;
}

interface Route {
  readonly detector: Detector;
  readonly ctx: DetectionContext;
}

function routeByKind(detectors: readonly Detector[], views: Pick<DetectionContext, 'directory' | 'network' | 'kerberos' | 'nameSids'>, collector: AlertCollector): Map<IdentityEventKind, Route[]> {
  const routes = new Map<IdentityEventKind, Route[]>();
  for (const detector of detectors) {
    const ctx: DetectionContext = { ...views, emit: (s) => collector.add(detector.declaration, s) };
    for (const kind of detector.declaration.consumes) {
      const list = routes.get(kind) ?? [];
      list.push({ detector, ctx });
      routes.set(kind, list);
    }
  }
  return routes;
}

export { enabledModules };

/** What a pass with this config reads: sources use it to leave other events unparsed. */
export function wantedEvents(config: ResolvedConfig, modules: readonly DetectorModule[]): EventFilter {
  return planFilter(pullPlan(modules, config));
}

function evictIdle(detectors: readonly Detector[], directory: DirectoryModel, before: number, watermark: number): void {
  for (const d of detectors) d.evictIdle(before, watermark);
  directory.evictIdle(before, watermark);
}

/** One route per detector (its context emits under its own declaration), in registry order. */
function flushRoutes(routes: ReadonlyMap<IdentityEventKind, readonly Route[]>): Route[] {
  const seen = new Map<Detector, Route>();
  for (const list of routes.values()) for (const r of list) if (!seen.has(r.detector)) seen.set(r.detector, r);
  return [...seen.values()];
}

function delivered(prior: Readonly<Record<string, number>>, alerts: readonly Alert[], watermark: number | null, ttl: number): Record<string, number> {
  const out: Record<string, number> = {};
  const keepAfter = watermark === null ? -Infinity : watermark - ttl;
  for (const [id, t] of Object.entries(prior)) if (t >= keepAfter) out[id] = t;
  for (const a of alerts) out[a.id] = Date.parse(a.lastSeen);
  return out;
}

/** A bounded prefix of what the record was, built without recursion (issue 12, item 1). */
function safeText(rec: SourceRecord): string {
  return rec.kind === 'malformed' ? boundedText(rec.text) : boundedJson(rec.value);
}

function futureReason(time: number, latest: number, skew: number): string {
  return `time in the future: ${new Date(time).toISOString()} is more than ${Math.round(skew / 60_000)} minutes after the clock (${new Date(latest - skew).toISOString()})`;
}
