import { strict as assert } from 'node:assert';
import { SplunkEmulator } from './splunk-emulator';
import type { Row } from './spl-eval';

/**
 * The streaming and reporting commands of the emulator's SPL (where, eval, streamstats, stats,
 * table) and macros with arguments, run in-process as a search job runs them.
 */
const T0 = Date.parse('2024-01-01T00:00:00Z');

function emulatorWith(events: { s: number; fields: Record<string, string | string[]> }[]): SplunkEmulator {
  const emu = new SplunkEmulator({
    apps: { tierzero: { macros: { idx: 'index=wineventlog', 'is_decoy(1)': { args: 'field', definition: 'in(lower($field$), "decoy")' } } } },
  });
  for (const e of events) {
    emu.addEvent({ index: 'wineventlog', sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Security', host: 'dc1', time: T0 + e.s * 1000, indexTime: T0 / 1000 + e.s, fields: { EventCode: '4625', ...e.fields } });
  }
  return emu;
}

const run = (emu: SplunkEmulator, spl: string): Row[] => emu.search.run('tierzero', { search: spl, earliest_time: '0' });

describe('Splunk emulator streaming and reporting commands', () => {
  it('ignores case in search terms but not in where comparisons', () => {
    const emu = emulatorWith([{ s: 0, fields: { user: 'Alice' } }]);
    assert.equal(run(emu, 'search `idx` user=ALICE').length, 1);
    assert.equal(run(emu, 'search `idx` | where user="ALICE"').length, 0);
    assert.equal(run(emu, 'search `idx` | where lower(user)="alice"').length, 1);
  });

  it('expands a macro with an argument into its $field$ placeholder', () => {
    const emu = emulatorWith([{ s: 0, fields: { user: 'DECOY' } }, { s: 1, fields: { user: 'alice' } }]);
    assert.deepEqual(run(emu, 'search `idx` | where `is_decoy(user)` | table user'), [{ user: 'DECOY' }]);
  });

  it('names a macro stanza by its argument count when it is missing', () => {
    const emu = emulatorWith([]);
    assert.throws(() => run(emu, 'search `idx` | where `is_decoy(a, b)`'), /macro 'is_decoy\(2\)' that cannot be found/);
  });

  it('evaluates assignments left to right, and a null result removes the field', () => {
    const emu = emulatorWith([{ s: 0, fields: { user: 'Alice', dash: '-' } }]);
    const [row] = run(emu, 'search `idx` | eval u=lower(user), v=u . "!", dash=nullif(dash, "-") | table u v dash');
    assert.deepEqual(row, { u: 'alice', v: 'alice!' });
  });

  it('refuses to store a boolean in a field', () => {
    const emu = emulatorWith([{ s: 0, fields: { user: 'a' } }]);
    assert.throws(() => run(emu, 'search `idx` | eval x=user="a"'), /Fields cannot be assigned a boolean result/);
  });

  it('counts a sliding time window per group, an event exactly the span older still inside', () => {
    const emu = emulatorWith([
      { s: 0, fields: { user: 'a' } }, { s: 1, fields: { user: 'b' } }, { s: 5, fields: { user: 'a' } },
      { s: 10, fields: { user: 'a' } }, { s: 16, fields: { user: 'a' } },
    ]);
    const rows = run(emu, 'search `idx` | sort 0 _time | streamstats time_window=10s count AS n BY user | table user n');
    assert.deepEqual(rows, [{ user: 'a', n: '1' }, { user: 'b', n: '1' }, { user: 'a', n: '2' }, { user: 'a', n: '3' }, { user: 'a', n: '2' }]);
  });

  it('counts distinct values in the window with dc()', () => {
    const emu = emulatorWith([
      { s: 0, fields: { src: '10.0.0.1', user: 'a' } }, { s: 1, fields: { src: '10.0.0.1', user: 'a' } },
      { s: 2, fields: { src: '10.0.0.1', user: 'b' } }, { s: 100, fields: { src: '10.0.0.1', user: 'c' } },
    ]);
    const rows = run(emu, 'search `idx` | sort 0 _time | streamstats time_window=1m dc(user) AS users BY src | table users');
    assert.deepEqual(rows.map((r) => r['users']), ['1', '1', '2', '1']);
  });

  it('refuses a time window over events out of time order', () => {
    const emu = emulatorWith([{ s: 0, fields: { user: 'a' } }, { s: 2, fields: { user: 'a' } }, { s: 1, fields: { user: 'a' } }]);
    assert.throws(() => run(emu, 'search `idx` | sort 0 user | eval k=if(_time=1704067201, 0, 1) | sort 0 k | streamstats time_window=10s count AS n'), /time_window option requires that events be in ascending or descending time order/);
  });

  it('groups with stats: one row per key, sorted, values() distinct and sorted, rows without the key dropped', () => {
    const emu = emulatorWith([
      { s: 0, fields: { user: 'b', dest: 'dc2' } }, { s: 1, fields: { user: 'a', dest: 'dc2' } },
      { s: 2, fields: { user: 'a', dest: 'dc1' } }, { s: 3, fields: { user: 'a', dest: 'dc2' } }, { s: 4, fields: { dest: 'dc3' } },
    ]);
    const rows = run(emu, 'search `idx` | stats count min(_time) AS firstTime max(_time) AS lastTime values(dest) AS dest BY user');
    assert.deepEqual(rows, [
      { user: 'a', count: '3', firstTime: String(T0 / 1000 + 1), lastTime: String(T0 / 1000 + 3), dest: ['dc1', 'dc2'] },
      { user: 'b', count: '1', firstTime: String(T0 / 1000), lastTime: String(T0 / 1000), dest: 'dc2' },
    ]);
  });

  it('takes the numeric max of numbers and the lexicographic max of texts', () => {
    const emu = emulatorWith([{ s: 0, fields: { n: '9', t: 'b' } }, { s: 1, fields: { n: '10', t: 'a' } }]);
    assert.deepEqual(run(emu, 'search `idx` | stats max(n) AS n max(t) AS t'), [{ n: '10', t: 'b' }]);
  });

  it('keeps only the listed fields, in order, with table', () => {
    const emu = emulatorWith([{ s: 0, fields: { user: 'a', dest: 'dc1' } }]);
    assert.deepEqual(Object.keys(run(emu, 'search `idx` | table dest user')[0] ?? {}), ['dest', 'user']);
  });

  it('still refuses a command outside the subset', () => {
    const emu = emulatorWith([]);
    assert.throws(() => run(emu, 'search `idx` | transaction user'), /Unknown search command 'transaction'/);
  });
});
