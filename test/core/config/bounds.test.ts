import { strict as assert } from 'node:assert';
import { thresholdMaximum } from '../../../core/config/threshold-bounds';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { configError } from '../../support/config-error';

describe('config bounds and blanks', () => {
  it('rejects a config file holding null, rather than running on defaults', () => {
    assert.equal(configError(null).message, 'config: (root) must be a JSON object');
  });

  it('rejects a whitespace-only honeytoken, naming the entry', () => {
    assert.equal(configError({ honeytokens: ['adm-decoy', '   '] }).message, 'config: honeytokens[1] must not be blank');
  });

  it('rejects a honeytoken made only of invisible characters (zero-width space, bidi override)', () => {
    assert.equal(configError({ honeytokens: ['\u200b\u202e'] }).message, 'config: honeytokens[0] must not be blank');
  });

  it('rejects a blank exclusion account', () => {
    assert.equal(configError({ detectors: { brute_force: { exclusions: { accounts: ['\t'] } } } }).message,
      'config: detectors.brute_force.exclusions.accounts[0] must not be blank');
  });

  it('bounds windowMinutes at a week', () => {
    assert.equal(configError({ detectors: { brute_force: { thresholds: { windowMinutes: 1e12 } } } }).message,
      'config: detectors.brute_force.thresholds.windowMinutes must be <= 10080');
  });

  it('gives every threshold of every detector a finite maximum at or above its default', () => {
    for (const d of DECLARATIONS) {
      for (const [name, spec] of Object.entries(d.thresholds)) {
        const max = thresholdMaximum(name, spec);
        assert.ok(Number.isFinite(max) && max >= spec.default && max >= spec.minimum, `${d.id}.${name}: maximum ${max}, default ${spec.default}`);
      }
    }
  });

  it('keeps a declaration\'s own maximum', () => {
    assert.equal(configError({ detectors: { remote_code_execution: { thresholds: { correlationSeconds: 601 } } } }).message,
      'config: detectors.remote_code_execution.thresholds.correlationSeconds must be <= 600');
  });

  it('bounds maxLineBytes at 256 MiB', () => {
    assert.equal(configError({ maxLineBytes: 2 ** 40 }).message, 'config: maxLineBytes must be <= 268435456');
  });

  it('bounds stateTtlDays and learningPeriodDays', () => {
    assert.equal(configError({ stateTtlDays: 1e9 }).message, 'config: stateTtlDays must be <= 3650');
    assert.equal(configError({ detectors: { dcsync: { learningPeriodDays: 1e9 } } }).message, 'config: detectors.dcsync.learningPeriodDays must be <= 365');
  });
});
