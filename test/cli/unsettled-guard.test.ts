import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const guard = join(__dirname, '..', '..', 'cli', 'unsettled-guard.ts');
const run = (body: string) => spawnSync(process.execPath, ['-e', `require('tsx/cjs'); const { guardUnsettled } = require(${JSON.stringify(guard)}); ${body}`], { encoding: 'utf8' });

describe('unsettled command guard', () => {
  it('exits 3 with a message when the command promise never settles', () => {
    const r = run('guardUnsettled(new Promise(() => {}), "tierzero detect");');
    assert.equal(r.status, 3);
    assert.match(r.stderr, /tierzero detect: stopped before finishing/);
  });

  it('leaves a command that settles alone', () => {
    const r = run('guardUnsettled(Promise.resolve(0)).then(() => { process.exitCode = 0; });');
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
  });
});
