import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/alert';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'tz-export-'));
const SID = 'S-1-5-21-1004336348-1177238915-682003330-1105';

describe('identities.directoryExport', () => {
  it('links AD accounts in alerts to their Entra users through the export\'s onPremisesSecurityIdentifier', async () => {
    writeFileSync(join(dir, 'users.json'), JSON.stringify({ value: [
      { id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', userPrincipalName: 'john.doe@corp.example', onPremisesSecurityIdentifier: SID, onPremisesSamAccountName: 'jdoe', accountEnabled: true },
    ] }));
    writeFileSync(join(dir, 'tierzero.json'), JSON.stringify({ identities: { directoryExport: 'users.json' } }));
    const guesses = Array.from({ length: 8 }, (_, i) => securityEvent(4771, i / 60, { TargetUserName: 'jdoe', TargetSid: SID, Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' }));
    writeFileSync(join(dir, 'events.jsonl'), guesses.map((e) => JSON.stringify(e)).join('\n'));
    const r = await tierzero(['detect', join(dir, 'events.jsonl'), '--config', join(dir, 'tierzero.json'), '--out', join(dir, 'alerts.jsonl'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const alert = JSON.parse(readFileSync(join(dir, 'alerts.jsonl'), 'utf8').split('\n')[0] as string) as Alert;
    assert.deepEqual(alert.identity, {
      id: 'oid:2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', name: 'john.doe@corp.example', upn: 'john.doe@corp.example', sam: 'jdoe', sid: SID,
      objectId: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', tier: 'normal',
    });
  });

  it('keeps nothing of an export but identifiers: a password in it never reaches state', async () => {
    writeFileSync(join(dir, 'leaky.json'), JSON.stringify([{ userPrincipalName: 'jdoe@corp.example', onPremisesSecurityIdentifier: SID, passwordProfile: { password: 'Winter2024!Secret' } }]));
    writeFileSync(join(dir, 'leaky-config.json'), JSON.stringify({ identities: { directoryExport: 'leaky.json' } }));
    const state = join(dir, 'leaky-state.json');
    const r = await tierzero(['detect', join(dir, 'events.jsonl'), '--config', join(dir, 'leaky-config.json'), '--state', state, '--out', join(dir, 'leaky-alerts.jsonl'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(state, 'utf8').includes('jdoe@corp.example'), 'the export was read');
    assert.equal(readFileSync(state, 'utf8').includes('Winter2024'), false);
    assert.equal(`${r.stdout}${r.stderr}${readFileSync(join(dir, 'leaky-alerts.jsonl'), 'utf8')}`.includes('Winter2024'), false);
  });

  it('names the key when the export cannot be read', async () => {
    writeFileSync(join(dir, 'missing.json'), JSON.stringify({ identities: { directoryExport: 'nowhere.json' } }));
    const r = await tierzero(['detect', join(dir, 'events.jsonl'), '--config', join(dir, 'missing.json'), '--quiet']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: identities\.directoryExport names .*nowhere\.json, which cannot be read \(ENOENT\)/);
  });
});
