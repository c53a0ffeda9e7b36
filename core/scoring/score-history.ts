/** An identity's score over time, kept in its score-book entry: [time, score] points, oldest first. */
export interface ScoreHistory {
  history: [number, number][];
}

/** Points kept per identity (besides the 30-day horizon). */
export const MAX_HISTORY = 500;

/** Adds a [time, score] point; a second point at the same time replaces the first. */
export function addPoint(entry: ScoreHistory, t: number, score: number): void {
  const last = entry.history[entry.history.length - 1];
  if (last && last[0] === t) last[1] = score;
  else if (!last || last[0] < t) entry.history.push([t, score]);
}

/** The score last recorded at or before `t` (0 before the first point). */
export function scoreBefore(entry: ScoreHistory, t: number): number {
  let value = 0;
  for (const [time, score] of entry.history) {
    if (time > t) break;
    value = score;
  }
  return value;
}

/** Two identities merged: one history, the higher score where both have a point. */
export function mergeHistory(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const byTime = new Map<number, number>();
  for (const [t, s] of [...a, ...b]) byTime.set(t, Math.max(byTime.get(t) ?? 0, s));
  return [...byTime.entries()].sort((x, y) => x[0] - y[0]).slice(-MAX_HISTORY);
}
