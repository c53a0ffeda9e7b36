import type { ThresholdSpec } from '../detectors/detector';

/**
 * The largest value a threshold accepts. A declaration may set its own; otherwise the unit in
 * its name bounds it. Windows and spans keep per-entity events in memory and in the state file
 * for their whole length, so `windowMinutes: 1e12` would never evict anything — the bound is a
 * week for minute windows (low-and-slow sprays run over days), 30 days for hour spans, a year
 * for day counts. Counts are capped far above any real org so a typo (an extra digit or
 * three) still fails fast rather than silently switching a detector off.
 */
const BY_UNIT: readonly (readonly [RegExp, number])[] = [
  [/Seconds$/, 3_600],
  [/Minutes$/, 7 * 24 * 60],
  [/Hours$/, 30 * 24],
  [/Days$/, 365],
  [/Percent$|Share$/, 100],
  [/Kmh$/, 40_000],
  [/Km$/, 20_038], // half the Earth's circumference: no two places are farther apart
];
const COUNT_MAXIMUM = 1_000_000;

export function thresholdMaximum(name: string, spec: ThresholdSpec): number {
  if (spec.maximum !== undefined) return spec.maximum;
  return BY_UNIT.find(([unit]) => unit.test(name))?.[1] ?? COUNT_MAXIMUM;
}

/** Longest input line accepted (`maxLineBytes`): a line is held whole in memory to parse it. */
export const MAX_LINE_BYTES_MAXIMUM = 256 * 1024 * 1024;
