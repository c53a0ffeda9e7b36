import type { Exclusions } from '../config/config';
import type { DetectorDeclaration } from '../detectors/detector';
import type { DetectorId } from '../detectors/detector-id';
import { hostKey } from '../events/fields';
import type { EventOrigin } from '../events/identity-event';
import { SEVERITY_RISK, lowerSeverity, severityRank, type Alert, type Severity, type AlertAccount, type AlertHost, type EvidenceEvent } from './alert';
import { alertId } from './alert-id';
import type { Signal } from './signal';
import type { LearningMode } from './learning-mode';

const MAX_EVIDENCE = 50;

export type { LearningMode } from './learning-mode';

export interface CollectorPolicy {
  readonly learningMode: LearningMode;
  readonly exclusions: ReadonlyMap<DetectorId, Exclusions>;
  /** Ids already delivered by an earlier committed pass: never delivered again. */
  readonly delivered: ReadonlySet<string>;
}

export interface CollectorCounts {
  excluded: number;
  heldWhileLearning: number;
  alreadyDelivered: number;
}

interface Pending {
  alert: Mutable<Alert>;
  evidenceKeys: Set<string>;
  accounts: Map<string, AlertAccount>;
  hosts: Map<string, AlertHost>;
  firstMs: number;
  lastMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Turns detector signals into alerts: exclusions, learning policy, stable ids, and merging
 * of repeats within a bucket into one alert with a count and a time range.
 */
export class AlertCollector {
  readonly counts: CollectorCounts = { excluded: 0, heldWhileLearning: 0, alreadyDelivered: 0 };
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly policy: CollectorPolicy) {}

  add(declaration: DetectorDeclaration, signal: Signal): void {
    const exclusions = this.policy.exclusions.get(declaration.id);
    if (exclusions && isExcluded(signal, exclusions)) {
      this.counts.excluded++;
      return;
    }
    if (signal.learning && this.policy.learningMode === 'hold') {
      this.counts.heldWhileLearning++;
      return;
    }
    const trigger = signal.events[0];
    if (!trigger) throw new Error(`${declaration.id} emitted a signal without evidence events`);
    const id = alertId(declaration.id, signal.keys, trigger.time, declaration.bucketHours * 3_600_000);
    if (this.policy.delivered.has(id)) {
      this.counts.alreadyDelivered++;
      return;
    }
    const verdict = deliveredAs(signal, this.policy.learningMode);
    const existing = this.pending.get(id);
    if (existing) merge(existing, signal, verdict);
    else this.pending.set(id, create(id, declaration, signal, verdict));
  }

  get size(): number {
    return this.pending.size;
  }

  /** Every alert collected so far, oldest first; the collector is empty afterwards. */
  drain(): Alert[] {
    const out = [...this.pending.values()]
      .sort((a, b) => a.firstMs - b.firstMs || (a.alert.id < b.alert.id ? -1 : 1))
      .map((p) => ({ ...p.alert, entities: { accounts: [...p.accounts.values()], hosts: [...p.hosts.values()] } }));
    this.pending.clear();
    return out;
  }
}

interface Verdict {
  readonly severity: Severity;
  readonly risk: number;
}

/**
 * A learning verdict's risk stays the lowered severity's (`lower` mode's), so the priority
 * score weighs it exactly as before issue 15 (and halves it again for learning, q = ½):
 * informational changes where the alert goes, not what it adds to the person's score.
 */
function deliveredAs(s: Signal, mode: LearningMode): Verdict {
  if (!s.learning) return { severity: s.severity, risk: SEVERITY_RISK[s.severity] };
  const lowered = lowerSeverity(s.severity);
  return { severity: mode === 'informational' ? 'informational' : lowered, risk: SEVERITY_RISK[lowered] };
}

function create(id: string, d: DetectorDeclaration, s: Signal, v: Verdict): Pending {
  const p: Pending = {
    alert: {
      id,
      detector: d.id,
      title: s.title ?? d.title,
      severity: v.severity,
      riskScore: v.risk,
      mitre: d.mitre,
      firstSeen: '',
      lastSeen: '',
      entities: { accounts: [], hosts: [] },
      evidence: { count: 0, events: [], ...(s.details ? { details: s.details } : {}) },
      description: s.description,
      recommendations: s.recommendations ?? d.recommendations,
      ...(s.learning ? { learning: true, verdictSeverity: s.severity } : {}),
    },
    evidenceKeys: new Set(),
    accounts: new Map(),
    hosts: new Map(),
    firstMs: Infinity,
    lastMs: -Infinity,
  };
  absorb(p, s);
  return p;
}

function merge(p: Pending, s: Signal, v: Verdict): void {
  const rank = severityRank(v.severity) - severityRank(p.alert.severity);
  if (rank > 0 || (rank === 0 && v.risk >= p.alert.riskScore)) {
    // The strongest signal explains the alert: an escalation rewrites the story.
    p.alert.severity = v.severity;
    p.alert.riskScore = v.risk;
    p.alert.description = s.description;
    if (s.title) p.alert.title = s.title;
    if (s.recommendations) p.alert.recommendations = s.recommendations;
    if (s.details) p.alert.evidence = { ...p.alert.evidence, details: { ...p.alert.evidence.details, ...s.details } };
    if (!s.learning) { delete p.alert.learning; delete p.alert.verdictSeverity; } else p.alert.verdictSeverity = s.severity;
  }
  absorb(p, s);
}

function absorb(p: Pending, s: Signal): void {
  for (const a of s.accounts) {
    const key = `${a.role}|${a.name.toLowerCase()}`;
    if (!p.accounts.has(key)) p.accounts.set(key, a);
  }
  for (const h of s.hosts) {
    const key = `${h.role}|${h.name ? hostKey(h.name) : ''}|${h.ip ?? ''}`;
    if (!p.hosts.has(key)) p.hosts.set(key, h);
  }
  const events = p.alert.evidence.events as EvidenceEvent[];
  let count = p.alert.evidence.count;
  for (const e of s.events) {
    const key = `${e.host}|${e.eventId}|${e.recordId ?? `t${e.time}`}`;
    if (p.evidenceKeys.has(key)) continue;
    p.evidenceKeys.add(key);
    count++;
    if (events.length < MAX_EVIDENCE) events.push(evidence(e));
    if (e.time < p.firstMs) p.firstMs = e.time;
    if (e.time > p.lastMs) p.lastMs = e.time;
  }
  p.alert.evidence = { ...p.alert.evidence, count, events };
  p.alert.firstSeen = new Date(p.firstMs).toISOString();
  p.alert.lastSeen = new Date(p.lastMs).toISOString();
}

function evidence(e: EventOrigin): EvidenceEvent {
  return { EventRecordID: e.recordId, Computer: e.host, EventID: e.eventId, TimeCreated: new Date(e.time).toISOString() };
}

function isExcluded(s: Signal, x: Exclusions): boolean {
  for (const a of s.accounts) {
    if (x.accounts.has(a.name.toLowerCase()) || (a.sid !== undefined && x.accounts.has(a.sid.toLowerCase()))) return true;
  }
  for (const h of s.hosts) {
    if (h.name !== undefined && x.hosts.has(hostKey(h.name))) return true;
    if (h.ip !== undefined && x.addresses.matches(h.ip)) return true;
  }
  return false;
}
