import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ATTACK_KINDS } from '../../bench/attacks';
import { createWorkload, type WorkloadOptions } from '../../bench/generate';
import { buildDomain } from '../../bench/domain';
import { Prng } from '../../bench/prng';
import { Sim } from '../../bench/sim';
import { Timeline } from '../../bench/timeline';
import type { GeneratedEvent } from '../../bench/windows-events';
import { normalize } from '../../core/events/normalize';

const SMALL: WorkloadOptions = {
  seed: 'test-seed',
  start: '2024-05-07T00:00:00.000Z',
  durationHours: 24,
  shape: { users: 60, workstations: 60, servers: 10, domainControllers: 3, serviceAccounts: 10 },
  events: 8000,
};

const WITH_EVERY_ATTACK: WorkloadOptions = {
  ...SMALL,
  attacks: ATTACK_KINDS.map((kind, i) => ({ kind, at: new Date(Date.parse('2024-05-07T12:00:00Z') + i * 15 * 60_000).toISOString() })),
};

function digest(o: WorkloadOptions): string {
  const h = createHash('sha256');
  for (const e of createWorkload(o).events()) h.update(JSON.stringify(e)).update('\n');
  return h.digest('hex');
}

function all(o: WorkloadOptions): GeneratedEvent[] {
  return [...createWorkload(o).events()];
}

describe('bench workload generator', () => {
  const events = all(WITH_EVERY_ATTACK);
  const benign = all(SMALL);

  it('yields the same bytes for the same seed', () => {
    assert.equal(digest(SMALL), digest(SMALL));
  });

  it('yields different events for a different seed', () => {
    assert.notEqual(digest(SMALL), digest({ ...SMALL, seed: 'another-seed' }));
  });

  it('lands within one percent of the event target', () => {
    assert.ok(Math.abs(benign.length - SMALL.events) <= SMALL.events * 0.01, `${benign.length} events for a target of ${SMALL.events}`);
  });

  it('keeps events in time order, inside the period', () => {
    const start = Date.parse(SMALL.start);
    const end = start + SMALL.durationHours * 3_600_000;
    let last = 0;
    for (const e of events) {
      const t = Date.parse(e.TimeCreated);
      assert.ok(t >= last && t >= start && t < end, `${e.TimeCreated} out of order or out of the period`);
      last = t;
    }
  });

  it('numbers each host log with increasing record ids', () => {
    const last = new Map<string, number>();
    for (const e of events) {
      const key = `${e.Computer}|${e.Channel}`;
      assert.ok(e.EventRecordID > (last.get(key) ?? 0), `${key} record id ${e.EventRecordID} does not increase`);
      last.set(key, e.EventRecordID);
    }
  });

  it('produces only events the normalizer accepts', () => {
    for (const e of events) {
      const r = normalize(e);
      assert.notEqual(r.status, 'malformed', `${JSON.stringify(e).slice(0, 200)}: ${r.status === 'malformed' ? r.reason : ''}`);
    }
  });

  it('renders values as Windows does: strings, unpadded lower-case hex, Kerberos addresses as ::ffff:', () => {
    for (const e of events) {
      for (const [k, v] of Object.entries(e)) {
        if (k === 'EventID' || k === 'EventRecordID') assert.equal(typeof v, 'number');
        else assert.equal(typeof v, 'string', `${e.EventID}.${k}`);
        if (typeof v === 'string' && /^0x/i.test(v)) assert.match(v, /^0x(0|[1-9a-f][0-9a-f]*)$/, `${e.EventID}.${k} = ${v}`);
      }
      if (e.EventID === 4768 || e.EventID === 4769 || e.EventID === 4771) assert.match(String(e['IpAddress']), /^(::ffff:\d+\.\d+\.\d+\.\d+|::1)$/);
      if (e.EventID === 4769) assert.match(String(e['TargetUserName']), /^[^@]+@[^@]+$/);
    }
  });

  it('writes the event ids a real DC writes, on the DCs', () => {
    const onDc = new Set(events.filter((e) => /^DC\d+\./.test(e.Computer)).map((e) => e.EventID));
    for (const id of [4768, 4769, 4771, 4776, 4624, 4625, 4662, 5136, 4738, 4728, 4732, 4756, 7045, 4697, 4698, 5140, 5145, 4661, 4799]) {
      if (id === 4625) continue; // NTLM failures are logged by the server the user tried, checked below
      assert.ok(onDc.has(id), `no ${id} on a DC`);
    }
    assert.ok(events.some((e) => e.EventID === 4625));
  });

  it('keeps every benign service ticket within ten hours after a TGT for the same account, even for people busy every minute', () => {
    // Busier people: some sign in and work within the same minute, drawn out of order (this seed has such cases).
    const busy = all({ ...SMALL, shape: { ...SMALL.shape, users: 200, workstations: 200 }, events: 30_000 });
    for (const workload of [benign, busy]) {
      const tgt = new Map<string, number>();
      for (const e of workload) {
        const t = Date.parse(e.TimeCreated);
        if (e.EventID === 4768 && e['Status'] === '0x0') tgt.set(String(e['TargetUserName']).toLowerCase(), t);
        if (e.EventID === 4769) {
          const account = String(e['TargetUserName']).split('@')[0]?.toLowerCase() ?? '';
          const issued = tgt.get(account);
          assert.ok(issued !== undefined && t - issued <= 10 * 3_600_000, `4769 for ${account} at ${e.TimeCreated} without a TGT in the 10 h before`);
        }
      }
    }
  });

  it('gives a request earlier in the minute than an already recorded sign-in its own TGT', () => {
    const t = Date.parse(SMALL.start);
    const sim = new Sim(buildDomain('x', SMALL.shape), new Timeline(60_000, t, t + 3_600_000), new Prng('x'));
    assert.equal(sim.needsTgt('anna.keller', t + 50_000), true);
    assert.equal(sim.needsTgt('anna.keller', t + 10_000), true);
    assert.equal(sim.needsTgt('anna.keller', t + 30_000), false);
  });

  it('leaves about a fifth of the events to logs no detector reads', () => {
    const unmodelled = benign.filter((e) => normalize(e).status === 'unmodelled' && e.EventID !== 4634).length;
    assert.ok(unmodelled > benign.length * 0.15 && unmodelled < benign.length * 0.3, `${unmodelled} of ${benign.length}`);
  });

  it('uses only field names real exports of the same event carry', function () {
    const dir = join(__dirname, '../../../shared/datasets');
    if (!existsSync(dir)) this.skip();
    const real = new Map<string, Set<string>>();
    for (const f of readdirSync(dir).filter((n) => /\.jsonl(\.gz)?$/.test(n))) {
      const raw = readFileSync(join(dir, f));
      for (const line of (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line) as Record<string, unknown>;
        const key = `${String(e['Channel']).toLowerCase()}:${String(e['EventID'])}`;
        const names = real.get(key) ?? new Set<string>();
        for (const k of Object.keys(e)) names.add(k);
        real.set(key, names);
      }
    }
    for (const e of events) {
      const names = real.get(`${e.Channel.toLowerCase()}:${e.EventID}`);
      if (!names) continue; // no real example of this event id to compare with
      for (const k of Object.keys(e)) assert.ok(names.has(k), `${e.Channel} ${e.EventID} has ${k}, which no real export of it carries`);
    }
  });

  it('rejects an attack too close to the start to fit its preparation', () => {
    assert.throws(() => createWorkload({ ...SMALL, attacks: [{ kind: 'dcsync', at: '2024-05-07T00:01:00.000Z' }] }), /must fall between/);
  });
});
