import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStateLock, cleanStaleTemps, StateLockedError } from '../../../adapters/file/state-lock';

/** A PID that was just used and has exited: what a kill -9'd run leaves in its lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(r.pid);
  return r.pid;
}

const statePath = () => join(mkdtempSync(join(tmpdir(), 'tz-lock-')), 'state.json');

describe('state lock', () => {
  it('refuses a second holder at once, naming the owner and the lock file', () => {
    const path = statePath();
    const lock = acquireStateLock(path);
    try {
      assert.throws(() => acquireStateLock(path), (e: Error) => e instanceof StateLockedError
        && e.exitCode === 3 && e.message.includes(`${path}.lock`) && e.message.includes(`pid ${process.pid} on ${hostname()}`));
    } finally {
      lock.release();
    }
  });

  it('records its pid, host and start time in the lock, and removes it on release', () => {
    const path = statePath();
    const lock = acquireStateLock(path, () => Date.UTC(2024, 0, 1));
    assert.deepEqual(JSON.parse(readFileSync(`${path}.lock`, 'utf8')), { pid: process.pid, host: hostname(), started: '2024-01-01T00:00:00.000Z' });
    lock.release();
    assert.equal(existsSync(`${path}.lock`), false);
    acquireStateLock(path).release();
  });

  it('takes over a lock whose process on this host is gone', () => {
    const path = statePath();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), started: '2024-01-01T00:00:00.000Z' }));
    const lock = acquireStateLock(path);
    assert.equal(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid, process.pid);
    lock.release();
  });

  it('takes over a lock whose process has ended but is not yet reaped (a zombie still answers signal 0)', async function () {
    if (process.platform !== 'linux') this.skip();
    // `sleep 0 &` ends at once; its parent then execs a sleep that never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
      for (let i = 0; i < 200 && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i++) await new Promise((r) => setTimeout(r, 10));
      process.kill(pid, 0); // still there, as a zombie
      const path = statePath();
      writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), started: '2024-01-01T00:00:00.000Z' }));
      const lock = acquireStateLock(path);
      assert.equal(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid, process.pid);
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('leaves a lock held on another host alone, however old', () => {
    const path = statePath();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: 'other-host.invalid', started: '2024-01-01T00:00:00.000Z' }));
    assert.throws(() => acquireStateLock(path), /pid \d+ on other-host\.invalid/);
  });

  it('waits out an empty lock a starting run may be writing, then takes it over once old', () => {
    const path = statePath();
    writeFileSync(`${path}.lock`, '');
    assert.throws(() => acquireStateLock(path), /owner unreadable/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    acquireStateLock(path).release();
  });

  it('removes temp files a killed run left behind, but not a live process\'s', () => {
    const path = statePath();
    const dead = `${path}.${deadPid()}.tmp`;
    const live = `${path}.${process.ppid}.tmp`;
    writeFileSync(dead, '{');
    writeFileSync(live, '{');
    assert.deepEqual(cleanStaleTemps(path), [dead]);
    assert.equal(existsSync(live), true);
  });

  for (const how of ['exits', 'is sent SIGTERM'] as const) {
    it(`releases the lock when the process ${how}`, async () => {
      const path = statePath();
      const script = `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, '../../../adapters/file/state-lock.ts'))}).acquireStateLock(${JSON.stringify(path)});
        process.stdout.write('locked\\n'); ${how === 'exits' ? '' : 'setInterval(() => {}, 1000);'}`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.once('data', () => { if (how !== 'exits') child.kill('SIGTERM'); });
      const signal = await new Promise<NodeJS.Signals | null>((res) => child.on('close', (_c, s) => res(s)));
      if (how !== 'exits') assert.equal(signal, 'SIGTERM', 'the signal still ends the process');
      assert.equal(existsSync(`${path}.lock`), false);
    });
  }
});
