import type { QueryCompiler } from '../../core/rules/compiler';
import { compileNativeKql } from './native-kql';

/**
 * Sentinel's query compiler (core/rules/compiler.ts): KQL for the native analytic rules, the
 * pull and doctor's count.
 */
export const sentinelCompiler: QueryCompiler<never, string> = {
  language: 'kql',
  native: (_d, q, params) => {
    const c = compileNativeKql(q, params);
    return { query: c.query, windowMinutes: c.windowMinutes };
  },
  pull: () => { throw new Error('pending az-pull pull-query.ts'); },
  coverage: () => { throw new Error('pending az-pull pull-query.ts'); },
};
