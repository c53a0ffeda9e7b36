import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'tierzero.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `tierzero` command as a user would, in a child process. */
export function tierzero(args: readonly string[], options: {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onStderr?: (text: string, child: ChildProcess) => void;
  /** Feed standard input: all at once, or from the child handle (`child.stdin`) as the test goes. */
  stdin?: string | Buffer | ((child: ChildProcess) => void);
} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (typeof options.stdin === 'function') options.stdin(child);
    else if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
