import { strict as assert } from 'node:assert';
import { alertId } from '../../../core/alerts/alert-id';
import { AlertCollector } from '../../../core/alerts/collector';
import type { Signal } from '../../../core/alerts/signal';
import { resolveConfig } from '../../../core/config/config';
import type { DetectorId } from '../../../core/detectors/detector-id';
import { declaration as bruteForce } from '../../../core/detectors/brute_force';
import { DECLARATIONS } from '../../../core/detectors/registry';

const T0 = Date.UTC(2024, 2, 4, 9);

function signal(at: number, over: Partial<Signal> = {}): Signal {
  return {
    keys: ['10.0.0.9'],
    severity: 'medium',
    description: `attempts at ${at}`,
    accounts: [{ name: 'jdoe', role: 'target' }],
    hosts: [{ ip: '10.0.0.9', role: 'source' }],
    events: [{ time: T0 + at * 60_000, host: 'DC01', eventId: 4771, recordId: at }],
    ...over,
  };
}

function collector(config: unknown = {}, delivered: string[] = []): AlertCollector {
  const c = resolveConfig(config, DECLARATIONS);
  const exclusions = new Map([...c.detectors].map(([id, d]) => [id, d.exclusions] as [DetectorId, typeof d.exclusions]));
  return new AlertCollector({ learningMode: c.learningMode, exclusions, delivered: new Set(delivered) });
}

describe('alert collector', () => {
  it('merges repeats for the same keys in one bucket into one alert with a count and time range', () => {
    const c = collector();
    c.add(bruteForce, signal(0));
    c.add(bruteForce, signal(5));
    c.add(bruteForce, signal(5));
    const [a, ...rest] = c.drain();
    assert.equal(rest.length, 0);
    assert.equal(a?.evidence.count, 2, 'the same event twice is counted once');
    assert.equal(a?.firstSeen, new Date(T0).toISOString());
    assert.equal(a?.lastSeen, new Date(T0 + 5 * 60_000).toISOString());
    assert.deepEqual(a?.evidence.events.map((e) => e.EventRecordID), [0, 5]);
  });

  it('gives the same id to the same detector, keys and bucket on every run', () => {
    const first = collector();
    first.add(bruteForce, signal(0));
    const second = collector();
    second.add(bruteForce, signal(3));
    assert.equal(first.drain()[0]?.id, second.drain()[0]?.id);
    assert.equal(alertId('brute_force', ['10.0.0.9'], T0, 86_400_000), alertId('brute_force', ['10.0.0.9'], T0 + 1000, 86_400_000));
    assert.notEqual(alertId('brute_force', ['10.0.0.9'], T0, 86_400_000), alertId('brute_force', ['10.0.0.8'], T0, 86_400_000));
  });

  it('keeps separate alerts for separate buckets', () => {
    const c = collector();
    c.add(bruteForce, signal(0));
    c.add(bruteForce, signal(24 * 60));
    assert.equal(c.drain().length, 2);
  });

  it('lets an escalation rewrite severity and description', () => {
    const c = collector();
    c.add(bruteForce, signal(0));
    c.add(bruteForce, signal(1, { severity: 'high', description: 'then succeeded' }));
    const [a] = c.drain();
    assert.equal(a?.severity, 'high');
    assert.equal(a?.riskScore, 70);
    assert.equal(a?.description, 'then succeeded');
  });

  it('drops signals whose account, host or address is excluded for that detector', () => {
    const c = collector({ detectors: { brute_force: { exclusions: { ips: ['10.0.0.0/24'] } } } });
    c.add(bruteForce, signal(0));
    assert.equal(c.drain().length, 0);
    assert.equal(c.counts.excluded, 1);
    const byAccount = collector({ detectors: { brute_force: { exclusions: { accounts: ['CORP\\JDoe'] } } } });
    byAccount.add(bruteForce, signal(0));
    assert.equal(byAccount.drain().length, 0);
  });

  it('delivers a learning-period verdict at informational by default, marked learning, with its own verdict kept', () => {
    const c = collector();
    c.add(bruteForce, signal(0, { learning: true, severity: 'high' }));
    const [a] = c.drain();
    assert.equal(a?.severity, 'informational');
    assert.equal(a?.learning, true);
    assert.equal(a?.verdictSeverity, 'high');
  });

  it('keeps a learning alert\'s risk at the lowered verdict\'s so the score weighs it as before', () => {
    const c = collector();
    c.add(bruteForce, signal(0, { learning: true, severity: 'high' }));
    assert.equal(c.drain()[0]?.riskScore, 40);
  });

  it('lowers a learning-period verdict one severity when learning.mode is lower', () => {
    const c = collector({ learning: { mode: 'lower' } });
    c.add(bruteForce, signal(0, { learning: true }));
    const [a] = c.drain();
    assert.equal(a?.severity, 'low');
    assert.equal(a?.learning, true);
  });

  it('raises a held informational alert to full severity when a trusted verdict for the same keys follows', () => {
    const c = collector();
    c.add(bruteForce, signal(0, { learning: true }));
    c.add(bruteForce, signal(5));
    const [a, ...rest] = c.drain();
    assert.equal(rest.length, 0);
    assert.equal(a?.severity, 'medium');
    assert.equal(a?.learning, undefined);
    assert.equal(a?.verdictSeverity, undefined);
  });

  it('holds learning-period verdicts back when configured to', () => {
    const c = collector({ learning: { mode: 'hold' } });
    c.add(bruteForce, signal(0, { learning: true }));
    assert.equal(c.drain().length, 0);
    assert.equal(c.counts.heldWhileLearning, 1);
  });

  it('never re-delivers an alert id an earlier pass already delivered', () => {
    const first = collector();
    first.add(bruteForce, signal(0));
    const id = first.drain()[0]?.id ?? '';
    const later = collector({}, [id]);
    later.add(bruteForce, signal(2));
    assert.equal(later.drain().length, 0);
    assert.equal(later.counts.alreadyDelivered, 1);
  });

  it('fills the alert contract from the declaration', () => {
    const c = collector();
    c.add(bruteForce, signal(0));
    const [a] = c.drain();
    assert.match(a?.id ?? '', /^tz-[0-9a-f]{24}$/);
    assert.equal(a?.detector, 'brute_force');
    assert.deepEqual(a?.mitre, bruteForce.mitre);
    assert.deepEqual(a?.recommendations, bruteForce.recommendations);
    assert.deepEqual(a?.entities, { accounts: [{ name: 'jdoe', role: 'target' }], hosts: [{ ip: '10.0.0.9', role: 'source' }] });
  });
});
