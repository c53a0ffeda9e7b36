import { closeSync, linkSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FileIoError } from './io-error';

/**
 * One writer per state file (issue 12, item 4): two `detect` runs on one `--state` each load
 * the same state and the later save drops the other's baselines and delivered ids. The lock is
 * `<state>.lock`, created with O_EXCL and holding who owns it; a lock whose process is gone
 * (kill -9, power loss) on this host is taken over, one held elsewhere is refused.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

export class StateLockedError extends Error {
  readonly exitCode = 3;
  override readonly name = 'StateLockedError';
  constructor(readonly lockPath: string, readonly owner: LockOwner | undefined) {
    super(owner
      ? `state is locked by another tierzero run (pid ${owner.pid} on ${owner.host}, since ${owner.started}): ${lockPath}; wait for it, or remove the lock if that process is gone`
      : `state is locked by another tierzero run: ${lockPath} (owner unreadable); remove the lock if no run is active`);
  }
}

export interface StateLock {
  readonly path: string;
  release(): void;
}

/** An empty or torn lock younger than this may be a run between create and write: not stale yet. */
const UNREADABLE_GRACE_MS = 10_000;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function acquireStateLock(statePath: string, now: () => number = Date.now): StateLock {
  const path = `${statePath}.lock`;
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date(now()).toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw FileIoError.from('cannot create the state lock', path, e);
      const owner = readOwner(path);
      if (attempt > 2 || !isStale(path, owner, now)) throw new StateLockedError(path, owner);
      breakStaleLock(path, owner);
    }
  }
  cleanStaleTemps(statePath);
  return holdUntilExit(path);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.started === 'string' ? { pid: o.pid, host: o.host, started: o.started } : undefined;
  } catch {
    return undefined;
  }
}

function isStale(path: string, owner: LockOwner | undefined, now: () => number): boolean {
  if (!owner) {
    const age = now() - (statSafe(path)?.mtimeMs ?? now());
    return age > UNREADABLE_GRACE_MS;
  }
  // Another host's PID means nothing here: only its owner (or the operator) may clear it.
  return owner.host === hostname() && !alive(owner.pid);
}

/**
 * Moves the stale lock aside before deleting it, so two runs that both judged it stale cannot
 * both win: only one rename succeeds, and a lock that turns out to be live is put back.
 */
function breakStaleLock(path: string, seen: LockOwner | undefined): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  if (moved && seen && (moved.pid !== seen.pid || moved.started !== seen.started)) {
    // We took a fresh lock that replaced the stale one after we read it: give it back.
    try {
      linkSync(aside, path);
    } catch {
      // Someone else holds a newer lock; ours was stale by then anyway.
    }
  }
  unlinkSafe(aside);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * A process that has ended but is not yet reaped still answers signal 0. A pass whose launcher
 * was killed (bin/pass-process.js) ends orphaned, and until init reaps it, its lock would look
 * held to the rerun that follows at once. Linux only (proc(5): state "Z" in /proc/<pid>/stat).
 */
function zombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself hold spaces or parentheses: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/**
 * `writeFileAtomic` leaves `<state>.<pid>.tmp` behind when killed between write and rename.
 * Under the lock no other run writes here, and a temp of a live pid is not ours to touch.
 */
export function cleanStaleTemps(statePath: string): string[] {
  const dir = dirname(statePath);
  const prefix = `${basename(statePath)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.tmp$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    unlinkSafe(join(dir, name));
    removed.push(join(dir, name));
  }
  return removed;
}

/** Released on every way out short of SIGKILL, which the stale check covers. */
function holdUntilExit(path: string): StateLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    // Only remove the lock if it is still ours (an operator may have cleared and re-run).
    if (readOwner(path)?.pid === process.pid) unlinkSafe(path);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    release();
    // Re-raise with the default handler, so the exit status still says which signal ended us.
    process.kill(process.pid, signal);
  };
  process.on('exit', release);
  for (const s of SIGNALS) process.once(s, onSignal);
  return { path, release };
}

function statSafe(path: string): { mtimeMs: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function unlinkSafe(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
