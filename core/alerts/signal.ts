import type { EventOrigin } from '../events/identity-event';
import type { AlertAccount, AlertHost, Severity } from './alert';

/**
 * What a detector says when it fires: the raw material of an alert. The collector turns
 * signals into alerts (id, merge, exclusions, learning policy); detectors never build ids.
 */
export interface Signal {
  /** Primary entity keys that identify "the same attack" (e.g. actor + target DC). */
  readonly keys: readonly string[];
  readonly severity: Severity;
  readonly title?: string;
  readonly description: string;
  readonly accounts: readonly AlertAccount[];
  readonly hosts: readonly AlertHost[];
  /** The events that prove it; the first one's time places the alert in its bucket. */
  readonly events: readonly EventOrigin[];
  readonly details?: Readonly<Record<string, unknown>>;
  readonly recommendations?: readonly string[];
  /** The verdict depends on a baseline that has not finished learning. */
  readonly learning?: boolean;
}
