import type { Mitre, Severity } from '../alerts/alert';
import type { KerberosLedgerView } from '../estate/kerberos-ledger';
import type { Signal } from '../alerts/signal';
import type { CorporateNetworkView } from '../config/corporate-networks';
import type { IdentityEvent, IdentityEventKind } from '../events/identity-event';
import type { NativeForm, Predicate } from '../rules/tree';
import type { DetectorId } from './detector-id';
import type { DirectoryView } from '../estate/directory-view';
import type { NameSidView } from '../estate/name-sid-pairs';

/**
 * A detector's declaration is data: the registry, `doctor`, the README table, the config
 * schema and (later) the native rule packs are all generated from it.
 */
export interface DetectorDeclaration {
  readonly id: DetectorId;
  readonly title: string;
  /** One sentence on the mechanics it follows. */
  readonly summary: string;
  readonly severity: Severity;
  readonly mitre: Mitre;
  readonly requires: readonly RequiredEvents[];
  /** Which IdentityEvent kinds `handle` looks at; the engine routes only these. */
  readonly consumes: readonly IdentityEventKind[];
  readonly falsePositives: readonly string[];
  readonly thresholds: Readonly<Record<string, ThresholdSpec>>;
  /** Days of per-entity history before a baseline is trusted; 0 when nothing is learned. */
  readonly learningPeriodDays: number;
  /** Alerts for the same keys within one bucket merge into one alert. */
  readonly bucketHours: number;
  readonly recommendations: readonly string[];
  /** The detection condition as a neutral query tree, compiled into each SIEM's native rules. */
  readonly native: NativeForm;
}

export interface RequiredEvents {
  readonly channel: 'Security' | 'System' | 'Microsoft-Windows-Sysmon/Operational' | 'SigninLogs' | 'AuditLogs';
  readonly eventIds: readonly number[];
  readonly fields: readonly string[];
  /** The audit policy subcategory (or setting) that makes Windows write these events. */
  readonly auditPolicy: string;
  /**
   * Only when the detector ignores every one of these events that fails this condition: an
   * exact necessary condition, which lets the pull plan push it down (`core/rules/pull-plan.ts`).
   */
  readonly where?: Predicate;
}

/**
 * What a model every detector shares reads (the directory model, identity resolution),
 * declared like a detector's `requires` so the pull plan fetches it whichever detectors are
 * enabled, and `doctor` reports what degrades when it is missing.
 */
export interface SharedNeeds {
  /** `directory model`, `identity resolution`. */
  readonly name: string;
  /** What breaks when these events are missing: `doctor` prints it beside the gap. */
  readonly purpose: string;
  readonly requires: readonly RequiredEvents[];
}

export interface ThresholdSpec {
  readonly default: number;
  readonly minimum: number;
  readonly maximum?: number;
  readonly integer: boolean;
  readonly description: string;
}

/** A detector's resolved settings: defaults merged with config. */
export interface DetectorSettings {
  readonly thresholds: Readonly<Record<string, number>>;
  readonly learningPeriodMs: number;
  /** Learning off: baselines are trusted from the first event (MDI's "test mode"). */
  readonly testMode: boolean;
}

export interface DetectionContext {
  readonly directory: DirectoryView;
  /** Corporate egress (office ranges, VPN, SASE ASNs): cloud detectors read no location from it. */
  readonly network: CorporateNetworkView;
  /** The TGTs the DCs issued and renewed, and the stream's coverage (core/estate/kerberos-ledger.ts). */
  readonly kerberos: KerberosLedgerView;
  /** Name↔SID pairs events taught, on the account table's keys (core/estate/name-sid-pairs.ts). */
  readonly nameSids: NameSidView;
  emit(signal: Signal): void;
}

/** A stateful stream processor keyed by entity; pure: time comes from events only. */
export interface Detector {
  readonly declaration: DetectorDeclaration;
  handle(event: IdentityEvent, ctx: DetectionContext): void;
  /** JSON-serialisable state, restored by the module's `create`. */
  snapshot(): unknown;
  /**
   * Forget entities with no activity since `before` (epoch ms, event time: the watermark minus
   * the state TTL), and correlation windows past their own horizon at `watermark` (the latest
   * event time): a 10-hour ticket window need not live for the 30-day TTL of a baseline. The
   * engine always passes `watermark`; without it (a direct call) windows age from `before`.
   */
  evictIdle(before: number, watermark?: number): void;
  /**
   * The input is finished (a one-shot `detect` over files): release the verdicts that wait for
   * clock skew or a grace period, judged on the evidence seen (issue 13, item 3). A scheduled
   * pass never calls it: the next pass may still bring the event that explains them.
   * `watermark` is the latest event time of the input.
   */
  flush?(ctx: DetectionContext, watermark: number): void;
}

export interface DetectorModule {
  readonly declaration: DetectorDeclaration;
  create(settings: DetectorSettings, saved: unknown): Detector;
}

export function threshold(settings: DetectorSettings, name: string): number {
  const v = settings.thresholds[name];
  if (v === undefined) throw new Error(`threshold ${name} missing from resolved settings`);
  return v;
}

/**
 * Whether a baseline that started at `since` is still learning at `now`. Test mode turns
 * learning off, so a fresh deployment alerts at full severity from the first event.
 */
export function stillLearning(settings: DetectorSettings, since: number | undefined, now: number): boolean {
  if (settings.testMode || settings.learningPeriodMs <= 0) return false;
  return since === undefined || now - since < settings.learningPeriodMs;
}

// Detectors read the time constants through their contract; they live in core/events/time.ts.
export { DAY, HOUR, MINUTE } from '../events/time';
