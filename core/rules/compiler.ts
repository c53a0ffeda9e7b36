import type { DetectorDeclaration } from '../detectors/detector';
import type { RuleParams } from './evaluate';
import type { PullPlan } from './pull-plan';
import type { NativeQuery } from './tree';

/**
 * What each platform's query compiler provides (DESIGN §7): native rules from the neutral tree,
 * with the platform's own field map and escaping, and the pull query for a pull plan. Each
 * adapter implements it for its own query language; the core never sees the text it writes.
 */
export interface QueryCompiler<Settings, Pull> {
  /** The language, as the platform names it. */
  readonly language: string;
  /** One native rule for one query of a detector's native form. */
  native(d: DetectorDeclaration, q: NativeQuery, params: RuleParams): NativeRuleText;
  /**
   * The pull query for a plan, with the platform's own search settings (indexes, tables): a
   * search string, or a request body.
   */
  pull(plan: PullPlan, settings: Settings): Pull;
  /** Events per channel and EventID over the plan's events, counted in the SIEM (`doctor --config`). */
  coverage(plan: PullPlan, settings: Settings): Pull;
}

export interface NativeRuleText {
  readonly query: string;
  /** Minutes the rule must look back to see a whole window (its schedule follows). */
  readonly windowMinutes: number;
}
