import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { buildBenignEstate } from '../../bench/benign-estate';
import { benignDayOptions, benignShape, type BenignDayParams } from '../../bench/benign-workload';
import { createWorkload } from '../../bench/generate';
import type { GeneratedEvent } from '../../bench/windows-events';
import { normalize } from '../../core/events/normalize';

const PARAMS: BenignDayParams = { seed: 'benign-test', start: '2024-03-11T00:00:00.000Z', day: 1, events: 20_000, accounts: 500, generator: 'test' };
const DAY_MS = 86_400_000;

function digest(p: BenignDayParams): string {
  const h = createHash('sha256');
  for (const e of createWorkload(benignDayOptions(p)).events()) h.update(JSON.stringify(e)).update('\n');
  return h.digest('hex');
}

describe('benign week generator', () => {
  const day1 = createWorkload(benignDayOptions(PARAMS));
  const day2 = createWorkload(benignDayOptions({ ...PARAMS, day: 2 }));
  const events1 = [...day1.events()];
  const events2 = [...day2.events()];
  const both = [...events1, ...events2];
  const estate = buildBenignEstate(day1.domain, PARAMS.seed);
  const data = (e: GeneratedEvent, field: string): string => String((e as Record<string, unknown>)[field] ?? '');
  const where = (id: number, test: (e: GeneratedEvent) => boolean): GeneratedEvent[] => both.filter((e) => e.EventID === id && test(e));
  const isUser = (name: string): boolean => day1.domain.users.some((u) => u.name === name);

  it('yields the same bytes for the same seed and day', () => {
    assert.equal(digest(PARAMS), digest(PARAMS));
  });

  it('yields different days from one seed, and different bytes for another seed', () => {
    const first = digest(PARAMS);
    assert.notEqual(first, digest({ ...PARAMS, day: 2 }));
    assert.notEqual(first, digest({ ...PARAMS, seed: 'another-seed' }));
  });

  it('keeps one estate across the days', () => {
    assert.equal(day1.domain.sid, day2.domain.sid);
    assert.deepEqual(day1.domain.users.map((u) => u.sid), day2.domain.users.map((u) => u.sid));
  });

  it('makes each day its own 24 hours, in order, within one percent of the events asked for', () => {
    for (const [i, events] of [events1, events2].entries()) {
      const start = Date.parse(PARAMS.start) + i * DAY_MS;
      assert.ok(Math.abs(events.length - PARAMS.events) <= PARAMS.events * 0.01, `day ${i + 1}: ${events.length} events for ${PARAMS.events}`);
      let last = start;
      for (const e of events) {
        const t = Date.parse(e.TimeCreated);
        assert.ok(t >= last && t < start + DAY_MS, `day ${i + 1}: ${e.TimeCreated} out of order or outside the day`);
        last = t;
      }
    }
  });

  it('scales the estate as the issue describes it: 20 DCs and 5,000 hosts at 100,000 accounts', () => {
    const s = benignShape(100_000);
    assert.equal(s.domainControllers, 20);
    assert.equal(s.workstations + s.servers, 5000);
  });

  it('seeds no attack: no labels, and nothing touches the decoy account', () => {
    assert.deepEqual([...day1.labels, ...day2.labels], []);
    const decoy = day1.domain.honeytoken;
    assert.equal(both.filter((e) => JSON.stringify(e).includes(decoy.name)).length, 0);
  });

  it('produces only events the normalizer accepts', () => {
    for (const e of events1) assert.notEqual(normalize(e).status, 'malformed', JSON.stringify(e).slice(0, 200));
  });

  it('has users sign in with RC4 (0x17) from RC4-only devices', () => {
    const ips = new Set(estate.rc4Devices.map((d) => `::ffff:${d.host.ip}`));
    assert.ok(where(4768, (e) => data(e, 'TicketEncryptionType') === '0x17' && ips.has(data(e, 'IpAddress')) && isUser(data(e, 'TargetUserName'))).length > 0);
  });

  it('has a scanner probe Administrator, named on the DC\'s 4776 and by address on the 4625', () => {
    const [scanner] = estate.scanners;
    assert.ok(scanner);
    assert.ok(where(4776, (e) => data(e, 'Workstation') === scanner.name && data(e, 'TargetUserName') === 'Administrator').length > 0);
    assert.ok(where(4625, (e) => data(e, 'IpAddress') === scanner.ip && data(e, 'TargetUserName') === 'Administrator').length > 0);
  });

  it('has a stale phone retry an old password through the mail front-end for hours', () => {
    const byUser = new Map<string, number>();
    for (const e of where(4625, (x) => data(x, 'LogonType') === '8' && data(x, 'IpAddress') === estate.mailLoadBalancerIp)) {
      byUser.set(data(e, 'TargetUserName'), (byUser.get(data(e, 'TargetUserName')) ?? 0) + 1);
    }
    assert.ok(Math.max(0, ...byUser.values()) >= 6, `most retries by one account: ${Math.max(0, ...byUser.values())}`);
  });

  it('has many users\' own typos and successes come through the AD FS front-ends', () => {
    const ips = new Set(estate.adfsServers.map((h) => `::ffff:${h.ip}`));
    const failed = new Set(where(4771, (e) => ips.has(data(e, 'IpAddress'))).map((e) => data(e, 'TargetUserName')));
    const succeeded = new Set(where(4768, (e) => ips.has(data(e, 'IpAddress'))).map((e) => data(e, 'TargetUserName')));
    assert.ok(failed.size >= 2, `${failed.size} users mistyped through AD FS`);
    assert.ok(succeeded.size > failed.size);
  });

  it('has the backup account and the deployment server install services remotely', () => {
    const installers = new Set(where(7045, () => true).map((e) => `${data(e, 'ServiceName')}@${e.Computer.split('.')[0]}`));
    assert.ok([...installers].some((x) => x.startsWith('VeeamVssSupport@DC')));
    assert.ok([...installers].some((x) => x.startsWith('ccmsetup@WS')), 'a workstation gets the SCCM client');
  });

  it('has help desk agents reset passwords and unlock accounts', () => {
    const agents = new Set(estate.helpDesk.map((u) => u.name));
    assert.ok(where(4724, (e) => agents.has(data(e, 'SubjectUserName'))).length > 0);
    assert.ok(where(4767, (e) => agents.has(data(e, 'SubjectUserName'))).length > 0);
  });

  it('has users open srvsvc and SAMR on a DC', () => {
    const dcs = new Set(day1.domain.dcs.map((d) => d.fqdn));
    assert.ok(where(5145, (e) => dcs.has(e.Computer) && data(e, 'RelativeTargetName') === 'srvsvc' && isUser(data(e, 'SubjectUserName'))).length > 0);
    assert.ok(where(4661, (e) => dcs.has(e.Computer) && data(e, 'ObjectType') === 'SAM_USER' && isUser(data(e, 'SubjectUserName'))).length > 0);
  });

  it('has users get RC4 tickets for the legacy service, which has no AES keys', () => {
    const legacy = day1.domain.legacyService.name;
    assert.ok(where(4769, (e) => data(e, 'ServiceName') === legacy && data(e, 'TicketEncryptionType') === '0x17' && isUser(data(e, 'TargetUserName').split('@')[0] ?? '')).length > 0);
  });

  it('refuses a day that is not a positive integer', () => {
    assert.throws(() => benignDayOptions({ ...PARAMS, day: 0 }), /day must be a positive integer/);
  });
});
