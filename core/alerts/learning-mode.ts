/**
 * What becomes of a verdict that leaned on a baseline still learning:
 * - `informational` (default): delivered at informational, flagged `learning` — Defender for
 *   Identity's posture (no learning-based alert during the learning period unless test mode is
 *   on), while `detect`/`eval` and the index still show what fired; the SIEM packs keep
 *   informational alerts out of incident queues;
 * - `lower`: delivered one severity lower (tierzero's behaviour before issue 15);
 * - `hold`: not delivered at all (counted).
 */
export type LearningMode = 'informational' | 'lower' | 'hold';
