import { strict as assert } from 'node:assert';
import { compileAddresses } from '../../../core/config/cidr';
import { mergeConfig, resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { configError } from '../../support/config-error';


describe('config', () => {
  it('applies every detector default when the config is empty', () => {
    const c = resolveConfig({}, DECLARATIONS);
    assert.equal(c.detectors.size, DECLARATIONS.length);
    assert.equal(c.detectors.get('brute_force')?.settings.thresholds['failuresPerAccount'], 6);
    assert.equal(c.learningMode, 'informational');
    assert.equal(c.testMode, false);
  });

  it('overrides a threshold and disables a detector', () => {
    const c = resolveConfig({ detectors: { brute_force: { thresholds: { failuresPerAccount: 9 } }, dcsync: { enabled: false } } }, DECLARATIONS);
    assert.equal(c.detectors.get('brute_force')?.settings.thresholds['failuresPerAccount'], 9);
    assert.equal(c.detectors.has('dcsync'), false);
  });

  it('names a misspelled top-level key', () => {
    assert.equal(configError({ honeytoken: ['x'] }).message, 'config: honeytoken is not a known key');
  });

  it('names a misspelled threshold with its full path', () => {
    assert.equal(configError({ detectors: { brute_force: { thresholds: { failuresPerAcount: 3 } } } }).message,
      'config: detectors.brute_force.thresholds.failuresPerAcount is not a known key');
  });

  it('says what a threshold must be', () => {
    assert.match(configError({ detectors: { brute_force: { thresholds: { failuresPerAccount: 1 } } } }).message,
      /^config: detectors\.brute_force\.thresholds\.failuresPerAccount must be >= 2$/);
    assert.match(configError({ detectors: { kerberoasting: { thresholds: { distinctServices: 'three' } } } }).message, /must be integer/);
  });

  it('rejects an exclusion that is not an address or CIDR', () => {
    assert.equal(configError({ detectors: { dcsync: { exclusions: { ips: ['10.0.0.0/33'] } } } }).message,
      'config: detectors.dcsync.exclusions.ips[0] must be an IP address or CIDR range (e.g. 10.0.0.0/8)');
  });

  it('rejects a bad learning mode naming the allowed values', () => {
    assert.equal(configError({ learning: { mode: 'skip' } }).message, 'config: learning.mode must be one of ["informational","lower","hold"]');
  });

  it('rejects a front-end that is neither a host name, an address nor a CIDR, naming its index', () => {
    assert.equal(configError({ frontEnds: ['adfs01', '10.20.0.0/33'] }).message,
      'config: frontEnds[1] must be a host name, IP address or CIDR range (e.g. adfs01, mail.corp.example, 203.0.113.0/28)');
  });

  it('accepts front-ends as names, FQDNs, addresses and CIDRs', () => {
    assert.deepEqual(resolveConfig({ frontEnds: ['adfs01', 'mail.corp.example', '10.20.0.15', '10.20.0.0/28'] }, DECLARATIONS).frontEnds, ['adfs01', 'mail.corp.example', '10.20.0.15', '10.20.0.0/28']);
  });

  it('merges a dataset context over a base config, unioning lists', () => {
    assert.deepEqual(mergeConfig({ honeytokens: ['a'], testMode: false, detectors: { dcsync: { enabled: true } } }, { honeytokens: ['b'], testMode: true }),
      { honeytokens: ['a', 'b'], testMode: true, detectors: { dcsync: { enabled: true } } });
  });
});

describe('address matching', () => {
  it('matches IPv4 and IPv6 CIDRs and single addresses', () => {
    const m = compileAddresses(['10.0.0.0/8', '192.168.1.7', 'fe80::/10']);
    assert.equal(m.matches('10.200.3.4'), true);
    assert.equal(m.matches('11.0.0.1'), false);
    assert.equal(m.matches('192.168.1.7'), true);
    assert.equal(m.matches('192.168.1.8'), false);
    assert.equal(m.matches('fe80::e50e:b89e:4718:3aa'), true);
    assert.equal(m.matches('2001:db8::1'), false);
    assert.equal(m.matches('::ffff:10.1.1.1'), true);
  });
});
