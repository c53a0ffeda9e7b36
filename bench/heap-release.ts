/**
 * Heap held by an owner, measured by letting it go (issue 13): after a full collection the
 * heap is read, one owner is released, collected again, and the difference is what that owner
 * alone kept alive. Both V8's heap and `arrayBuffers` are read, since typed-array backing
 * stores are outside `heapUsed` (the keyed tables keep most of their rows there). Sizes, not
 * times: they do not depend on what else the machine runs. Shared by bench/directory-heap.ts
 * (the directory model's parts) and bench/heap-census.ts (every owner after a pass).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapNow {
  /** V8 heap in use (`process.memoryUsage().heapUsed`), bytes. */
  readonly heap: number;
  /** Bytes of ArrayBuffer backing stores (typed arrays, Buffers), outside `heap`. */
  readonly arrayBuffers: number;
}

export interface Released {
  readonly name: string;
  readonly heapMb: number;
  readonly arrayBuffersMb: number;
}

/** An owner and how to let it go; released in the order given. */
export interface Owner {
  readonly name: string;
  readonly release: () => void;
}

/** The heap after two full collections (the second frees what the first's weak callbacks let go). */
export function liveHeap(): HeapNow {
  // `--expose-gc` set at run time: the process keeps the command line `detect` runs with.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** Each owner released in turn, with what its release freed; `last` is the heap after the last one. */
export function releaseInTurn(owners: readonly Owner[]): { readonly freed: Released[]; readonly full: HeapNow; readonly last: HeapNow } {
  const full = liveHeap();
  const freed: Released[] = [];
  let last = full;
  for (const owner of owners) {
    owner.release();
    const now = liveHeap();
    freed.push(difference(owner.name, last, now));
    last = now;
  }
  return { freed, full, last };
}

/** What `from` held beyond `to`, in MB. */
export function difference(name: string, from: HeapNow, to: HeapNow): Released {
  return { name, heapMb: mb(from.heap - to.heap), arrayBuffersMb: mb(from.arrayBuffers - to.arrayBuffers) };
}

/** Drops a private field of an object: a bench's measurement, not an API (hence the cast). */
export function releaseField(root: object, path: readonly string[]): void {
  let owner = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) owner = owner[key] as Record<string, unknown>;
  owner[path[path.length - 1] as string] = undefined;
}

export function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20 * 10) / 10;
}
