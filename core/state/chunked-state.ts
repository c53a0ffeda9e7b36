/**
 * Large state in records a document store accepts: one serialised state split into parts of a
 * generation. A save writes every part of a new generation before it removes older ones, and a
 * reader takes the newest generation whose parts are all present, so a crash mid-save leaves the
 * previous state readable. Any store with a per-record size cap uses it as is: a KV store
 * collection, a state index, a blob container.
 */
export interface StateChunk {
  readonly _key: string;
  /** The state's name: every chunk of every generation of one state shares it. */
  readonly name: string;
  readonly generation: number;
  readonly part: number;
  readonly parts: number;
  readonly state: string;
}

export function splitState(name: string, generation: number, text: string, partChars: number): StateChunk[] {
  if (!Number.isInteger(partChars) || partChars < 1) throw new RangeError(`partChars must be a positive integer, got ${partChars}`);
  const count = Math.max(1, Math.ceil(text.length / partChars));
  const chunks: StateChunk[] = [];
  for (let i = 0; i < count; i++) {
    chunks.push({ _key: `${name}:${generation}:${i}`, name, generation, part: i, parts: count, state: text.slice(i * partChars, (i + 1) * partChars) });
  }
  return chunks;
}

export type Assembled =
  | { readonly kind: 'none' }
  | { readonly kind: 'complete'; readonly generation: number; readonly text: string }
  /** Chunks exist but no generation is whole: refusing beats starting afresh. */
  | { readonly kind: 'incomplete'; readonly generations: readonly number[] };

/** The newest generation with every part present, joined. Records that are not chunks are ignored. */
export function assembleNewest(records: readonly unknown[]): Assembled {
  const byGeneration = new Map<number, StateChunk[]>();
  for (const r of records) {
    if (!isChunk(r)) continue;
    byGeneration.set(r.generation, [...(byGeneration.get(r.generation) ?? []), r]);
  }
  const generations = [...byGeneration.keys()].sort((a, b) => b - a);
  for (const g of generations) {
    const list = (byGeneration.get(g) ?? []).sort((a, b) => a.part - b.part);
    if (list.length && list.length === list[0]?.parts && list.every((p, i) => p.part === i)) return { kind: 'complete', generation: g, text: list.map((p) => p.state).join('') };
  }
  return generations.length ? { kind: 'incomplete', generations } : { kind: 'none' };
}

/** The next generation: above the last one, and time-ordered so generations sort across restarts. */
export function nextGeneration(previous: number | null, now: number): number {
  return Math.max((previous ?? 0) + 1, Math.floor(now));
}

function isChunk(r: unknown): r is StateChunk {
  if (r === null || typeof r !== 'object') return false;
  const c = r as Partial<StateChunk>;
  return typeof c.generation === 'number' && typeof c.part === 'number' && typeof c.parts === 'number' && typeof c.state === 'string';
}
