/**
 * The next length of a table's typed columns when a row does not fit: half as large again, not
 * twice. A column grows by copying into a new buffer, so for a moment the old and the new are
 * both held; at 10 M events over 100 k accounts the compact tables hold 117 MB of typed arrays
 * (bench/heap-census.ts), and doubling left up to half of each column empty and, while it
 * copied, up to three times its rows held. At 1.5× a column holds at most a third more than
 * its rows and grows a few more times, each copy cheap beside the events that filled it.
 * Hash indexes are not sized here: they stay powers of two for their masks.
 */
export function grownLength(length: number): number {
  return Math.ceil(length * 1.5) + 16;
}

type TypedColumn = Uint8Array | Int16Array | Uint32Array | Int32Array | Float64Array;

/** `old`'s values at the start of `fresh` (a longer column, already filled where it must be): `fresh`. */
export function copiedInto<T extends TypedColumn>(old: T, fresh: T): T {
  fresh.set(old as never);
  return fresh;
}
