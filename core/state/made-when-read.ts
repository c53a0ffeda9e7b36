/**
 * A plain object whose fields are made only when read: enumerable getters, in the order given,
 * so JSON.stringify, spreading, structuredClone and deepStrictEqual see the plain values they
 * stand for, and a writer that reads one field at a time (adapters/file/json-chunks.ts) holds
 * one field's value at a time. Issue 13: a section of typed columns is several times larger as
 * JS arrays than live (8 bytes a number, a pointer and a heap string per text), and the save
 * held a whole section of them at once (+83 MB of heap at 10 M / 100 k).
 *
 * Nothing is kept: each read makes the field afresh from what its maker closes over, so a
 * caller may read a field twice and get equal values as long as the structures it is made
 * from did not change in between — a snapshot of this kind is read after its owner's last
 * change (the end of a pass), never held across a change.
 */
export function madeWhenRead<T extends object>(makers: Makers<T>): T {
  const made = {};
  for (const key of Object.keys(makers)) Object.defineProperty(made, key, { get: (makers as Record<string, () => unknown>)[key], enumerable: true, configurable: true });
  return made as T;
}

/** A maker per field; an optional field without one is absent. */
export type Makers<T> = { readonly [K in keyof T]: () => T[K] };
