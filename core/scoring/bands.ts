/**
 * Score bands: the entity-risk bands of the research note (platforms.md §3b, output) with one
 * change: the note's SIEM calls a score under 20 "unknown", which on a priority table reads as
 * "not computed". Every score tierzero shows was computed, so everything under the moderate
 * band is "low".
 */
export const BANDS = [
  { band: 'critical', above: 90 },
  { band: 'high', from: 70 },
  { band: 'moderate', from: 40 },
  { band: 'low', from: 0 },
] as const;

export type Band = (typeof BANDS)[number]['band'];

/** The lowest score in the high band: what one conclusive high-severity alert is worth at least. */
export const HIGH_BAND_FROM = 70;

export function band(score: number): Band {
  for (const b of BANDS) if ('above' in b ? score > b.above : score >= b.from) return b.band;
  return 'low';
}
