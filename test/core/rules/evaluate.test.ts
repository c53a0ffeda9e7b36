import { strict as assert } from 'node:assert';
import { evaluateQuery, type RuleParams } from '../../../core/rules/evaluate';
import { and, codeIn, exists, inSetting, not, security, type NativeQuery } from '../../../core/rules/tree';

const params: RuleParams = { thresholds: { n: 3, w: 10 }, settings: { honeytokens: ['CORP\\decoy', '6f1e2d3c-1111-2222-3333-444455556666'], directorySyncAccounts: [] } };
const at = (min: number) => new Date(Date.UTC(2024, 0, 1) + min * 60_000).toISOString();
const ev = (min: number, f: Record<string, unknown>) => ({ TimeCreated: at(min), Channel: 'Security', EventID: 4771, Computer: 'DC1', ...f });

const failures: NativeQuery = {
  name: 't',
  match: [{ source: security(4771), where: codeIn('Status', [0x18]) }],
  outputs: [{ name: 'user', fields: ['TargetUserName'] }, { name: 'src', fields: ['IpAddress', 'Computer'] }],
  aggregate: { by: ['user', 'src'], threshold: 'n', window: 'w' },
  riskObject: 'user',
};

describe('query tree evaluator', () => {
  it('matches status codes in any case and zero-padded', () => {
    const rs = evaluateQuery({ ...failures, aggregate: undefined }, [ev(0, { Status: '0x18' }), ev(1, { Status: '0X00000018' }), ev(2, { Status: '0x6' })], params);
    assert.equal(rs.length, 2);
  });

  it('counts in a sliding window, not in clock-aligned bins', () => {
    // 9:58, 10:01, 10:04 straddle a 10-minute bin boundary yet fall within one 10-minute window.
    const rs = evaluateQuery(failures, [58, 61, 64].map((m) => ev(m, { Status: '0x18', TargetUserName: 'Bob', IpAddress: '10.0.0.5' })), params);
    assert.deepEqual(rs.map((r) => [r.keys, r.count]), [[{ user: 'bob', src: '10.0.0.5' }, 3]]);
  });

  it('stays quiet when the same failures spread wider than the window', () => {
    const rs = evaluateQuery(failures, [0, 6, 12].map((m) => ev(m, { Status: '0x18', TargetUserName: 'bob', IpAddress: '10.0.0.5' })), params);
    assert.equal(rs.length, 0);
  });

  it('keeps keys apart: three failures from three sources are no vertical attack', () => {
    const rs = evaluateQuery(failures, [0, 1, 2].map((m) => ev(m, { Status: '0x18', TargetUserName: 'bob', IpAddress: `10.0.0.${m}` })), params);
    assert.equal(rs.length, 0);
  });

  it('counts distinct values when asked', () => {
    const q: NativeQuery = { ...failures, aggregate: { by: ['src'], distinct: 'user', threshold: 'n', window: 'w' } };
    const same = evaluateQuery(q, [0, 1, 2, 3].map((m) => ev(m, { Status: '0x18', TargetUserName: 'bob', IpAddress: '10.0.0.5' })), params);
    const many = evaluateQuery(q, [0, 1, 2].map((m) => ev(m, { Status: '0x18', TargetUserName: `u${m}`, IpAddress: '10.0.0.5' })), params);
    assert.equal(same.length, 0);
    assert.deepEqual(many.map((r) => [r.keys, r.count]), [[{ src: '10.0.0.5' }, 3]]);
  });

  it('treats absent, empty and "-" alike, and negation of an absent field as true', () => {
    const q: NativeQuery = { ...failures, aggregate: undefined, match: [{ source: security(4771), where: and(not(exists('SubStatus')), codeIn('Status', [0x18])) }] };
    assert.equal(evaluateQuery(q, [ev(0, { Status: '0x18', SubStatus: '-' }), ev(1, { Status: '0x18', SubStatus: '' }), ev(2, { Status: '0x18', SubStatus: '0x0' })], params).length, 2);
  });

  it('resolves configured lists: bare names for DOMAIN\\name entries, GUID entries in their braced forms, DNs by first RDN', () => {
    const q = (where: ReturnType<typeof inSetting>): NativeQuery => ({ ...failures, aggregate: undefined, match: [{ source: security(4771), where }] });
    assert.equal(evaluateQuery(q(inSetting('TargetUserName', 'honeytokens')), [ev(0, { TargetUserName: 'DECOY' }), ev(1, { TargetUserName: 'decoy2' })], params).length, 1);
    assert.equal(evaluateQuery(q(inSetting('ObjectName', 'honeytokens')), [ev(0, { ObjectName: '%{6F1E2D3C-1111-2222-3333-444455556666}' })], params).length, 1);
    assert.equal(evaluateQuery(q(inSetting('ObjectDN', 'honeytokens', 'dn')), [ev(0, { ObjectDN: 'CN=decoy,OU=x,DC=corp' }), ev(1, { ObjectDN: 'CN=decoy-ops,OU=x,DC=corp' })], params).length, 1);
  });

  it('names a missing threshold instead of guessing one', () => {
    assert.throws(() => evaluateQuery(failures, [ev(0, { Status: '0x18', TargetUserName: 'b' })], { ...params, thresholds: {} }), /threshold n/);
  });
});
