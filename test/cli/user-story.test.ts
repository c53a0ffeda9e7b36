import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertIdentity } from '../../core/alerts/alert';
import { displayName, nameIndex, withNames } from '../../cli/user-story';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

const GUID = '49692e53-5b73-4695-a43e-0cad1abc6621';
const SID = 'S-1-5-21-3812222353-3599616711-3077115851-500';
const known: AlertIdentity = { id: `oid:${GUID}`, name: 'decoy@corp.example', upn: 'decoy@corp.example', objectId: GUID, tier: 'honeytoken' };
const admin: AlertIdentity = { id: `sid:${SID}`, name: 'administrator', sam: 'administrator', sid: SID, tier: 'tier0' };
const bare: AlertIdentity = { id: `sam:${GUID}`, name: GUID, sam: GUID, tier: 'honeytoken' };

describe('names rather than GUIDs and SIDs where the score book knows them', () => {
  const names = nameIndex([known, admin, bare]);

  it('shows an identity known only by its GUID under the name another identity gives that GUID', () => {
    assert.equal(displayName(bare, names), 'decoy@corp.example');
  });

  it('keeps the GUID when no name is known for it', () => {
    assert.equal(displayName(bare, nameIndex([bare])), GUID);
  });

  it('replaces known GUIDs (braced or not) and SIDs in an alert\'s description', () => {
    assert.equal(withNames(`read properties of {${GUID.toUpperCase()}}; queried ${SID}; unknown S-1-5-21-1-2-3-4`, names),
      'read properties of decoy@corp.example; queried administrator; unknown S-1-5-21-1-2-3-4');
  });
});

describe('tierzero users --html', function () {
  this.timeout(30_000);

  it('prints only the path it wrote, not the ranking table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-html-path-'));
    const input = join(dir, 'events.jsonl');
    writeFileSync(input, Array.from({ length: 8 }, (_, i) => JSON.stringify(securityEvent(4771, i / 60, { TargetUserName: 'asmith', Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' }))).join('\n') + '\n');
    writeFileSync(join(dir, 'config.json'), '{"testMode": true}');
    const state = join(dir, 'state.json');
    assert.equal((await tierzero(['detect', input, '--config', join(dir, 'config.json'), '--state', state, '--out', join(dir, 'a.jsonl'), '--quiet'])).code, 0);
    const report = join(dir, 'report.html');
    const r = await tierzero(['users', '--state', state, '--html', report]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${report}\n`);
    assert.equal(r.stderr, '');
    assert.match(readFileSync(report, 'utf8'), /<h3>Why<\/h3>/);
  });
});
