import { strict as assert } from 'node:assert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { configError } from '../../support/config-error';
import { DirectoryExportError, parseDirectoryExport } from '../../../core/identity/directory-export';


describe('identity, network and scoring config', () => {
  for (const [what, raw, message] of [
    ['a malformed SID', { identities: { accounts: [{ upn: 'a@corp.example' }, { sid: 'S-1-5-x' }] } }, 'config: identities.accounts[1].sid must be a SID (S-1-5-21-…)'],
    ['an unknown identities key', { identities: { tier2: ['x'] } }, 'config: identities.tier2 is not a known key'],
    ['an unknown tier', { identities: { accounts: [{ upn: 'a@corp.example', tier: 'vip' }] } }, 'config: identities.accounts[0].tier must be one of ["tier0","tier1","normal","test"]'],
    ['a bad corporate range', { corporateNetworks: { ranges: ['10.0.0.0/8', '10.0.0.300/24'] } }, 'config: corporateNetworks.ranges[1] must be an IP address or CIDR range (e.g. 203.0.113.0/24)'],
    ['an ASN that is not a number', { corporateNetworks: { asns: ['AS53813'] } }, 'config: corporateNetworks.asns[0] must be integer'],
    ['a verdict count below zero', { scoring: { verdicts: { kerberoasting: { truePositives: -1 } } } }, 'config: scoring.verdicts.kerberoasting.truePositives must be >= 0'],
    ['verdicts for an unknown detector', { scoring: { verdicts: { mimikatz: {} } } }, 'config: scoring.verdicts.mimikatz is not a known key'],
  ] as const) {
    it(`names the key of ${what}`, () => {
      assert.equal(configError(raw).message, message);
    });
  }

  it('turns analyst verdicts into the precision prior, floored at 0.2, and keeps deterministic detectors at 1', () => {
    const c = resolveConfig({ scoring: { verdicts: { kerberoasting: { truePositives: 8, falsePositives: 1, benignTruePositives: 1 }, brute_force: { falsePositives: 40 }, dcsync: { falsePositives: 9 } } } }, DECLARATIONS);
    assert.equal(c.scoring.precision('kerberoasting'), 9 / 12);
    assert.equal(c.scoring.precision('brute_force'), 0.2);
    assert.equal(c.scoring.precision('asrep_roasting'), 0.5);
    assert.equal(c.scoring.precision('dcsync'), 1);
  });
});

describe('directory export', () => {
  it('reads a Graph users page, linking each Entra user to its AD SID', () => {
    const seeds = parseDirectoryExport(JSON.stringify({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,onPremisesSecurityIdentifier)',
      value: [
        { id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', userPrincipalName: 'jdoe@corp.example', displayName: 'John Doe', accountEnabled: true, onPremisesSecurityIdentifier: 'S-1-5-21-1-2-3-1105', onPremisesSamAccountName: 'jdoe' },
        { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', userPrincipalName: 'cloudonly@corp.example', accountEnabled: false, onPremisesSecurityIdentifier: null },
      ],
    }), 'users.json');
    assert.deepEqual(seeds, [
      { upn: 'jdoe@corp.example', objectId: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', sid: 'S-1-5-21-1-2-3-1105', sam: 'jdoe', displayName: 'John Doe', enabled: true },
      { upn: 'cloudonly@corp.example', objectId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', enabled: false },
    ]);
  });

  it('reads Sentinel IdentityInfo rows as JSON Lines, with their roles', () => {
    const seeds = parseDirectoryExport([
      JSON.stringify({ AccountObjectId: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f', AccountUPN: 'ga@corp.example', AccountSID: 'S-1-5-21-1-2-3-500', AccountName: 'ga', AssignedRoles: '["Global Administrator"]', IsAccountEnabled: true }),
      JSON.stringify({ AccountUPN: 'b@corp.example', AccountName: 'b' }),
    ].join('\n'), 'identityinfo.jsonl');
    assert.deepEqual(seeds[0]?.roles, ['Global Administrator']);
    assert.equal(seeds[1]?.sam, 'b');
  });

  it('keeps only identity fields: nothing else an export holds reaches state', () => {
    const seeds = parseDirectoryExport(JSON.stringify([{ userPrincipalName: 'a@corp.example', passwordProfile: { password: 'Winter2024!' }, mobilePhone: '+33 6 00 00 00 00' }]), 'x.json');
    assert.equal(JSON.stringify(seeds).includes('Winter2024'), false);
    assert.deepEqual(seeds, [{ upn: 'a@corp.example' }]);
  });

  it('names the line that is not JSON', () => {
    assert.throws(() => parseDirectoryExport('{"AccountUPN":"a@corp.example"}\n{oops', 'ids.jsonl'), (e: unknown) => e instanceof DirectoryExportError && /ids\.jsonl: line 2 is not JSON/.test(e.message));
  });
});
