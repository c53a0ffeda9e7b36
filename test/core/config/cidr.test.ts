import { strict as assert } from 'node:assert';
import { compileAddresses, ipv4, isAddressOrCidr } from '../../../core/config/cidr';

describe('cidr matching', () => {
  const ranges = compileAddresses(['10.0.0.0/8', '172.16.0.0/12', '192.168.1.5', 'fe80::/10']);

  it('matches IPv4 by prefix, at both edges of a range', () => {
    assert.equal(ranges.matches('10.1.2.3'), true);
    assert.equal(ranges.matches('172.31.255.255'), true);
    assert.equal(ranges.matches('172.32.0.0'), false);
    assert.equal(ranges.matches('192.168.1.5'), true);
    assert.equal(ranges.matches('192.168.1.6'), false);
  });

  it('reads mapped, padded and tab-padded IPv4 as the full parser does', () => {
    assert.equal(ranges.matches('::ffff:10.0.0.1'), true);
    assert.equal(ranges.matches('::FFFF:172.16.0.1'), true);
    assert.equal(ranges.matches(' 10.1.2.3 '), true);
    assert.equal(ranges.matches('\t10.1.2.3'), true);
  });

  it('refuses what is not an address', () => {
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1234.1.1.1', 'abc', '', '10.0.0.1x']) assert.equal(ranges.matches(bad), false, bad);
  });

  it('matches IPv6 ranges, in either case', () => {
    assert.equal(ranges.matches('fe80::1'), true);
    assert.equal(ranges.matches('FE80::1'), true);
    assert.equal(ranges.matches('::1'), false);
  });

  it('handles /0, /1 and /32 without sign trouble in 32-bit arithmetic', () => {
    assert.equal(compileAddresses(['0.0.0.0/0']).matches('255.255.255.255'), true);
    assert.equal(compileAddresses(['255.255.255.255/32']).matches('255.255.255.255'), true);
    assert.equal(compileAddresses(['128.0.0.0/1']).matches('200.0.0.1'), true);
    assert.equal(compileAddresses(['128.0.0.0/1']).matches('100.0.0.1'), false);
  });

  it('matches nothing with no ranges configured', () => {
    assert.equal(compileAddresses([]).matches('10.0.0.1'), false);
  });

  it('reads a dotted quad as an unsigned number', () => {
    assert.equal(ipv4('255.255.255.255'), 0xffffffff);
    assert.equal(ipv4('10.0.0.1'), 0x0a000001);
    assert.equal(ipv4('fe80::1'), undefined);
  });

  it('validates entries as before', () => {
    assert.equal(isAddressOrCidr('10.0.0.0/8'), true);
    assert.equal(isAddressOrCidr('10.0.0.0/33'), false);
    assert.equal(isAddressOrCidr('fe80::/129'), false);
  });
});
