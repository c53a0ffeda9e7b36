import type { QueryCompiler } from '../../core/rules/compiler';
import type { SearchSettings } from './config';
import { compileNativeSearch } from './native-spl';
import { compileCoverageSearch, compilePullSearch } from './spl';

/** Splunk's query compiler (core/rules/compiler.ts): SPL for native searches, the pull and doctor's count. */
export const splCompiler: QueryCompiler<SearchSettings, string> = {
  language: 'spl',
  native: (_d, q, params) => {
    const c = compileNativeSearch(q, params);
    return { query: c.search, windowMinutes: c.windowMinutes };
  },
  pull: compilePullSearch,
  coverage: compileCoverageSearch,
};
