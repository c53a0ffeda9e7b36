import type { Alert } from '../../core/alerts/alert';
import type { CloudBenign, CloudDetector, CloudLabel } from './attacks';

/**
 * Alerts of a cloud workload against its labels: which injected attacks the cloud detectors
 * found (right detector, right user, within an hour), and which cloud alerts name nobody the
 * labels account for — split into benign look-alikes the workload declares (travel) and false
 * alarms.
 */

export const CLOUD_DETECTORS: readonly CloudDetector[] = ['impossible_travel', 'unfamiliar_signin', 'cloud_password_spray', 'mfa_fatigue', 'containment_reverted'];

export interface CloudScore {
  readonly found: readonly CloudLabel[];
  readonly missed: readonly CloudLabel[];
  readonly lookAlikes: readonly Alert[];
  readonly falseAlarms: readonly Alert[];
}

const WINDOW_MS = 3_600_000;

export function scoreCloud(alerts: readonly Alert[], labels: readonly CloudLabel[], benign: readonly CloudBenign[]): CloudScore {
  const cloud = alerts.filter((a) => (CLOUD_DETECTORS as readonly string[]).includes(a.detector));
  const names = (a: Alert) => a.entities.accounts.map((x) => x.name.toLowerCase());
  const matches = (a: Alert, l: CloudLabel) => a.detector === l.detector && names(a).includes(l.user.toLowerCase()) && Math.abs(Date.parse(a.firstSeen) - Date.parse(l.time)) <= WINDOW_MS;
  const found = labels.filter((l) => cloud.some((a) => matches(a, l)));
  // An alert about the attacker's own traffic (the address a label names) is part of that attack.
  const explained = (a: Alert) => labels.some((l) => matches(a, l) || (l.source !== undefined && a.entities.hosts.some((h) => h.ip === l.source)));
  const unexplained = cloud.filter((a) => !explained(a));
  const lookAlike = (a: Alert) => benign.some((b) => b.resembles === a.detector && names(a).includes(b.user.toLowerCase()));
  return {
    found,
    missed: labels.filter((l) => !found.includes(l)),
    lookAlikes: unexplained.filter(lookAlike),
    falseAlarms: unexplained.filter((a) => !lookAlike(a)),
  };
}
