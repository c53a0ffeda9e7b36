import type { Alert, AlertAccount, AlertIdentity, EntityRole, EvidenceEvent, Severity } from '../alerts/alert';
import type { DetectorId } from '../detectors/detector-id';
import { computeScore, DROP_AFTER_MS, type Criticality, type ScoreBreakdown, type SignalInput } from './model';
import { addPoint, mergeHistory, MAX_HISTORY, scoreBefore } from './score-history';
import { DAY as DAY_MS } from '../events/time';

/**
 * Every identity's investigation priority score, kept across passes in engine state: the
 * signals (alerts) behind it, its score over time, and analyst resets. A score is never
 * stored as a running total: it is recomputed from its signals at any time, so it decays
 * between passes, and a rerun that re-delivers an alert changes nothing (signals are keyed
 * by alert id).
 */

export interface StoredSignal extends SignalInput {
  readonly severity: Severity;
  readonly role: EntityRole;
  readonly description: string;
  readonly evidenceCount: number;
  /** The first evidence events, for the user timeline. */
  readonly events: readonly EvidenceEvent[];
}

export interface ScoreEntry {
  readonly id: string;
  identity: AlertIdentity;
  criticality: Criticality;
  signals: StoredSignal[];
  /** [time, score] after each alert and at the end of each pass. */
  history: [number, number][];
  /** Signals last seen at or before this are cleared (an analyst reset). */
  resetAt?: number;
  resets: { at: number; scoreBefore: number }[];
  /** The score at the end of the last pass, with its contribution table. */
  current?: ScoreBreakdown;
  /** What the sink last received for it (score-update.ts): an unchanged 0 is not re-sent. */
  sent?: { readonly score: number; readonly fingerprint: string };
}

export interface ScoreBookSnapshot {
  /** When the scores were last computed (event time of the pass). */
  readonly at: number | null;
  readonly activeIdentities: number;
  /** Precision priors used in the last pass, so readers recompute exactly. */
  readonly precision: Readonly<Record<string, number>>;
  readonly entries: readonly ScoreEntry[];
}

/** What a pass needs from identity resolution and config to score its alerts. */
export interface PassScoring {
  readonly at: number;
  readonly activeIdentities: number;
  readonly precision: (d: DetectorId) => number;
  /** The identity of an account an alert names, and how much its baseline had matured then (q). */
  readonly resolve: (account: AlertAccount, alert: Alert) => { readonly identity: AlertIdentity; readonly maturity: number } | undefined;
  /** Current identity and criticality of a (possibly merged-away) identity id. */
  readonly current: (id: string) => { readonly identity: AlertIdentity; readonly criticality: Criticality } | undefined;
}

export interface RankedScore {
  readonly entry: ScoreEntry;
  readonly breakdown: ScoreBreakdown;
  readonly percentile: number;
  readonly change24h: number;
  /** Rose by at least 30 within 24 h to at least 70 (research note §3b). */
  readonly riskJump: boolean;
}

/** What one `update` changed: identities that got signals, and those that left the book (→ the id they merged into). */
export interface ScoreChanges {
  readonly touched: ReadonlySet<string>;
  readonly retired: ReadonlyMap<string, string | undefined>;
}

const SCORED_ROLES: ReadonlySet<EntityRole> = new Set(['actor', 'target', 'member']);
const MAX_EVENTS = 10;

export class ScoreBook {
  private readonly entries = new Map<string, ScoreEntry>();
  private at: number | null;
  private activeIdentities: number;
  private precisionUsed: Record<string, number>;
  /** Popularity per `detector|time`, valid until the signals change. */
  private readonly popular = new Map<string, number>();

  constructor(saved?: ScoreBookSnapshot) {
    this.at = saved?.at ?? null;
    this.activeIdentities = saved?.activeIdentities ?? 0;
    this.precisionUsed = { ...(saved?.precision ?? {}) };
    for (const e of saved?.entries ?? []) this.entries.set(e.id, { ...e, signals: [...e.signals], history: e.history.map(([t, s]) => [t, s]), resets: [...e.resets] });
  }

