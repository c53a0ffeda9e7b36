import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * A child that keeps a tenth of what it allocates and lets the rest die after a while (as a
 * pass does: baselines stay, per-event objects are promoted and then dropped), and prints the
 * largest heap V8 reserved. No timing: only how far the heap grew past what was live.
 */
const CHURN = `
const v8 = require('v8');
if (process.argv[1] === 'limited') require(${JSON.stringify(join(ROOT, 'cli', 'heap-growth.ts'))}).limitHeapGrowth();
const keep = []; const ring = new Array(64).fill(null); let peak = 0;
for (let i = 0; i < 2000; i++) {
  const a = new Array(5000); for (let j = 0; j < a.length; j++) a[j] = { i, j };
  if (i % 10 === 0) keep.push(a); else ring[i % 64] = a;
  peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
}
process.stdout.write(String(peak));
`;

function peakHeap(mode: 'limited' | 'default'): number {
  return Number(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', CHURN, mode], { cwd: ROOT, encoding: 'utf8' }));
}

describe('heap growth policy (cli/heap-growth.ts)', function () {
  this.timeout(60_000);

  it('keeps the reserved heap well below where V8 lets it grow by default', () => {
    const limited = peakHeap('limited');
    const unlimited = peakHeap('default');
    assert.ok(limited < 0.8 * unlimited, `peak heap ${Math.round(limited / 2 ** 20)} MB limited vs ${Math.round(unlimited / 2 ** 20)} MB by default`);
  });

  it('is applied by the command line before any command runs, and by the bench\'s engine phases', () => {
    const bin = readFileSync(join(ROOT, 'bin', 'tierzero.js'), 'utf8');
    assert.ok(bin.indexOf("limitHeapGrowth()") > 0 && bin.indexOf('limitHeapGrowth()') < bin.indexOf("require('../cli/main.ts')"), 'bin/tierzero.js limits heap growth before loading the CLI');
    assert.match(readFileSync(join(ROOT, 'bench', 'phases.ts'), 'utf8'), /phase === 'tierzero'\) \(require\('\.\.\/cli\/heap-growth'\)/);
  });
});
