import type { QueryCompiler } from '../../core/rules/compiler';
import { compileNativeRule } from './native-rules';
import { coverageRequest, pullRequest, type ElasticSearchSettings, type PullRequest } from './pull-query';

/**
 * Elastic's query compiler (core/rules/compiler.ts). Native rules are Kibana detection rules in
 * two languages, by the condition's shape (native-rules.ts): EQL for a single-event condition,
 * ES|QL for a count within a window; the pull and doctor's count are query DSL search bodies
 * (pull-query.ts). `doctor` counts over the last 7 days, the window the probe defaults to.
 */
const COVERAGE_DAYS = 7;

export const elasticCompiler: QueryCompiler<ElasticSearchSettings, PullRequest> = {
  language: 'eql+esql',
  native: (_d, q, params) => {
    const c = compileNativeRule(q, params);
    return { query: c.query, windowMinutes: c.windowMinutes };
  },
  pull: (plan, settings) => pullRequest(plan, settings),
  coverage: (plan, settings) => coverageRequest(plan, settings, COVERAGE_DAYS),
};
