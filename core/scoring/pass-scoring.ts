import type { Alert } from '../alerts/alert';
import type { DetectorId } from '../detectors/detector-id';
import type { DirectoryView } from '../estate/directory-model';
import type { Identities } from '../identity/identities';
import type { IdentityRecord } from '../identity/identity-directory';
import { DROP_AFTER_MS } from './model';
import { SCORING_PROFILES } from './profiles';
import type { PassScoring } from './score-book';
import { DAY as DAY_MS } from '../events/time';

/** Successful authentications an identity needs before its baselines count as mature. */
export const MATURE_AFTER_EVENTS = 20;

export interface PassScoringOptions {
  readonly identities: Identities;
  readonly directory: DirectoryView;
  /** The pass's time: its latest event time. */
  readonly at: number;
  readonly testMode: boolean;
  readonly precision: (d: DetectorId) => number;
}

/** Connects a pass's identity resolution and config to the score book. */
export function passScoring(o: PassScoringOptions): PassScoring {
  return {
    at: o.at,
    activeIdentities: o.identities.directory.activeCount(o.at - DROP_AFTER_MS),
    precision: o.precision,
    resolve: (account, alert) => {
      const record = o.identities.resolve(account, Date.parse(alert.lastSeen));
      if (!record) return undefined;
      return { identity: o.identities.describe(record, o.directory), maturity: maturity(record, alert, o.testMode) };
    },
    current: (id) => {
      const record = o.identities.directory.get(id);
      if (!record) return undefined;
      return { identity: o.identities.describe(record, o.directory), criticality: o.identities.criticality(record, o.directory) };
    },
  };
}

/**
 * q (research note §3b): ½ while the alert's own baseline was learning, or while the identity
 * had less history than the detector's baselines need (L days and N authentications); 1
 * after. Signals count at half weight while learning rather than being suppressed.
 */
export function maturity(record: IdentityRecord, alert: Alert, testMode: boolean): number {
  if (alert.learning) return 0.5;
  const days = SCORING_PROFILES[alert.detector].maturityDays;
  if (testMode || days === 0) return 1;
  const since = record.firstActive;
  const mature = since !== undefined && Date.parse(alert.firstSeen) - since >= days * DAY_MS && record.activeEvents >= MATURE_AFTER_EVENTS;
  return mature ? 1 : 0.5;
}
