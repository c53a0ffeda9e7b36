import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PhaseResult } from './phases';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, shared with bin/tierzero.js
const { passEnv, glibcVersion, PASS_NODE_FLAGS } = require('../bin/pass-process.js') as typeof import('../bin/pass-process.js');

/** The phases that run the engine: in the process `tierzero detect` runs a pass in (bin/pass-process.js). */
const PASS_PHASES = new Set(['tierzero', 'replay']);

/**
 * Runs one phase of phases.ts in a fresh Node process (so its peak RSS is its own) and returns
 * what it measured. The engine's phases get the environment and node flags bin/pass-process.js
 * gives a pass; the bare loop keeps the defaults, as any JSONL consumer would run it.
 */
export function phase(args: readonly string[]): Promise<PhaseResult> {
  const pass = PASS_PHASES.has(args[0] ?? '');
  const env = pass ? passEnv({ env: process.env, platform: process.platform, glibc: glibcVersion }) ?? process.env : process.env;
  const flags = pass ? PASS_NODE_FLAGS : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--require', 'tsx/cjs', join(__dirname, 'phases.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`phase ${args[0]} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as PhaseResult);
      } catch (e) {
        reject(new Error(`phase ${args[0]} printed no result: ${(e as Error).message}`));
      }
    });
  });
}

export function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
