import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileQuarantine } from '../../../adapters/file/file-quarantine';
import { FileSource } from '../../../adapters/file/file-source';
import { FileStateStore } from '../../../adapters/file/file-state-store';
import { openSplunk } from '../../../adapters/splunk/platform';
import { resolveConfig } from '../../../core/config/config';
import { pullPlan } from '../../../core/rules/pull-plan';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import type { Row } from '../../emulators/splunk/spl-eval';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { tierzero } from '../../support/cli';
import { emulator, ENV, section, tempDir } from './harness';

/**
 * The dashboards show the number tierzero computed (issue 9, item 6): the sample day goes
 * through the Splunk sink into the emulator's KV store, the panels' own SPL (read out of the
 * shipped view XML) runs in the emulator's evaluator, and the result matches what `tierzero
 * users --format json` prints for the same state: order, scores to 1 decimal, bands, percentiles.
 */
const SAMPLES = join(__dirname, '..', '..', '..', 'samples');
const VIEWS = join(__dirname, '..', '..', '..', 'adapters', 'splunk', 'app', 'files', 'default', 'data', 'ui', 'views');

interface UserJson {
  readonly rank: number;
  readonly identity: { id: string; name: string };
  readonly criticality: { tier: string };
  readonly score: number;
  readonly band: string;
  readonly percentile: number;
  readonly change24h: number;
  readonly breakdown: { total: number; floor: number; rules: { detector: string; rank: number; signals: number; contribution: number }[] };
}

