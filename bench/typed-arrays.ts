/**
 * Where the typed arrays of a live object graph are (issue 13): every ArrayBuffer reachable
 * from `roots` through own fields, arrays, Maps and Sets, counted once under the first path
 * that reaches it, largest first. heap-census.ts prints it with `--arrays`, to show which
 * column of which owner holds the backing stores that the V8 heap figures leave out.
 */
export interface TypedArrayPath {
  readonly path: string;
  readonly kind: string;
  readonly mb: number;
}

export function typedArraysByPath(roots: Readonly<Record<string, unknown>>, maxDepth = 8): TypedArrayPath[] {
  const seen = new Set<object>();
  const buffers = new Set<ArrayBufferLike>();
  const out: TypedArrayPath[] = [];
  const visit = (v: unknown, path: string, depth: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (buffers.has(v.buffer)) return;
      buffers.add(v.buffer);
      out.push({ path, kind: v.constructor.name, mb: v.buffer.byteLength / 1e6 });
      return;
    }
    if (depth >= maxDepth) return;
    if (v instanceof Map) {
      let i = 0;
      for (const value of v.values()) if (i++ < 64) visit(value, `${path}{}`, depth + 1);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < Math.min(v.length, 64); i++) visit(v[i], `${path}[]`, depth + 1);
      return;
    }
    for (const key of Object.keys(v)) visit((v as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
  };
  for (const [name, root] of Object.entries(roots)) visit(root, name, 0);
  return out.sort((a, b) => b.mb - a.mb);
}
