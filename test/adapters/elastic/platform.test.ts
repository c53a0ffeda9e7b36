import { strict as assert } from 'node:assert';
import { findPlatform } from '../../../adapters/index';
import { resolveElasticSettings } from '../../../adapters/elastic/config';
import { ElasticRequestError } from '../../../adapters/elastic/errors';
import { openElastic, pushablePlan, searchSettings } from '../../../adapters/elastic/platform';
import { pullRequest } from '../../../adapters/elastic/pull-query';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan, type PullPlan } from '../../../core/rules/pull-plan';
import { and, security } from '../../../core/rules/tree';
import { ConfigError } from '../../../core/config/config';

/** The elastic platform's wiring that needs no node (the node-backed parts: cli-run.test.ts). */
describe('elastic platform wiring', () => {
  const inSetting = { op: 'in_setting', field: 'TargetUserName', setting: 'honeytokens', form: 'exact' } as const;
  const share = { op: 'in', field: 'ShareName', values: ['\\\\*\\IPC$'] } as const;

  it('is registered as elastic, and its section is checked in full, naming the key', () => {
    const entry = findPlatform('elastic');
    assert.ok(entry);
    assert.throws(() => entry.checkSection({ url: 'http://127.0.0.1:9200', settle: 5 }, '/'), (e: unknown) => e instanceof ConfigError && /elastic\.settle is not a known key/.test(e.message));
    assert.doesNotThrow(() => entry.checkSection({ url: 'http://127.0.0.1:9200' }, '/'));
    const p = entry.load();
    assert.equal(typeof p.packager, 'function');
    assert.equal(p.compiler.language, 'eql+esql');
  });

  it('pushes down a where that names no config list, and pulls the whole source for one that does', () => {
    const plan: PullPlan = {
      sources: [
        { source: security(5140), fields: ['ShareName'], where: share },
        { source: security(4624), fields: ['TargetUserName'], where: and(share, inSetting) },
      ],
    };
    const pushed = pushablePlan(plan);
    assert.deepEqual(pushed.sources[0], plan.sources[0]);
    assert.equal(pushed.sources[1]?.where, undefined);
    assert.deepEqual(pushed.sources[1]?.fields, ['TargetUserName']);
    // An in_setting over the section's empty lists keeps only values too long to index (`_ignored`): almost nothing.
    const settings = searchSettings(resolveElasticSettings({ url: 'http://127.0.0.1:9200' }, '/'));
    const query = (p: PullPlan): string => JSON.stringify(pullRequest({ sources: [p.sources[1] as PullPlan['sources'][number]] }, settings).body.query);
    assert.match(query(plan), /"_ignored":"winlog\.event_data\.TargetUserName"/);
    assert.doesNotMatch(query(pushed), /TargetUserName|ShareName/);
    assert.match(query(pushed), /"event\.code":\["4624"\]/);
  });

  it('searches the section\'s index patterns with its settle lag and page size', () => {
    const s = searchSettings(resolveElasticSettings({ url: 'http://127.0.0.1:9200', indices: { windows: ['winlogbeat-*'], entra: ['logs-azure.signinlogs-*'] }, search: { settleSeconds: 5, pageSize: 250 } }, '/'));
    assert.deepEqual([s.windowsIndexes, s.entraIndexes, s.settleSeconds, s.pageSize], [['winlogbeat-*'], ['logs-azure.signinlogs-*'], 5, 250]);
    assert.doesNotThrow(() => pullRequest(pushablePlan(pullPlan(DETECTOR_MODULES)), s));
  });

  it('fails to open with ElasticRequestError naming the call when nothing answers at the url', async () => {
    const err = await openElastic({ url: 'http://127.0.0.1:9', maxAttempts: 1 }, '/', pullPlan(DETECTOR_MODULES), {
      env: {}, readStdin: async () => '', clock: Date.now, log: () => undefined,
    }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ElasticRequestError, String(err));
    assert.match(err.message, /GET _cluster\/health/);
  });
});
