import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PhaseResult } from './phases';

/** Runs one phase of phases.ts in a fresh Node process (so its peak RSS is its own) and returns what it measured. */
export function phase(args: readonly string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'phases.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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
