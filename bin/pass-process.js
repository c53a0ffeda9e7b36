'use strict';
/**
 * The process a pass runs in (issue 13: a month of baselines for 100 k accounts on a small
 * scheduler box): the C allocator's settings, and V8's young generation.
 *
 * The engine's state lives in typed columns that grow by copying into a larger array and
 * freeing the old one (core/state/growth.ts). glibc's malloc raises its mmap threshold to the
 * size of each mapped block that is freed, up to 32 MB (mallopt(3), M_MMAP_THRESHOLD: "dynamic
 * adjustment of the mmap threshold"), so after the first few columns have grown, every later
 * one is carved from the brk heap, whose holes stay resident. Measured at 10 M events over
 * 100 k accounts (bench, RSS sampled every 0.5 s): 351 MB steady during the pass with the
 * default, of which the brk heap held 140 MB for ~95 MB of columns; 303 MB with a fixed
 * threshold of 128 KiB, which keeps each large column its own mapping, returned when freed.
 *
 * V8's young generation (two semi-spaces of up to 16 MB each by default) is committed beside the
 * state for the whole pass; at 8 MB, 10 M events peaked at 319 and 326 MB against 343 and 355
 * MB, in 160 and 186 s against 170 and 171 s (alternating runs; a 4 MB one cost 22% in speed).
 * V8 reads it only when the heap is set up.
 *
 * Both are read only when the process starts, so `detect` and `run` start the CLI once more
 * with them and wait for it (the launcher holds no state and loads nothing else). Not on other
 * platforms or C libraries (musl ignores the variable), not when the operator already chose a
 * threshold, and never twice. Node flags given to the launcher are passed on after ours, so an
 * operator's own `--max-semi-space-size` wins.
 */

const MALLOC_ENV = Object.freeze({ MALLOC_MMAP_THRESHOLD_: '131072' });
const PASS_NODE_FLAGS = Object.freeze(['--max-semi-space-size=8']);
/** Set in the relaunched process, so it never relaunches again. */
const LAUNCHED = 'TIERZERO_PASS_PROCESS';
const PASS_COMMANDS = new Set(['detect', 'run']);
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The environment a pass runs under: `env` with the allocator's settings, or undefined where
 * they do not apply (not glibc on Linux, or the operator chose a threshold).
 * @param {{ env: NodeJS.ProcessEnv, platform: string, glibc: () => string | undefined }} facts
 *   `glibc` is asked last (a diagnostic report, read only when everything else says yes).
 * @returns {NodeJS.ProcessEnv | undefined}
 */
function passEnv({ env, platform, glibc }) {
  if (platform !== 'linux' || env.MALLOC_MMAP_THRESHOLD_ !== undefined) return undefined;
  if (!glibc()) return undefined;
  return { ...env, ...MALLOC_ENV };
}

/**
 * The environment to start the command again with, or undefined to run it here: only for the
 * commands that run a pass, once, and not under a debugger, a profiler or `-e` (the operator
 * is looking at this process).
 * @param {{ command: string | undefined, execArgv: readonly string[], env: NodeJS.ProcessEnv, platform: string, glibc: () => string | undefined }} facts
 * @returns {NodeJS.ProcessEnv | undefined}
 */
function relaunchEnv({ command, execArgv, env, platform, glibc }) {
  if (command === undefined || !PASS_COMMANDS.has(command) || env[LAUNCHED] !== undefined) return undefined;
  if (execArgv.some((a) => DIAGNOSTIC_FLAG.test(a))) return undefined;
  const launched = passEnv({ env, platform, glibc });
  return launched && { ...launched, [LAUNCHED]: '1' };
}

const DIAGNOSTIC_FLAG = /^(--inspect|--debug|--cpu-prof|--heap-prof|--prof|--eval|--print|-e$|-p$|-pe$)/;

/** The running glibc's version, or undefined (another C library, or not Linux). */
function glibcVersion() {
  const report = process.report && process.report.getReport ? process.report.getReport() : undefined;
  const header = report && typeof report === 'object' ? report.header : undefined;
  return header && typeof header.glibcVersionRuntime === 'string' ? header.glibcVersionRuntime : undefined;
}

/**
 * Runs `script` again in a child with the pass's environment and node flags when they apply, forwarding the
 * signals a terminal or a scheduler sends and ending as the child ended (same code, or the same
 * signal). Returns false when it does not apply: the caller then runs the command itself.
 * @param {string} script
 * @param {readonly string[]} args
 */
function relaunchAsPassProcess(script, args) {
  const env = relaunchEnv({ command: args[0], execArgv: process.execArgv, env: process.env, platform: process.platform, glibc: glibcVersion });
  if (!env) return false;
  const { spawn } = require('node:child_process');
  // The IPC channel is how the pass learns that the launcher is gone (dieWithLauncher).
  const child = spawn(process.execPath, [...PASS_NODE_FLAGS, ...process.execArgv, script, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env });
  const forward = (signal) => {
    // A terminal's Ctrl-C reaches the child too (one process group); a second one is harmless
    // (the child releases its lock on the first, then ends by it).
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  child.on('error', (e) => {
    process.stderr.write(`tierzero: cannot start the pass process: ${e.message}\n`);
    process.exitCode = 3;
  });
  child.on('exit', (code, signal) => {
    for (const s of FORWARDED) process.removeListener(s, forward);
    if (signal) {
      process.kill(process.pid, signal);
      return;
    }
    process.exitCode = code === null ? 3 : code;
  });
  return true;
}

/**
 * In the relaunched pass: ends it when the launcher ends first. A SIGKILL to the launcher (a
 * scheduler's timeout, `kill -9` of the pid it started) cannot be forwarded, and a pass left
 * running on its own would commit after its operator stopped it; the launcher's end closes the
 * channel, and the pass ends as killed, committing nothing (a rerun redoes it, without
 * duplicate or missing alerts). The channel is unref'd so that it never keeps the pass alive.
 */
function dieWithLauncher() {
  if (process.env[LAUNCHED] === undefined || !process.channel) return;
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

module.exports = { passEnv, relaunchEnv, relaunchAsPassProcess, dieWithLauncher, glibcVersion, MALLOC_ENV, PASS_NODE_FLAGS, LAUNCHED };
