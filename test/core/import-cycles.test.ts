import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * core/ is a tree of small modules with one job (DESIGN §2): an import cycle means two modules
 * share an idea that belongs in a third (issue 13, item 5: config ↔ detector, normalize ↔
 * normalize-cloud). Type-only imports count too: they tie the two modules' shapes together.
 */
const CORE = resolve(__dirname, '../../core');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The core modules `file` imports or re-exports, by relative specifier. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    const target = resolve(dirname(file), m[1] as string);
    const path = existsSync(`${target}.ts`) ? `${target}.ts` : existsSync(join(target, 'index.ts')) ? join(target, 'index.ts') : undefined;
    if (path?.startsWith(CORE)) out.push(path);
  }
  return out;
}

/** Every cycle found by a depth-first walk, each as the path of modules that closes it. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('core/ import graph', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    assert.deepEqual(cycles(graph), [['a', 'b', 'c', 'a']]);
  });

  it('has no import cycle', () => {
    const graph = new Map(sources(CORE).map((f) => [f, importsOf(f)] as const));
    assert.ok(graph.size > 100, 'walked the core tree');
    const named = cycles(graph).map((c) => c.map((f) => relative(CORE, f)).join(' → '));
    assert.deepEqual(named, []);
  });
});
