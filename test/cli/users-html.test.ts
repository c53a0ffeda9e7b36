import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { DECLARATIONS } from '../../core/detectors/registry';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

/**
 * The HTML report rendered by a real browser: Debian's chromium, driven by playwright-core.
 * In CI (CI=true) chromium is installed by .ci/run and this suite must run; elsewhere it is
 * skipped, with the reason, when /usr/bin/chromium is absent.
 */
const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'tz-html-'));

const brute = (at: number, target: string, ip: string) => Array.from({ length: 8 }, (_, i) =>
  securityEvent(4771, at + i / 60, { TargetUserName: target, Status: '0x18', PreAuthType: '2', IpAddress: `::ffff:${ip}` }));
const roast = (at: number, requester: string, service: string) => securityEvent(4769, at, {
  TargetUserName: `${requester}@CORP.EXAMPLE`, ServiceName: service, TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.4.21', TicketOptions: '0x40810000',
});

describe('tierzero users --html in headless Chromium', function () {
  this.timeout(60_000);
  let context: BrowserContext | undefined;
  let report = '';
  let state = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env['CI'] === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium, and CI must run this suite`);
      this.skip();
    }
    const events = [
      ...brute(0, 'asmith', '10.0.6.6'), ...brute(120, 'bwong', '10.0.6.7'),
      ...['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(200 + i * 0.1, 'jdoe', s)),
      ...brute(24 * 60, 'asmith', '10.0.6.8'),
    ];
    const input = join(dir, 'events.jsonl');
    writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    state = join(dir, 'state.json');
    assert.equal((await tierzero(['detect', input, '--state', state, '--out', join(dir, 'alerts.jsonl'), '--quiet'])).code, 0);
    report = join(dir, 'report.html');
    const r = await tierzero(['users', '--state', state, '--html', report]);
    assert.equal(r.code, 0, r.stderr);
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tz-chromium-profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await context?.close();
  });

  it('is one self-contained file that loads nothing from the network', async () => {
    const html = readFileSync(report, 'utf8');
    assert.doesNotMatch(html, /(src|href)="https?:/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    const page = await (context as BrowserContext).newPage();
    const requested: string[] = [];
    page.on('request', (req) => requested.push(req.url()));
    await page.goto(pathToFileURL(report).href);
    assert.deepEqual(requested, [pathToFileURL(report).href]);
    await page.close();
  });

  it('draws the score-over-time chart: one visible line per top user, on the plot', async () => {
    const page = await (context as BrowserContext).newPage();
    await page.goto(pathToFileURL(report).href);
    const chart = page.locator('svg#score-chart');
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 400 && box.height > 200, `chart box ${JSON.stringify(box)}`);
    // jdoe (kerberoasting), the three services he roasted, asmith and bwong (brute force).
    const lines = page.locator('svg#score-chart polyline.series');
    assert.equal(await lines.count(), 6);
    for (let i = 0; i < 6; i++) {
      const line = lines.nth(i);
      const points = ((await line.getAttribute('points')) ?? '').trim().split(/\s+/);
      assert.ok(points.length > 10, `${points.length} points`);
      const lineBox = await line.boundingBox();
      assert.ok(lineBox && lineBox.width > 300, `line ${i} is drawn across the plot: ${JSON.stringify(lineBox)}`);
      assert.ok(lineBox && lineBox.y >= box.y && lineBox.y + lineBox.height <= box.y + box.height + 1, 'inside the chart');
    }
    await page.close();
  });

  it('draws the ranking table and a contribution table for each user', async () => {
    const page = await (context as BrowserContext).newPage();
    await page.goto(pathToFileURL(report).href);
    const rows = page.locator('table#ranking tbody tr');
    assert.equal(await rows.count(), 6);
    assert.ok(await rows.first().isVisible());
    const first = (await rows.first().locator('td').allInnerTexts()).map((t) => t.trim());
    assert.equal(first[0], '1');
    assert.match(first[3] ?? '', /^\d+\.\d$/);
    assert.ok(await page.locator('section.user table.contributions tbody tr').count() >= 6);
    const link = rows.first().locator('a');
    await link.click();
    assert.ok(await page.locator('#u-1 table.contributions').isVisible());
    await page.close();
  });

  it('shows each user\'s why, evidence and recommendations, as users --user prints them', async () => {
    const text = (await tierzero(['users', '--state', state, '--user', 'asmith'])).stdout;
    const page = await (context as BrowserContext).newPage();
    await page.goto(pathToFileURL(report).href);
    const section = page.locator('section.user', { has: page.locator('h2', { hasText: 'asmith' }) });
    assert.equal(await section.count(), 1);
    const whys = await section.locator('ol.story .why').allInnerTexts();
    assert.ok(whys.length >= 2, `${whys.length} alerts explained`);
    assert.ok(await section.locator('ol.story .why').first().isVisible());
    for (const why of whys) assert.ok(text.includes(why.trim()), `"${why}" is not what users --user says:\n${text}`);
    const evidence = await section.locator('ul.evidence li').allInnerTexts();
    assert.ok(evidence.length >= 2);
    for (const ev of evidence.filter((e) => e.startsWith('event'))) {
      assert.match(ev, /^event 4771 on DC01\.corp\.example #\d+ at 2024-03-0\dT/);
      assert.ok(text.includes(ev.trim()), `evidence "${ev}" missing from users --user`);
    }
    const steps = await section.locator('ul.recommendations li li').allInnerTexts();
    const bruteForce = DECLARATIONS.find((d) => d.id === 'brute_force');
    assert.deepEqual(steps.map((x) => x.trim()), bruteForce?.recommendations);
    assert.ok(await section.locator('ul.recommendations').isVisible());
    for (const step of steps) assert.ok(text.includes(step.trim()), `recommendation "${step}" missing from users --user`);
    await page.close();
  });
});
