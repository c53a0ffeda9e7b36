import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ALLOWED_WARNINGS } from './appinspect-allowed';
import { builtApp } from './built-app';
import { tempDir } from './harness';

/**
 * Splunk AppInspect (PyPI splunk-appinspect, pinned in .ci/appinspect-requirements.txt and
 * installed by .ci/appinspect.sh) run on the built app with Splunk Cloud's checks, as Splunk
 * Cloud vetting runs them. In CI (CI=true) a missing AppInspect fails; elsewhere it skips.
 */
const REPO = join(__dirname, '..', '..', '..');

interface Check { readonly name: string; readonly result: string; readonly messages: readonly { readonly message: string }[] }
interface Report { readonly summary: Record<string, number>; readonly reports: readonly { readonly groups: readonly { readonly checks: readonly Check[] }[] }[] }

describe('Splunk AppInspect on the built app', function () {
  this.timeout(300_000);
  let report: Report;
  let checks: Check[];

  before(async function () {
    const bin = locateAppInspect();
    if (bin === undefined) {
      const why = 'splunk-appinspect is not installed: run `bash .ci/appinspect.sh` and set TIERZERO_APPINSPECT to the path it prints';
      if (process.env['CI'] === 'true') throw new Error(why);
      process.stderr.write(`      skipped: ${why}\n`);
      this.skip();
    }
    const { tgz } = await builtApp();
    const out = join(await tempDir(), 'appinspect.json');
    // --skip-trusted-libraries-update: the update is a download from Splunk, which CI cannot reach;
    // the pinned release's own list is used.
    await run(bin, ['inspect', tgz, '--mode', 'precert', '--included-tags', 'cloud', '--data-format', 'json',
      '--output-file', out, '--max-messages', 'all', '--skip-trusted-libraries-update']);
    report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    checks = report.reports.flatMap((r) => r.groups.flatMap((g) => g.checks));
  });

  const describeChecks = (result: string): string => checks.filter((c) => c.result === result)
    .map((c) => `${c.name}: ${c.messages.map((m) => m.message).join(' / ')}`).join('\n');

  it('runs Splunk Cloud\'s checks on the package', () => {
    assert.ok(checks.length > 200, `${checks.length} checks ran`);
    assert.ok(checks.filter((c) => c.result === 'success').length > 100);
  });

  it('reports no failure', () => {
    assert.equal(report.summary['failure'], 0, describeChecks('failure'));
  });

  it('reports no error', () => {
    assert.equal(report.summary['error'], 0, describeChecks('error'));
  });

  it('reports no future failure (they become failures in the next AppInspect)', () => {
    assert.equal(report.summary['future_failure'], 0, describeChecks('future_failure'));
  });

  it('skips no check for want of a file (app.manifest)', () => {
    assert.equal(report.summary['skipped'], 0, describeChecks('skipped'));
  });

  it('leaves only the warnings allowed with a reason', () => {
    const unexplained = checks.filter((c) => c.result === 'warning' && ALLOWED_WARNINGS[c.name] === undefined);
    assert.deepEqual(unexplained.map((c) => `${c.name}: ${c.messages.map((m) => m.message).join(' / ')}`), []);
  });

  it('still raises every allowed warning, so the list holds no stale reason', () => {
    const warned = new Set(checks.filter((c) => c.result === 'warning').map((c) => c.name));
    assert.deepEqual(Object.keys(ALLOWED_WARNINGS).filter((name) => !warned.has(name)), []);
  });
});

describe('AppInspect allowed warnings', () => {
  it('gives every reason in adapters/splunk/README.md as well', () => {
    const readme = readFileSync(join(REPO, 'adapters', 'splunk', 'README.md'), 'utf8');
    for (const [name, reason] of Object.entries(ALLOWED_WARNINGS)) {
      assert.ok(readme.includes(`\`${name}\``), `README names ${name}`);
      assert.ok(readme.includes(reason), `README gives the reason for ${name}: ${reason}`);
    }
  });
});

/** TIERZERO_APPINSPECT (set by .ci/run), else the venv .ci/appinspect.sh makes for these requirements. */
function locateAppInspect(): string | undefined {
  const fromEnv = process.env['TIERZERO_APPINSPECT'];
  const req = readFileSync(join(REPO, '.ci', 'appinspect-requirements.txt'), 'utf8');
  // As .ci/appinspect.sh names it: sha256 of the requirement lines, first 12 hex digits.
  const lines = req.split('\n').filter((l) => !l.startsWith('#'));
  const hash = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 12);
  const venv = join(process.env['TIERZERO_APPINSPECT_HOME'] ?? join(homedir(), '.cache', 'tierzero-appinspect'), hash);
  for (const bin of [fromEnv, join(venv, 'bin', 'splunk-appinspect')]) {
    if (bin === undefined || bin === '') continue;
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      // next candidate
    }
  }
  return undefined;
}

/** Exit 0, or 1..3 with a report (failures are asserted on the report, with their messages). */
function run(bin: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : err ? -1 : 0;
      if (code === 0 || code === 1 || code === 3) resolve();
      else reject(new Error(`splunk-appinspect exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}
