import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { emulator, ENV, indexedAlertIds, readDataset, section, tempDir } from './harness';
import { tierzero as runCli, type CliResult } from '../../support/cli';

/** Two scheduled `tierzero run` passes that overlap, as when a pass outlives its interval. */
const tierzero = (args: readonly string[]): Promise<CliResult> => runCli(args, { env: ENV });

describe('two overlapping tierzero run passes on Splunk', function () {
  this.timeout(60_000);
  let emu: SplunkEmulator;
  let config: string;
  let first: CliResult[];
  /** The alert ids the app's dedup search shows (`| dedup alert_id`). */
  const deduped = (): string[] => emu.search.run('tierzero', { search: 'search `tierzero_alert_index` sourcetype="tierzero:alert" | dedup alert_id', earliest_time: '0' })
    .map((r) => String(r['alert_id'])).sort();

  before(async () => {
    emu = await emulator();
    const dir = await tempDir();
    const now = Math.floor(Date.now() / 1000);
    for (const file of ['dcsync-eas-ca_dcsync_4662.jsonl', 'kerberoast-hse-yamato.jsonl']) {
      for (const [i, r] of readDataset(file).entries()) emu.addEvent(asXmlWinEventLog(r, { index: 'wineventlog', indexTime: now - 600 + i }));
    }
    config = join(dir, 'tierzero.json');
    await writeFile(config, JSON.stringify({ splunk: { ...section(emu, dir), search: { eventLookbackHours: 24 * 365 * 10 } } }));
    // Both passes have loaded state (none yet) before either pulls: they overlap for sure.
    emu.holdUntil(/jobs\/export$/, 2);
    first = await Promise.all([tierzero(['run', '--config', config, '--json']), tierzero(['run', '--config', config, '--json'])]);
  });
  after(async () => emu.stop());

  it('lets exactly one of them commit', () => {
    assert.deepEqual(first.map((r) => r.code).sort(), [0, 3], first.map((r) => r.stderr).join('\n'));
  });

  it('fails the other with exit 3 and the conflict message', () => {
    const loser = first.find((r) => r.code === 3);
    assert.match(JSON.parse(loser?.stdout ?? '{}').error as string, /StateConflictError: another pass committed state at KV store collection tierzero_state first .*this pass committed nothing.*rerun/);
  });

  it('leaves one state generation and no lease in the KV store', () => {
    const records = emu.kv.records('tierzero', 'tierzero_state');
    assert.equal(new Set(records.map((r) => r['generation'])).size, 1);
    assert.deepEqual(records.filter((r) => String(r._key).includes('lease')), []);
  });

  it('shows each alert id once after the app\'s dedup, the same ids the winner wrote', () => {
    const winner = JSON.parse(first.find((r) => r.code === 0)?.stdout ?? '{}') as { alerts: number };
    assert.ok(winner.alerts >= 2, 'the data raises alerts');
    assert.equal(deduped().length, winner.alerts);
    assert.deepEqual([...new Set(indexedAlertIds(emu))].sort(), deduped());
  });

  it('re-delivers nothing on the next pass', async () => {
    const before = indexedAlertIds(emu).length;
    const next = await tierzero(['run', '--config', config, '--json']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal((JSON.parse(next.stdout) as { alerts: number }).alerts, 0);
    assert.equal(indexedAlertIds(emu).length, before);
  });
});