  /** Adds a pass's alerts and recomputes every score at the pass's time. */
  update(alerts: readonly Alert[], pass: PassScoring): ScoreChanges {
    const retired = new Map<string, string | undefined>();
    this.follow(pass, retired);
    const touched = new Map<string, Set<number>>();
    for (const alert of alerts) {
      const accounts = alert.entities.accounts.filter((a) => SCORED_ROLES.has(a.role));
      const others = accounts.filter((a) => a.role !== 'actor').length;
      for (const account of accounts) {
        const resolved = pass.resolve(account, alert);
        if (!resolved) continue;
        // A spray names many targets; each learns little about itself from one of n.
        const share = account.role === 'actor' ? 1 : 1 / Math.sqrt(Math.max(1, others));
        const entry = this.entry(resolved.identity, pass);
        const signal = toSignal(alert, account.role, share, resolved.maturity);
        const i = entry.signals.findIndex((s) => s.alertId === alert.id);
        if (i >= 0) entry.signals[i] = strongest(entry.signals[i] as StoredSignal, signal);
        else entry.signals.push(signal);
        const times = touched.get(entry.id) ?? new Set<number>();
        times.add(signal.lastSeen);
        touched.set(entry.id, times);
      }
    }
    this.at = pass.at;
    this.activeIdentities = pass.activeIdentities;
    this.popular.clear();
    for (const d of new Set([...this.entries.values()].flatMap((e) => e.signals.map((s) => s.detector)))) this.precisionUsed[d] = pass.precision(d);
    for (const [id, times] of touched) {
      const entry = this.entries.get(id) as ScoreEntry;
      for (const t of [...times].sort((a, b) => a - b)) if (t <= pass.at) addPoint(entry, t, this.breakdown(entry, t).score);
    }
    for (const entry of [...this.entries.values()]) {
      this.prune(entry, pass.at);
      if (entry.signals.length === 0 && entry.history.length === 0) {
        this.entries.delete(entry.id);
        retired.set(entry.id, undefined);
        continue;
      }
      entry.current = this.breakdown(entry, pass.at);
      addPoint(entry, pass.at, entry.current.score);
    }
    for (const id of this.entries.keys()) retired.delete(id);
    return { touched: new Set(touched.keys()), retired };
  }

  /** The score of one identity at `at`, with its contribution table; a reset later than `at` had cleared nothing yet. */
  breakdown(entry: ScoreEntry, at: number): ScoreBreakdown {
    return computeScore(entry.signals, {
      at,
      precision: (d) => this.precisionUsed[d] ?? 0.5,
      popularity: (d) => this.popularity(d, at),
      criticality: entry.criticality,
      ...(entry.resetAt !== undefined && entry.resetAt <= at ? { resetAt: entry.resetAt } : {}),
    });
  }

  /** p = max(0.3, 1 − √(identities hit by the detector in 30 days ÷ active identities)). */
  popularity(detector: DetectorId, at: number): number {
    const memo = this.popular.get(`${detector}|${at}`);
    if (memo !== undefined) return memo;
    let hit = 0;
    for (const e of this.entries.values()) if (e.signals.some((s) => s.detector === detector && s.lastSeen <= at && at - s.lastSeen <= DROP_AFTER_MS)) hit++;
    const population = Math.max(this.activeIdentities, this.entries.size, 1);
    const p = Math.max(0.3, 1 - Math.sqrt(hit / population));
    this.popular.set(`${detector}|${at}`, p);
    return p;
  }

  /** Every scored identity at `at`, highest first, with its org percentile and 24 h change. */
  ranked(at: number = this.at ?? 0): RankedScore[] {
    const scored = [...this.entries.values()].map((entry) => ({ entry, breakdown: this.breakdown(entry, at) }));
    const population = Math.max(this.activeIdentities, scored.length);
    const scores = scored.map((s) => s.breakdown.score);
    return scored
      .map(({ entry, breakdown }) => {
        const below = population - scored.length + scores.filter((x) => x < breakdown.score).length;
        const change24h = breakdown.score - scoreBefore(entry, at - DAY_MS);
        return {
          entry, breakdown,
          percentile: breakdown.score > 0 ? (100 * below) / population : 0,
          change24h,
          riskJump: change24h >= 30 && breakdown.score >= 70,
        };
      })
      .sort((a, b) => b.breakdown.score - a.breakdown.score || byName(a.entry.identity.name, b.entry.identity.name));
  }

  /** An identity by id, UPN, account name, SID or object id. */
  find(query: string): ScoreEntry | undefined {
    const q = query.trim().toLowerCase().replace(/^.*\\/, '');
    for (const e of this.entries.values()) {
      const i = e.identity;
      if ([e.id, i.name, i.upn, i.sam, i.sid, i.objectId].some((v) => v !== undefined && v.toLowerCase() === q)) return e;
    }
    return undefined;
  }

