import type { ChildProcess } from 'node:child_process';

/**
 * Stops a real engine started with `detached: true` (its own process group, so the JVM or the
 * Node server and whatever it spawned go together): SIGTERM to the group, then SIGKILL after
 * `graceMs` if it is still there.
 */
export async function stopProcessGroup(c: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (c?.pid === undefined || c.exitCode !== null) return;
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  signalGroup(c.pid, 'SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, graceMs))]);
  if (c.exitCode === null) signalGroup(c.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
