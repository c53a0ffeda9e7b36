import { strict as assert } from 'node:assert';
import type { DetectorId } from '../../../core/detectors/detector-id';
import { CONCLUSIVE_DETECTORS } from '../../../core/scoring/profiles';
import { computeScore, CRITICALITY_MULTIPLIER, ZETA_1_5, type Criticality, type ScoreBreakdown, type SignalInput } from '../../../core/scoring/model';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AT = Date.UTC(2024, 2, 11, 12, 0, 0);
const normal: Criticality = { tier: 'normal', multiplier: CRITICALITY_MULTIPLIER.normal, reasons: [] };
const tier0: Criticality = { tier: 'tier0', multiplier: CRITICALITY_MULTIPLIER.tier0, reasons: ['member of Domain Admins'] };

let n = 0;
function signal(detector: DetectorId, risk: number, ageMs: number, extra: Partial<SignalInput> = {}): SignalInput {
  return { alertId: `tz-${String(n++).padStart(4, '0')}`, detector, title: detector, risk, firstSeen: AT - ageMs - 60_000, lastSeen: AT - ageMs, share: 1, maturity: 1, ...extra };
}

const inputs = (criticality: Criticality = normal) => ({
  at: AT,
  precision: (d: DetectorId) => (d === 'dcsync' ? 1 : 0.5),
  popularity: (d: DetectorId) => (d === 'brute_force' ? 0.6 : 0.9),
  criticality,
});

/** The score recomputed from nothing but the numbers its contribution table shows. */
function byHand(b: ScoreBreakdown): number {
  for (const r of b.rows) {
    assert.ok(Math.abs(r.decay - 2 ** (-r.ageHours / r.halfLifeHours)) < 1e-12);
    assert.ok(Math.abs(r.value - r.risk * r.precision * r.popularity * r.maturity * r.share * r.decay) < 1e-9);
  }
  let total = 0;
  for (const rule of b.rules) {
    const rows = b.rows.filter((r) => r.detector === rule.detector);
    const sum = rows.reduce((a, r) => a + r.value / r.rank ** 1.5, 0);
    const g = Math.min(sum, 2 * Math.max(...rows.map((r) => r.value)));
    assert.ok(Math.abs(g - rule.value) < 1e-9, rule.detector);
    total += g / rule.rank ** 1.5;
  }
  const floor = Math.max(0, ...b.rows.filter((r) => CONCLUSIVE_DETECTORS.includes(r.detector) && r.risk >= 70).map((r) => 70 * 2 ** (-Math.max(0, r.ageHours - 24) / r.halfLifeHours) * r.share * (r.learning ? 0.5 : 1)));
  assert.ok(Math.abs(floor - b.floor) < 1e-9);
  const boosted = Math.min(99, Math.max(floor, Math.min(100, total / ZETA_1_5)) * b.bonus);
  const odds = boosted / (100 - boosted);
  const k = b.criticality.multiplier;
  return Math.max(floor, (100 * k * odds) / (1 + k * odds));
}

describe('investigation priority score', () => {
  it('is reproducible by hand from its contribution table', () => {
    const b = computeScore([
      signal('dcsync', 70, 2 * HOUR),
      signal('kerberoasting', 70, 6 * HOUR, { maturity: 0.5 }),
      signal('brute_force', 40, 20 * HOUR),
      signal('brute_force', 40, 30 * HOUR, { share: 1 / Math.sqrt(4) }),
    ], inputs());
    assert.equal(b.rows.length, 4);
    assert.ok(Math.abs(byHand(b) - b.score) < 1e-9);
    assert.ok(b.score > 0 && b.score < 100);
  });

  it('halves a 7-day-old DCSync, as its 7-day half-life says', () => {
    const fresh = computeScore([signal('dcsync', 70, 0)], inputs()).rows[0];
    const week = computeScore([signal('dcsync', 70, 7 * DAY)], inputs()).rows[0];
    assert.equal(week?.halfLifeHours, 168);
    assert.ok(Math.abs((week?.decay ?? 0) - 0.5) < 1e-12);
    assert.ok(Math.abs((week?.value ?? 0) - (fresh?.value ?? 0) / 2) < 1e-9);
  });

  it('fades an anomaly in hours and a credential attack in days', () => {
    const [travel, roast] = [computeScore([signal('impossible_travel', 40, 12 * HOUR)], inputs()), computeScore([signal('kerberoasting', 40, 72 * HOUR)], inputs())];
    assert.ok(Math.abs((travel.rows[0]?.decay ?? 0) - 0.5) < 1e-12);
    assert.ok(Math.abs((roast.rows[0]?.decay ?? 0) - 0.5) < 1e-12);
  });

  it('caps 100 brute-force alerts on one user at twice the strongest one', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => signal('brute_force', 40, i * 60_000));
    const b = computeScore(hundred, inputs());
    const rule = b.rules[0];
    const strongest = b.rows[0]?.value ?? 0;
    assert.equal(rule?.signals, 100);
    assert.equal(rule?.capped, true);
    assert.ok(Math.abs((rule?.value ?? 0) - 2 * strongest) < 1e-9);
    assert.ok(Math.abs(b.normalised - (2 * strongest) / ZETA_1_5) < 1e-9);
    const oneCritical = computeScore([signal('dcsync', 90, 0)], inputs());
    assert.ok(b.score < oneCritical.score, `${b.score} (100 brute force) < ${oneCritical.score} (one critical DCSync)`);
  });

  it('ranks a tier-0 user above a normal user with the same alerts, in odds form', () => {
    const alerts = [signal('kerberoasting', 70, HOUR), signal('brute_force', 40, 2 * HOUR)];
    const user = computeScore(alerts, inputs(normal));
    const admin = computeScore(alerts, inputs(tier0));
    assert.ok(admin.score > user.score);
    assert.ok(Math.abs(admin.odds - user.odds) < 1e-12, 'criticality scales the odds, not the evidence');
    assert.ok(Math.abs(admin.score - (100 * 2 * user.odds) / (1 + 2 * user.odds)) < 1e-9);
    assert.ok(admin.score < 100);
  });

  it('adds the kill-chain bonus for stages in order within 24 h', () => {
    const chain = computeScore([signal('samr_recon', 70, 10 * HOUR), signal('kerberoasting', 70, 6 * HOUR), signal('dcsync', 90, HOUR)], inputs());
    assert.deepEqual(chain.stages, ['reconnaissance', 'credential-access', 'domain-dominance']);
    assert.equal(chain.inOrder, true);
    assert.ok(Math.abs(chain.bonus - 1.3 * 1.2) < 1e-12);
    const reversed = computeScore([signal('dcsync', 90, 10 * HOUR), signal('samr_recon', 70, HOUR)], inputs());
    assert.equal(reversed.inOrder, false);
    assert.ok(Math.abs(reversed.bonus - 1.15) < 1e-12);
  });

  it('leaves out signals at or before the reset watermark, and counts them', () => {
    const b = computeScore([signal('dcsync', 70, 3 * HOUR), signal('kerberoasting', 70, HOUR)], { ...inputs(), resetAt: AT - 2 * HOUR });
    assert.deepEqual(b.rows.map((r) => r.detector), ['kerberoasting']);
    assert.equal(b.clearedByReset, 1);
  });

  it('drops signals older than 30 days and is 0 with nothing left', () => {
    const b = computeScore([signal('dcsync', 90, 31 * DAY)], inputs(tier0));
    assert.equal(b.rows.length, 0);
    assert.equal(b.score, 0);
  });
});
