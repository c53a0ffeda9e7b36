import type { ResolvedConfig } from '../config/config';
import { HOUR, MINUTE, threshold, type DetectorModule } from '../detectors/detector';
import type { DetectorId } from '../detectors/detector-id';
import type { KerberosLedgerOptions } from '../estate/kerberos-ledger';

/** The detectors that read the Kerberos ledger's TGTs, and so set its horizon and coverage gap. */
export const KERBEROS_LEDGER_READERS: readonly DetectorId[] = ['golden_ticket', 'pass_the_ticket'];
/** The detectors that read its etype days per account and per address. */
export const KERBEROS_ETYPE_READERS: readonly DetectorId[] = ['overpass_the_hash'];

/**
 * The ledger's settings from its enabled readers, or undefined when none is enabled (then the
 * engine neither feeds it nor changes its saved snapshot); each half is learned only while one
 * of its readers is enabled. The TGT horizon is the longest ticket
 * lifetime plus twice the longest clock skew (a waiting verdict looks back over one skew from an
 * event up to one skew late); the coverage gap the shortest, so a silence that restarts one
 * reader's coverage restarts the shared tracker: "no TGT" is judged only when every reader would.
 */
export function kerberosLedgerOptions(config: ResolvedConfig, enabled: readonly DetectorModule[]): KerberosLedgerOptions | undefined {
  let horizonMs = 0;
  let coverageGapMs = Infinity;
  for (const m of enabled) {
    if (!KERBEROS_LEDGER_READERS.includes(m.declaration.id)) continue;
    const settings = config.detectors.get(m.declaration.id)?.settings;
    if (!settings) continue;
    const span = threshold(settings, 'ticketLifetimeHours') * HOUR + 2 * threshold(settings, 'clockSkewMinutes') * MINUTE;
    horizonMs = Math.max(horizonMs, span);
    coverageGapMs = Math.min(coverageGapMs, threshold(settings, 'coverageGapMinutes') * MINUTE);
  }
  const etypes = enabled.some((m) => KERBEROS_ETYPE_READERS.includes(m.declaration.id));
  const tickets = Number.isFinite(coverageGapMs) ? { horizonMs, coverageGapMs } : undefined;
  return tickets || etypes ? { ...(tickets ? { tickets } : {}), etypes } : undefined;
}