  /** Records what the sink is handed, for the next pass to tell what changed; saved with the state after the sink acknowledged. */
  markSent(sent: ReadonlyMap<string, number>): void {
    for (const [id, score] of sent) {
      const e = this.entries.get(id);
      if (e) e.sent = { score, fingerprint: sentFingerprint(e) };
    }
  }

  /** Clears a score from now on; its signals, history and earlier resets stay for the record. */
  reset(entry: ScoreEntry, at: number): number {
    const before = this.breakdown(entry, at).score;
    entry.resetAt = at;
    entry.resets.push({ at, scoreBefore: before });
    // Kept beside the point it clears, even at the same instant: the chart shows the drop.
    entry.history.push([at, 0]);
    entry.current = this.breakdown(entry, at);
    return before;
  }

  get time(): number | null {
    return this.at;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Identity ids that have a score: identity resolution keeps them however idle. */
  ids(): Set<string> {
    return new Set(this.entries.keys());
  }

  snapshot(): ScoreBookSnapshot {
    return { at: this.at, activeIdentities: this.activeIdentities, precision: this.precisionUsed, entries: [...this.entries.values()] };
  }

  /** Identities merged since the last pass: their entries move under the surviving id. */
  private follow(pass: PassScoring, retired: Map<string, string | undefined>): void {
    for (const entry of [...this.entries.values()]) {
      const now = pass.current(entry.id);
      if (!now) continue;
      entry.criticality = now.criticality;
      if (now.identity.id === entry.id) {
        entry.identity = now.identity;
        continue;
      }
      this.entries.delete(entry.id);
      retired.set(entry.id, now.identity.id);
      const into = this.entries.get(now.identity.id);
      if (!into) {
        this.entries.set(now.identity.id, { ...entry, id: now.identity.id, identity: now.identity });
        continue;
      }
      for (const s of entry.signals) if (!into.signals.some((x) => x.alertId === s.alertId)) into.signals.push(s);
      into.history = mergeHistory(into.history, entry.history);
      into.resets.push(...entry.resets);
      if (entry.resetAt !== undefined) into.resetAt = Math.max(into.resetAt ?? -Infinity, entry.resetAt);
    }
  }

  private entry(identity: AlertIdentity, pass: PassScoring): ScoreEntry {
    const existing = this.entries.get(identity.id);
    if (existing) return existing;
    const criticality = pass.current(identity.id)?.criticality ?? { tier: 'normal', multiplier: 1, reasons: [] };
    const created: ScoreEntry = { id: identity.id, identity, criticality, signals: [], history: [], resets: [] };
    this.entries.set(identity.id, created);
    return created;
  }

  private prune(entry: ScoreEntry, at: number): void {
    entry.signals = entry.signals.filter((s) => at - s.lastSeen <= DROP_AFTER_MS);
    entry.history = entry.history.filter(([t]) => at - t <= DROP_AFTER_MS).slice(-MAX_HISTORY);
    entry.resets = entry.resets.slice(-20);
  }
}

/**
 * Ties broken by lower-cased name in code-point order, then by name: no locale, so every SIEM
 * can sort the same way (a SIEM's `sort` is lexicographic by code point; `ScoreUpdate.sortName`).
 */
export function byName(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The identity facts a score record shows besides the score: a change re-sends it. */
export function sentFingerprint(e: ScoreEntry): string {
  return JSON.stringify([e.identity, e.criticality.tier, e.criticality.reasons]);
}

function toSignal(alert: Alert, role: EntityRole, share: number, maturity: number): StoredSignal {
  return {
    alertId: alert.id, detector: alert.detector, title: alert.title, severity: alert.severity, risk: alert.riskScore,
    firstSeen: Date.parse(alert.firstSeen), lastSeen: Date.parse(alert.lastSeen), share, maturity, role,
    ...(alert.learning ? { learning: true } : {}),
    description: alert.description.length > 400 ? `${alert.description.slice(0, 399)}…` : alert.description,
    evidenceCount: alert.evidence.count, events: alert.evidence.events.slice(0, MAX_EVENTS),
  };
}

/** One alert naming an identity twice (actor and target): the larger share counts. */
function strongest(a: StoredSignal, b: StoredSignal): StoredSignal {
  return b.share * b.risk >= a.share * a.risk ? b : a;
}