/** The `<query>` of a view's panel (by panel id or title), XML entities decoded. */
function panelQuery(view: string, panel: string): string {
  const xml = readFileSync(join(VIEWS, view), 'utf8');
  const at = xml.search(new RegExp(`<panel id="${panel}">|<title>${panel}</title>`));
  assert.ok(at >= 0, `${view} has a panel ${panel}`);
  const m = /<query>([\s\S]*?)<\/query>/.exec(xml.slice(at));
  assert.ok(m, `${view} panel ${panel} has a query`);
  return (m[1] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

describe('the Splunk dashboards over what the sink wrote, against tierzero users', function () {
  this.timeout(120_000);
  let emu: SplunkEmulator;
  let users: UserJson[];
  let timeline: Record<string, { alertId: string; detector: string; description: string; events: { EventID: number; EventRecordID: number | null }[] }[]>;

  before(async () => {
    emu = await emulator();
    const dir = await tempDir();
    const config = resolveConfig(JSON.parse(readFileSync(join(SAMPLES, 'tierzero.json'), 'utf8')), DECLARATIONS);
    const platform = await openSplunk(section(emu, dir), dir, pullPlan(DETECTOR_MODULES, config), { env: ENV, readStdin: async () => '', clock: Date.now, log: () => undefined });
    const statePath = join(dir, 'sample.state.json');
    try {
      await runPass({
        source: new FileSource([join(SAMPLES, 'sample-day.jsonl.gz')], { maxLineBytes: config.maxLineBytes }),
        sink: platform.sink, store: new FileStateStore(statePath), quarantine: new FileQuarantine(join(dir, 'q.jsonl')), config, modules: DETECTOR_MODULES,
      });
    } finally {
      platform.close();
    }
    const r = await tierzero(['users', '--state', statePath, '--format', 'json', '--top', '1000']);
    assert.equal(r.code, 0, r.stderr);
    users = (JSON.parse(r.stdout) as { users: UserJson[] }).users;
    timeline = {};
    for (const name of ['kofi.gomez', 'xavier.ito']) {
      const u = await tierzero(['users', '--state', statePath, '--user', name, '--format', 'json']);
      timeline[name] = (JSON.parse(u.stdout) as { timeline: (typeof timeline)[string] }).timeline;
    }
  });

  after(() => emu.stop());

  const run = (spl: string): Row[] => emu.search.run('tierzero', { search: spl });
  const num = (v: Row[string] | undefined): number => Number(Array.isArray(v) ? v[0] : v);

  it('ranks the priority panel exactly as tierzero users does, with its scores, bands, percentiles and 24 h change', () => {
    const rows = run(panelQuery('tierzero_overview.xml', 'priority'));
    assert.ok(users.length > 20, `${users.length} scored identities`);
    assert.deepEqual(rows.map((r) => r['identity_key']), users.map((u) => u.identity.id));
    rows.forEach((row, i) => {
      const u = users[i] as UserJson;
      const what = `row ${i + 1} (${u.identity.name})`;
      assert.equal(num(row['rank']), u.rank, what);
      assert.equal(row['identity'], u.identity.name, what);
      assert.equal(row['tier'], u.criticality.tier, what);
      assert.equal(num(row['score']), Number(u.score.toFixed(1)), what);
      assert.equal(row['band'], u.band, what);
      assert.equal(num(row['percentile']), Number(u.percentile.toFixed(0)), what);
      assert.equal(num(row['change_24h']), Number(u.change24h.toFixed(1)), what);
      assert.equal(row['top_contributions'], u.breakdown.rules.slice(0, 3).map((c) => `${c.detector} ${c.contribution.toFixed(1)}`).join(', '), what);
    });
  });

  it('shows the lone DCSync actor of the sample in the high band on the priority panel', () => {
    const kofi = run(panelQuery('tierzero_overview.xml', 'priority')).find((r) => r['identity'] === 'kofi.gomez');
    assert.equal(kofi?.['band'], 'high');
  });

  it('works a user\'s score out on the user page from the same contributions tierzero users shows', () => {
    const kofi = users.find((u) => u.identity.name === 'kofi.gomez') as UserJson;
    const key = kofi.identity.id;
    const view = readFileSync(join(VIEWS, 'tierzero_user.xml'), 'utf8');
    const base = (/<search id="identity">\s*<query>([\s\S]*?)<\/query>/.exec(view)?.[1] ?? '').replace(/\$user\$/g, 'kofi.gomez');
    const found = run(base);
    assert.equal(found[0]?.['identity_key'], key);
    assert.equal(found[0]?.['act_user'], 'kofi.gomez');
    // A post-process search runs on its base's results: Splunk appends it to the base.
    const header = run(`${base} ${panelQuery('tierzero_user.xml', '\\$name\\$: investigation priority')}`);
    assert.deepEqual([num(header[0]?.['score']), header[0]?.['band'], num(header[0]?.['percentile'])], [Number(kofi.score.toFixed(1)), 'high', Number(kofi.percentile.toFixed(0))]);
    const perDetector = run(panelQuery('tierzero_user.xml', 'How the score is worked out: per detector').replace(/\$key\$/g, key));
    assert.deepEqual(perDetector.map((r) => [r['detector'], num(r['rank']), num(r['signals']), num(r['contribution'])]),
      kofi.breakdown.rules.map((c) => [c.detector, c.rank, c.signals, Number(c.contribution.toFixed(2))]));
    const formula = run(panelQuery('tierzero_user.xml', 'How the score is worked out: from A to S').replace(/\$key\$/g, key));
    assert.equal(num(formula[0]?.['S']), Number(kofi.score.toFixed(1)));
    assert.equal(num(formula[0]?.['F']), Number(kofi.breakdown.floor.toFixed(2)));
    assert.equal(num(formula[0]?.['A']), Number(kofi.breakdown.total.toFixed(2)));
  });

  for (const name of ['kofi.gomez', 'xavier.ito']) {
    it(`lists on the user page every alert behind ${name}'s score, with why it fired and its evidence`, () => {
      const key = (users.find((u) => u.identity.name === name) as UserJson).identity.id;
      const rows = run(panelQuery('tierzero_user.xml', 'Timeline: the alerts behind the score, why each fired, and its evidence').replace(/\$key\$/g, key));
      const expected = timeline[name] ?? [];
      assert.ok(expected.length > 0);
      assert.deepEqual(rows.map((r) => r['alert_id']).sort(), expected.map((t) => t.alertId).sort());
      for (const t of expected) {
        const row = rows.find((r) => r['alert_id'] === t.alertId);
        assert.equal(row?.['description'], t.description);
        const ids = row?.['event_ids'];
        assert.deepEqual((Array.isArray(ids) ? ids : [ids]).slice(0, t.events.length).map(Number), t.events.map((e) => e.EventID));
      }
    });
  }
});
