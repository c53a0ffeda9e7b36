/**
 * The largest groups of a V8 heap snapshot by self size (issue 13), so that nothing big hides
 * outside the owners bench/heap-census.ts releases: objects grouped by constructor, strings,
 * compiled code, arrays and typed-array backing stores by their node type and name. Self
 * sizes, not retained ones: a Map's entries are its "(object elements)"/"system / OrderedHashMap"
 * node, a typed array's rows its "system / JSArrayBufferData" node. Strings are also grouped by
 * shape (digits and hex folded), to name who makes them.
 *
 *   npx tsx bench/heap-census.ts --snapshot /tmp/pass.heapsnapshot
 *   node --max-old-space-size=4096 --require tsx/cjs bench/heap-snapshot-groups.ts /tmp/pass.heapsnapshot [top]
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]]; readonly edge_fields: string[]; readonly edge_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

interface Group {
  readonly group: string;
  count: number;
  bytes: number;
}

function main(argv: readonly string[]): void {
  const [path, topArg] = argv;
  if (!path) throw new Error('usage: heap-snapshot-groups.ts <file.heapsnapshot> [top]');
  const top = Number(topArg ?? 25);
  const snap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const groups = new Map<string, Group>();
  const shapes = new Map<string, Group>();
  let total = 0;
  const add = (into: Map<string, Group>, key: string, bytes: number): void => {
    const g = into.get(key) ?? { group: key, count: 0, bytes: 0 };
    g.count++;
    g.bytes += bytes;
    into.set(key, g);
  };
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] as string;
    const name = snap.strings[snap.nodes[i + nameAt] as number] as string;
    const bytes = snap.nodes[i + sizeAt] as number;
    total += bytes;
    const isString = type === 'string' || type === 'concatenated string' || type === 'sliced string';
    add(groups, isString ? `(${type})` : `${type} ${name.slice(0, 60)}`, bytes);
    if (isString) add(shapes, shape(name), bytes);
  }
  const mb = (b: number): string => (b / 2 ** 20).toFixed(1).padStart(7);
  const rows = (m: Map<string, Group>): string[] =>
    [...m.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top).map((g) => `${mb(g.bytes)} MB ${String(g.count).padStart(9)}  ${g.group}`);
  process.stdout.write([
    `${path}: ${mb(total)} MB in ${snap.nodes.length / width} nodes`, '', 'by node type and name (self size):', ...rows(groups),
    '', 'strings by shape (digits → 9, hex runs → x):', ...rows(shapes),
    '', 'largest single nodes, with a path of retainers (edge names) up to a named object:', ...largest(snap, top), '',
  ].join('\n'));
}

/** The `top` largest nodes and, for each, the chain of its first retainers up to a named object (its owner's field). */
function largest(snap: HeapSnapshot, top: number): string[] {
  const meta = snap.snapshot.meta;
  const width = meta.node_fields.length;
  const ew = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, countAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [number, number, number, number];
  const [eTypeAt, eNameAt, eToAt] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number, number];
  const edgeTypes = meta.edge_types[0];
  const n = snap.nodes.length / width;
  // The first strong retainer of each node: its parent on the way up.
  const parent = new Int32Array(n).fill(-1);
  const via = new Array<string>(n);
  for (let node = 0, e = 0; node < n; node++) {
    const count = snap.nodes[node * width + countAt] as number;
    for (let k = 0; k < count; k++, e += ew) {
      const to = (snap.edges[e + eToAt] as number) / width;
      const et = edgeTypes[snap.edges[e + eTypeAt] as number];
      if (et === 'weak' || et === 'shortcut' || parent[to] !== -1) continue;
      parent[to] = node;
      const nm = snap.edges[e + eNameAt] as number;
      via[to] = et === 'element' || et === 'hidden' ? `[${nm}]` : (snap.strings[nm] ?? '?');
    }
  }
  const label = (i: number): string => `${meta.node_types[0][snap.nodes[i * width + typeAt] as number]} ${(snap.strings[snap.nodes[i * width + nameAt] as number] ?? '').slice(0, 40)}`;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (snap.nodes[b * width + sizeAt] as number) - (snap.nodes[a * width + sizeAt] as number));
  return order.slice(0, top).map((i) => {
    const chain: string[] = [];
    for (let at = i, hops = 0; parent[at] !== -1 && hops < 6; at = parent[at] as number, hops++) {
      chain.push(`${via[at]} ← ${label(parent[at] as number)}`);
      if (/^object [A-Z]/.test(label(parent[at] as number)) && !/^object (Object|Array|Map|Set|ArrayBuffer|[A-Za-z0-9]+Array)$/.test(label(parent[at] as number))) break;
    }
    return `${((snap.nodes[i * width + sizeAt] as number) / 2 ** 20).toFixed(2).padStart(6)} MB  ${label(i)}  ${chain.join('  ')}`;
  });
}

/** A string's shape: its first 40 characters with digit runs and long hex runs folded, so one maker's strings fall together. */
function shape(s: string): string {
  return JSON.stringify(s.slice(0, 40).replace(/[0-9a-f]{8,}/gi, 'x').replace(/[0-9]+/g, '9')) + (s.length > 40 ? '…' : '');
}

main(process.argv.slice(2));
