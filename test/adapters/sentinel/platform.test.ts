import { strict as assert } from 'node:assert';
import { findPlatform } from '../../../adapters/index';
import { resolveSentinelSettings } from '../../../adapters/sentinel/config';
import { CredentialUnavailableError } from '../../../adapters/sentinel/credentials';
import { accountName, openSentinel, queryApiBase } from '../../../adapters/sentinel/platform';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { resolveConfig } from '../../../core/config/config';
import { pullPlan } from '../../../core/rules/pull-plan';

/** What the solution's Function app composes (TIERZERO_SENTINEL) once ARM filled in the references. */
const FUNCTION_SECTION = {
  workspaceId: 'B6F0E8A2-0000-4000-8000-00000000C0DE',
  credential: { kind: 'managedIdentity' },
  ingestion: { endpoint: 'https://ws-tierzero-dce-x1y2.westeurope-1.ingest.monitor.azure.com', dcrImmutableId: `dcr-${'0a1b2c3d'.repeat(4)}` },
  state: { accountUrl: 'https://tzabc123.blob.core.windows.net/', container: 'tierzero-state' },
};

const deps = (env: NodeJS.ProcessEnv = {}) => ({ env, readStdin: async () => '', clock: () => 0, log: () => undefined });

describe('Sentinel platform wiring (adapters/sentinel/platform.ts)', () => {
  it('reads the section the solution\'s Function app composes, with the engine\'s defaults', () => {
    const s = resolveSentinelSettings(FUNCTION_SECTION, '/tmp');
    assert.equal(s.workspaceId, 'b6f0e8a2-0000-4000-8000-00000000c0de');
    assert.equal(accountName(s.state.accountUrl), 'tzabc123');
    assert.equal(queryApiBase(s), 'https://api.loganalytics.io/v1');
    assert.equal(s.ingestion.alertsStream, 'Custom-TierzeroAlerts_CL');
    assert.equal(s.ingestion.scoresStream, 'Custom-TierzeroScores_CL');
  });

  it('keeps a query endpoint that already names /v1, and adds it otherwise', () => {
    assert.equal(queryApiBase(resolveSentinelSettings({ ...FUNCTION_SECTION, queryEndpoint: 'https://api.loganalytics.us/v1/' }, '/tmp')), 'https://api.loganalytics.us/v1');
    assert.equal(queryApiBase(resolveSentinelSettings({ ...FUNCTION_SECTION, queryEndpoint: 'https://api.loganalytics.us' }, '/tmp')), 'https://api.loganalytics.us/v1');
  });

  it('tells the storage account from a path-style (Azurite) URL, and refuses a URL that names none', () => {
    assert.equal(accountName(new URL('http://127.0.0.1:10000/devstoreaccount1')), 'devstoreaccount1');
    assert.throws(() => accountName(new URL('http://127.0.0.1:10000/')), CredentialUnavailableError);
  });

  it('is registered as sentinel: the core schema takes the section and checkSection names a bad key', () => {
    const entry = findPlatform('sentinel');
    assert.ok(entry);
    assert.doesNotThrow(() => entry.checkSection(FUNCTION_SECTION, '/tmp'));
    assert.throws(() => entry.checkSection({ ...FUNCTION_SECTION, state: { ...FUNCTION_SECTION.state, accountKey: 'abc' } }, '/tmp'), /sentinel\.state\.accountKey must not hold a secret/);
    assert.equal(typeof entry.load().packager, 'function');
  });

  it('names the variable when the client secret or the account key is not in the environment', async () => {
    const plan = pullPlan(DETECTOR_MODULES, resolveConfig({}, DECLARATIONS));
    const withSecret = { ...FUNCTION_SECTION, credential: { kind: 'clientSecret', tenantId: '72f988bf-0000-4000-8000-00000000e1a0', clientId: '5b1a2c3d-0000-4000-8000-0000000a11c3', clientSecretEnv: 'TZ_NOT_SET_SECRET' } };
    await assert.rejects(openSentinel(withSecret, '/tmp', plan, deps()), (e: unknown) => e instanceof CredentialUnavailableError && /TZ_NOT_SET_SECRET/.test(e.message));
    const withKey = { ...FUNCTION_SECTION, state: { ...FUNCTION_SECTION.state, accountKeyEnv: 'TZ_NOT_SET_KEY' } };
    await assert.rejects(openSentinel(withKey, '/tmp', plan, deps()), (e: unknown) => e instanceof CredentialUnavailableError && /sentinel\.state\.accountKeyEnv.*TZ_NOT_SET_KEY/.test(e.message));
  });
});
