import { madeWhenRead } from '../state/made-when-read';
import type { EngineState } from '../state/state';

/** How each section of the state is made: the small ones as values, the large ones when read. */
export type StateSections = {
  readonly [K in keyof Required<EngineState>]: () => EngineState[K];
};

/**
 * The state a pass commits, with each section made from the live structures only when it is
 * read. The file store streams the document section by section (adapters/file/json-chunks.ts),
 * so one section's snapshot exists at a time beside the live structures, instead of the whole
 * document: at 10 M events over 100 k accounts the pass held ~390 MB during the pass and rose to
 * 546 MB while the whole snapshot was built (RSS sampled every 2 s, issue 13); a section of
 * typed columns is several times larger as JS arrays than live (identities: 33 MB of heap for
 * 9.6 MB of JSON at 1 M, bench/heap-census.ts).
 *
 * Each read makes a fresh snapshot of the same end-of-pass structures (nothing changes them
 * once the pass ended), so a caller may read a section twice and get equal values; the
 * sections are enumerable, in the saved document's key order, so JSON.stringify, spreading and
 * structuredClone see a plain state.
 */
export function stateOnDemand(sections: StateSections): EngineState {
  return madeWhenRead<EngineState>(sections);
}
