import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { glibcVersion, LAUNCHED, MALLOC_ENV, PASS_NODE_FLAGS, passEnv, relaunchEnv } from '../../bin/pass-process.js';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tierzero.js');
const GLIBC = (): string => '2.36';
/** Whether this machine runs a pass in a second process (glibc on Linux). */
const RELAUNCHES = passEnv({ env: {}, platform: process.platform, glibc: glibcVersion }) !== undefined;

describe('the process a pass runs in (bin/pass-process.js)', function () {
  this.timeout(60_000);

  describe('when a command is started again', () => {
    const facts = { command: 'detect', execArgv: [] as string[], env: { PATH: '/usr/bin' }, platform: 'linux', glibc: GLIBC };

    it('starts detect and run again with a fixed mmap threshold, keeping the rest of the environment', () => {
      for (const command of ['detect', 'run']) {
        assert.deepEqual(relaunchEnv({ ...facts, command }), { PATH: '/usr/bin', ...MALLOC_ENV, [LAUNCHED]: '1' });
      }
    });

    it('runs every other command where it is, without asking for the C library', () => {
      const glibc = (): string => assert.fail('glibc asked for a command that runs no pass');
      for (const command of ['eval', 'doctor', 'users', 'respond', 'package', 'serve-responder', '--version', undefined]) {
        assert.equal(relaunchEnv({ ...facts, command, glibc }), undefined, String(command));
      }
    });

    it('never starts a process that was itself started by the policy', () => {
      assert.equal(relaunchEnv({ ...facts, env: { [LAUNCHED]: '1' } }), undefined);
    });

    it('leaves a threshold the operator chose alone', () => {
      assert.equal(relaunchEnv({ ...facts, env: { MALLOC_MMAP_THRESHOLD_: '65536' } }), undefined);
    });

    it('does nothing outside glibc on Linux (musl and other systems ignore the variable)', () => {
      assert.equal(relaunchEnv({ ...facts, platform: 'darwin' }), undefined);
      assert.equal(relaunchEnv({ ...facts, platform: 'win32' }), undefined);
      assert.equal(relaunchEnv({ ...facts, glibc: () => undefined }), undefined);
    });

    it('stays in the process a debugger, a profiler or -e is attached to', () => {
      for (const flag of ['--inspect', '--inspect-brk=0', '--cpu-prof', '--heap-prof', '--prof', '-e', '--eval=1']) {
        assert.equal(relaunchEnv({ ...facts, execArgv: [flag] }), undefined, flag);
      }
      assert.ok(relaunchEnv({ ...facts, execArgv: ['--max-old-space-size=512'] }), 'other node flags are passed on');
    });

    it('gives the bench\'s engine phases the same environment, without the relaunch mark', () => {
      assert.deepEqual(passEnv({ env: { A: '1' }, platform: 'linux', glibc: GLIBC }), { A: '1', ...MALLOC_ENV });
    });
  });

  describe('through bin/tierzero.js', () => {
    let dir: string;
    let probe: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tz-malloc-'));
      probe = join(dir, 'probe.js');
      // Loaded by both processes (--require is a node flag, passed on): each says who it is.
      writeFileSync(probe, `require('fs').appendFileSync(${JSON.stringify(join(dir, 'who.jsonl'))}, JSON.stringify({ pid: process.pid, ppid: process.ppid, threshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null, execArgv: process.execArgv }) + '\\n');`);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const who = (): { pid: number; ppid: number; threshold: string | null; execArgv: string[] }[] => readFileSync(join(dir, 'who.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const env = (): NodeJS.ProcessEnv => {
      const e = { ...process.env };
      delete e['MALLOC_MMAP_THRESHOLD_'];
      delete e[LAUNCHED];
      return e;
    };

    it('runs detect in a child started with the threshold and the pass\'s node flags, and ends with its exit code', function () {
      if (!RELAUNCHES) this.skip();
      const r = spawnSync(process.execPath, ['--require', probe, BIN, 'detect', '--no-such-option'], { cwd: ROOT, env: env(), encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      const [launcher, pass, ...more] = who();
      assert.equal(more.length, 0);
      assert.equal(launcher?.threshold, null);
      assert.equal(pass?.threshold, MALLOC_ENV['MALLOC_MMAP_THRESHOLD_']);
      assert.equal(pass?.ppid, launcher?.pid);
      assert.deepEqual(pass?.execArgv, [...PASS_NODE_FLAGS, '--require', probe], 'ours first, then the launcher\'s own flags');
    });

    it('runs other commands in one process', () => {
      const r = spawnSync(process.execPath, ['--require', probe, BIN, '--version'], { cwd: ROOT, env: env(), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(who().length, 1);
    });

    it('passes a SIGTERM on to the pass and ends by it, leaving no process behind', async function () {
      if (!RELAUNCHES) this.skip();
      // detect reading standard input that never ends: the pass waits until it is stopped.
      const child = spawn(process.execPath, ['--require', probe, BIN, 'detect', '-', '--out', join(dir, 'alerts.jsonl')], { cwd: ROOT, env: env(), stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      await waitFor(() => whoLines(dir) >= 2);
      const processes = who();
      assert.equal(processes.length, 2);
      child.kill('SIGTERM');
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      assert.equal(signal, 'SIGTERM', `exit ${code}: ${stderr}`);
      for (const p of processes) assert.throws(() => process.kill(p.pid, 0), /ESRCH/, `process ${p.pid} still running`);
    });

    it('ends the pass too when the launcher is killed outright (SIGKILL cannot be passed on)', async function () {
      if (!RELAUNCHES) this.skip();
      const child = spawn(process.execPath, ['--require', probe, BIN, 'detect', '-', '--out', join(dir, 'alerts.jsonl')], { cwd: ROOT, env: env(), stdio: ['pipe', 'ignore', 'ignore'] });
      await waitFor(() => whoLines(dir) >= 2);
      const pass = who()[1] as { pid: number };
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      await waitFor(() => !alive(pass.pid));
    });
  });
});

function whoLines(dir: string): number {
  try {
    return readFileSync(join(dir, 'who.jsonl'), 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ready(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ready(), 'waited 30 s in vain');
}
