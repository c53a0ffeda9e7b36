import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectorTable, MARKERS, replaceSection, thresholdTable } from '../../../cli/readme-tables';
import { isDetectorId } from '../../../core/detectors/detector-id';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { MODELLED_EVENT_IDS } from '../../../core/events/normalize';

const TACTICS = new Set([
  'reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation', 'defense-evasion',
  'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact',
]);

/** The EventIDs the normaliser builds for a declared channel; cloud logs carry no EventID. */
function modelledIds(channel: string): readonly number[] {
  const byChannel: Record<string, readonly number[]> = {
    security: MODELLED_EVENT_IDS.security,
    system: MODELLED_EVENT_IDS.system,
    'microsoft-windows-sysmon/operational': (MODELLED_EVENT_IDS as { sysmon?: readonly number[] }).sysmon ?? [],
  };
  return byChannel[channel.toLowerCase()] ?? [0];
}

describe('detector registry', () => {
  it('has unique, known detector ids', () => {
    const ids = DECLARATIONS.map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(isDetectorId(id), id);
  });

  for (const d of DECLARATIONS) {
    describe(d.id, () => {
      it('declares title, summary, MITRE, false positives and recommendations', () => {
        assert.ok(d.title.length > 10 && d.summary.length > 20);
        assert.ok(d.mitre.tactics.length > 0 && d.mitre.tactics.every((t) => TACTICS.has(t)), `tactics ${d.mitre.tactics.join(',')}`);
        assert.ok(d.mitre.techniques.length > 0 && d.mitre.techniques.every((t) => /^T\d{4}(\.\d{3})?$/.test(t)));
        assert.ok(d.falsePositives.length > 0);
        assert.ok(d.recommendations.length > 0);
        assert.ok(d.bucketHours > 0);
      });

      it('declares the events it needs, each with the audit policy that produces them, and the normaliser models them', () => {
        assert.ok(d.requires.length > 0 && d.consumes.length > 0);
        for (const r of d.requires) {
          assert.ok(r.auditPolicy.length > 10, `${r.channel} ${r.eventIds.join(',')} has no audit policy`);
          assert.ok(r.fields.length > 0);
          const modelled = modelledIds(r.channel);
          for (const id of r.eventIds) assert.ok(modelled.includes(id), `${r.channel} ${id} is declared but not normalised`);
        }
      });

      it('has threshold defaults inside their own bounds', () => {
        for (const [name, t] of Object.entries(d.thresholds)) {
          assert.ok(t.default >= t.minimum && (t.maximum === undefined || t.default <= t.maximum), name);
          assert.ok(!t.integer || Number.isInteger(t.default), name);
          assert.ok(t.description.length > 10, name);
        }
      });

      it('restores its own snapshot', () => {
        const m = DETECTOR_MODULES.find((x) => x.declaration.id === d.id);
        const settings = { thresholds: Object.fromEntries(Object.entries(d.thresholds).map(([k, t]) => [k, t.default])), learningPeriodMs: 0, testMode: false };
        const fresh = m?.create(settings, undefined);
        const snapshot = JSON.parse(JSON.stringify(fresh?.snapshot()));
        assert.deepEqual(JSON.parse(JSON.stringify(m?.create(settings, snapshot).snapshot())), snapshot);
      });
    });
  }

  it('is documented in the README exactly as declared (run npm run docs after changing a declaration)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    let expected = replaceSection(readme, MARKERS.detectors, detectorTable(DECLARATIONS));
    expected = replaceSection(expected, MARKERS.thresholds, thresholdTable(DECLARATIONS));
    assert.equal(readme, expected);
  });
});
