import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past the live heap before its next full collection,
 * in percent. V8's default grows it by up to ~2× the live size (its "heap growing factor", a
 * speed-over-memory choice for browsers), so a pass holding a month of baselines for 100 k
 * accounts peaked at about twice its live state (issue 13: 1,671 MB peak for 467 MB live).
 * At 30 % the peak follows the live state; measured on 1 M events over 100 k accounts, the
 * `detect` peak RSS went 438–584 → 366–380 MB over three runs each, and on 10 M, 1,671 → 777 MB
 * at the same alerts and no loss in events/s (fewer pages touched made up for the extra
 * collections). `--optimize-for-size` cut memory as well but cost 3× CPU; a larger semi-space
 * made the peak worse. At 20 %, 10 M events in the pass process (bin/pass-process.js): peak
 * 336 → 320 MB, the pass's own highest sampled RSS 323 → 305 MB, 172 → 160 s (one run each).
 *
 * Set at start-up, before the state is restored: V8 reads the flag when it sizes the next
 * growth, so flags set from code take effect (`node --heap-growing-percent` cannot be given
 * in NODE_OPTIONS, and a shebang cannot carry it).
 */
export const HEAP_GROWING_PERCENT = 20;

export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
