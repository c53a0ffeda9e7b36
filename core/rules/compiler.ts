import type { DetectorDeclaration } from '../detectors/detector';
import type { RuleParams } from './evaluate';
import type { NativeQuery } from './tree';

/**
 * What each platform's query compiler provides (DESIGN §7): native rules from the neutral tree,
 * with the platform's own field map and escaping, and the pull query for a pull plan. Each
 * adapter implements it for its own query language; the core never sees the text it writes.
 */
export interface QueryCompiler<Plan, Pull> {
  /** The language, as the platform names it. */
  readonly language: string;
  /** One native rule for one query of a detector's native form. */
  native(d: DetectorDeclaration, q: NativeQuery, params: RuleParams): NativeRuleText;
  /** The pull query for a plan: a search string, or a request body. */
  pull(plan: Plan): Pull;
}

export interface NativeRuleText {
  readonly query: string;
  /** Minutes the rule must look back to see a whole window (its schedule follows). */
  readonly windowMinutes: number;
}
