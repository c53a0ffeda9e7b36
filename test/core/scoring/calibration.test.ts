import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { MemorySink } from '../../../adapters/file/file-sink';
import { FileSource } from '../../../adapters/file/file-source';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import type { DetectorId } from '../../../core/detectors/detector-id';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { band } from '../../../core/scoring/bands';
import { computeScore, CRITICALITY_MULTIPLIER, type Criticality, type CriticalityTier, type SignalInput } from '../../../core/scoring/model';
import { CONCLUSIVE_DETECTORS } from '../../../core/scoring/profiles';
import { readFileSync } from 'node:fs';

const HOUR = 3_600_000;
const AT = Date.UTC(2024, 2, 11, 12, 0, 0);
const tier = (t: CriticalityTier): Criticality => ({ tier: t, multiplier: CRITICALITY_MULTIPLIER[t], reasons: [] });

function lone(detector: DetectorId, risk: number, ageHours: number, extra: Partial<SignalInput> = {}): SignalInput {
  return { alertId: `tz-${detector}`, detector, title: detector, risk, firstSeen: AT - ageHours * HOUR - 60_000, lastSeen: AT - ageHours * HOUR, share: 1, maturity: 1, ...extra };
}

/** The harshest priors the model allows: lowest precision and popularity, an immature identity. */
const harsh = (criticality: Criticality = tier('normal')) => ({ at: AT, precision: () => 0.2, popularity: () => 0.3, criticality });

describe('score calibration (issue 9, item 7)', () => {
  // The five, and three of Defender for Identity's newer alerts that are facts, not
  // inferences: an anonymous DC password change (Zerologon), a TGT for a DC's name without its `$`
  // (noPac), a read of the AD FS key that signs every federated token.
  it('names the conclusive detectors in one place', () => {
    assert.deepEqual([...CONCLUSIVE_DETECTORS].sort(), ['adfs_dkm_key_read', 'dcshadow', 'dcsync', 'dpapi_backup_key', 'golden_ticket', 'honeytoken_activity', 'samaccountname_spoofing', 'zerologon']);
  });

  for (const d of ['dcsync', 'dcshadow', 'golden_ticket', 'honeytoken_activity', 'dpapi_backup_key', 'zerologon', 'samaccountname_spoofing', 'adfs_dkm_key_read'] as const) {
    it(`puts a lone high ${d} alert in the high band under the harshest priors`, () => {
      const b = computeScore([lone(d, 70, 23, { maturity: 0.5 })], harsh());
      assert.equal(band(b.score), 'high', `score ${b.score}`);
      assert.equal(b.floorAlertId, `tz-${d}`);
    });
  }

  for (const t of ['disabled', 'test', 'tier0', 'honeytoken'] as const) {
    it(`keeps a lone DCSync in the high band for a ${t} identity`, () => {
      assert.ok(computeScore([lone('dcsync', 70, 1)], harsh(tier(t))).score >= 70);
    });
  }

  it('lets the kill-chain bonus and criticality lift a score above the floor', () => {
    const normal = computeScore([lone('dcsync', 70, 1)], harsh()).score;
    const admin = computeScore([lone('dcsync', 70, 1)], harsh(tier('tier0'))).score;
    assert.ok(admin > normal && normal >= 70, `${admin} vs ${normal}`);
  });

  it('lets the floor fade after a day at the signal\'s half-life: a DCSync 8 days old floors at 35', () => {
    const b = computeScore([lone('dcsync', 70, 24 + 168)], harsh());
    assert.ok(Math.abs(b.floor - 35) < 1e-9, `floor ${b.floor}`);
    assert.equal(band(b.score), 'low');
  });

  it('floors a learning-period alert at half, and one of four targets at half', () => {
    assert.ok(Math.abs(computeScore([lone('dcsync', 70, 1, { learning: true })], harsh()).floor - 35) < 1e-9);
    assert.ok(Math.abs(computeScore([lone('dcsync', 70, 1, { share: 0.5 })], harsh()).floor - 35) < 1e-9);
  });

  it('gives no floor to an inference, nor to a conclusive detector\'s medium alert', () => {
    assert.equal(computeScore([lone('kerberoasting', 70, 1)], harsh()).floor, 0);
    assert.equal(computeScore([lone('honeytoken_activity', 40, 1)], harsh()).floor, 0);
  });

  it('reads a score under the moderate band as low, never unknown', () => {
    assert.deepEqual([0, 12.5, 39.99, 40, 69.99, 70, 90, 90.01].map(band), ['low', 'low', 'low', 'moderate', 'moderate', 'high', 'high', 'critical']);
  });

  it('reads the sample day\'s lone DCSync (kofi.gomez) as high, and sends that score to the sink', async function () {
    this.timeout(60_000);
    const samples = join(__dirname, '..', '..', '..', 'samples');
    const config = resolveConfig(JSON.parse(readFileSync(join(samples, 'tierzero.json'), 'utf8')), DECLARATIONS);
    const sink = new MemorySink();
    const r = await runPass({ source: new FileSource([join(samples, 'sample-day.jsonl.gz')], { maxLineBytes: config.maxLineBytes }), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
    const kofi = sink.scores.find((u) => u.kind === 'score' && u.identity.name === 'kofi.gomez');
    assert.ok(kofi && kofi.kind === 'score');
    assert.equal(kofi.band, 'high');
    assert.equal(kofi.contributions[0]?.detector, 'dcsync');
    assert.equal(r.alerts.filter((a) => a.identity?.name === 'kofi.gomez' && a.detector === 'dcsync').length, 1);
  });
});
