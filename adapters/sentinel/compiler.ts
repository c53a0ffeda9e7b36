import type { QueryCompiler } from '../../core/rules/compiler';
import { compileNativeKql } from './native-kql';
import { coverageQuery, pullQuery, type IngestionSlice, type PullSettings } from './pull-query';

/**
 * Sentinel's query compiler (core/rules/compiler.ts): KQL for the native analytic rules
 * (native-kql.ts), the pull (pull-query.ts: one query per table family for a slice of
 * ingestion time) and doctor's count (one summarize over the slice's event time).
 */
export interface SentinelQuerySettings {
  readonly tables: PullSettings;
  readonly slice: IngestionSlice;
}

export const sentinelCompiler: QueryCompiler<SentinelQuerySettings, readonly string[]> = {
  language: 'kql',
  native: (_d, q, params) => {
    const c = compileNativeKql(q, params);
    return { query: c.query, windowMinutes: c.windowMinutes };
  },
  pull: (plan, s) => pullQuery(plan, s.tables, s.slice).map((p) => p.text),
  coverage: (plan, s) => [coverageQuery(plan, s.tables, s.slice.from, s.slice.to)],
};
