import { strict as assert } from 'node:assert';
import type { SearchSettings } from '../../../adapters/splunk/config';
import { SplValueError } from '../../../adapters/splunk/errors';
import { pullPlan } from '../../../core/rules/pull-plan';
import { compileIndexedAlertsSearch, compilePullFilter, compilePullSearch, splEvalField, splField, splString } from '../../../adapters/splunk/spl';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { applyStages, matches, parseQuery } from '../../emulators/splunk/spl-eval';
import { MACROS } from './harness';

const settings: SearchSettings = { settleSeconds: 60, overlapSeconds: 10, initialLookbackMinutes: 60, maxWindowMinutes: 1440, eventLookbackHours: 168 };
const macros = new Map(Object.entries(MACROS));

describe('SPL writing', () => {
  it('quotes a value and escapes backslashes and quotes', () => {
    assert.equal(splString('CORP\\j"doe'), '"CORP\\\\j\\"doe"');
  });

  it('keeps a hostile value one literal term when Splunk parses it', () => {
    const hostile = 'x" OR index=* OR source="y';
    const q = parseQuery(`search source=${splString(hostile)}`, macros);
    assert.equal(matches(q.filter, { source: hostile }), true);
    assert.equal(matches(q.filter, { source: 'y', index: 'main' }), false);
  });

  it('refuses backticks, which Splunk expands as macros even inside quotes', () => {
    assert.throws(() => splString('`tierzero_windows_index`'), SplValueError);
  });

  it('refuses control characters', () => {
    assert.throws(() => splString('a\nb'), SplValueError);
    assert.throws(() => splString('a\u0000b'), SplValueError);
  });

  it('refuses field names that are not bare SPL identifiers', () => {
    assert.throws(() => splField('a b'), SplValueError);
    assert.throws(() => splField('x|delete'), SplValueError);
    assert.equal(splField('properties.status.errorCode'), 'properties.status.errorCode');
  });

  it('quotes dotted field names inside eval, where a dot concatenates', () => {
    assert.equal(splEvalField('properties.userPrincipalName'), "'properties.userPrincipalName'");
    assert.equal(splEvalField('TargetUserName'), 'TargetUserName');
  });

  it('refuses anything but a tierzero alert id in the already-indexed lookup', () => {
    assert.throws(() => compileIndexedAlertsSearch('tierzero', 'tierzero:alert', ['tz-1234abcd" OR 1=1']), SplValueError);
    assert.match(compileIndexedAlertsSearch('tierzero', 'tierzero:alert', ['tz-0123456789abcdef01234567']), /alert_id IN \("tz-0123456789abcdef01234567"\)/);
  });
});

describe('pull search', () => {
  const push = pullPlan(DETECTOR_MODULES);

  it('reads the index names from the app macros by default, as ESCU does', () => {
    const spl = compilePullSearch(push, settings);
    assert.match(spl, /`tierzero_windows_index`/);
    assert.doesNotMatch(spl, /index IN/);
  });

  it('inlines configured index names instead of the macro', () => {
    const spl = compilePullSearch(push, { ...settings, windowsIndexes: ['wineventlog', 'dc_*'] });
    assert.match(spl, /index IN \("wineventlog", "dc_\*"\)/);
  });

  it('searches both the XML and the classic source of each channel', () => {
    const spl = compilePullSearch(push, settings);
    assert.match(spl, /source="XmlWinEventLog:Security" OR source="WinEventLog:Security"/);
  });

  it('pushes a declared condition down as terms on the XML field and its classic label', () => {
    const spl = compilePullFilter(push, settings);
    assert.match(spl, /EventCode IN \(5140\) \(ShareName IN \("\*\\\\print\$"\) OR Share_Name IN \("\*\\\\print\$"\)\)/);
  });

  it('finds in the emulator only the share opens the condition keeps, in both formats', () => {
    const share = (name: string, classic: boolean): Record<string, string> => (classic
      ? { source: 'WinEventLog:Security', EventCode: '5140', Share_Name: name }
      : { source: 'XmlWinEventLog:Security', EventCode: '5140', ShareName: name });
    const q = parseQuery(`search ${compilePullFilter(push, settings)}`, new Map(Object.entries({ ...MACROS, tierzero_windows_index: 'index=wineventlog' })));
    const rows = [share('\\\\*\\print$', false), share('\\\\*\\C$', false), share('\\\\*\\PRINT$', true), share('\\\\*\\IPC$', true)]
      .map((r): Record<string, string> => ({ ...r, index: 'wineventlog' }));
    assert.deepEqual(rows.filter((r) => matches(q.filter, r)).map((r) => r['ShareName'] ?? r['Share_Name']), ['\\\\*\\print$', '\\\\*\\PRINT$']);
  });

  it('keeps only the needed fields and drops the raw text', () => {
    const spl = compilePullSearch(push, settings);
    assert.match(spl, /\| fields _time _bkt _cd tz_indextime host source sourcetype /);
    assert.match(spl, /\| fields - _raw/);
  });

  it('returns events in event-time order, ties by record number', () => {
    assert.match(compilePullSearch(push, settings), /\| sort 0 _time EventRecordID RecordNumber$/);
  });

  it('pulls Entra sign-ins and audit records from the add-on\'s categories', () => {
    assert.match(compilePullSearch(push, settings), /sourcetype="azure:monitor:aad" category IN \("SignInLogs", "NonInteractiveUserSignInLogs", "AuditLogs"\)/);
  });

  it('keeps the raw JSON of audit records only', () => {
    const spl = compilePullSearch(push, settings);
    assert.match(spl, /\| eval tz_raw=if\(sourcetype=="azure:monitor:aad" AND category=="AuditLogs", _raw, null\(\)\) \| fields [^|]* tz_raw/);
    const q = parseQuery(spl, macros);
    const rows = applyStages(q.stages, [
      { sourcetype: 'azure:monitor:aad', category: 'AuditLogs', _raw: '{"properties":{}}', _time: '2024-01-01T00:00:00Z' },
      { sourcetype: 'XmlWinEventLog', EventCode: '4624', _raw: '<Event/>', _time: '2024-01-01T00:00:00Z' },
    ]);
    assert.deepEqual(rows.map((r) => r['tz_raw']), ['{"properties":{}}', undefined]);
    assert.ok(rows.every((r) => r['_raw'] === undefined));
  });

  it('asks for no Entra data when the plan has none', () => {
    const windowsOnly = { sources: push.sources.filter((s) => s.source.kind === 'windows') };
    const spl = compilePullSearch(windowsOnly, settings);
    assert.doesNotMatch(spl, /azure:monitor:aad|tz_raw/);
  });

  it('gives the base filter alone for a count over the same events', () => {
    const filter = compilePullFilter(push, settings);
    assert.ok(compilePullSearch(push, settings).startsWith(`search ${filter} | `));
    assert.doesNotThrow(() => parseQuery(`search ${filter}`, macros));
  });

  it('keeps the classic WinEventLog label fields and the Entra fields of the plan', () => {
    const spl = compilePullSearch(push, settings);
    for (const f of ['Account_Name', 'Failure_Code', 'Pre_Authentication_Type', 'Message', 'properties.userPrincipalName', 'properties.status.errorCode']) {
      assert.match(spl, new RegExp(`\\| fields [^|]* ${f.replace(/\./g, '\\.')}[ |]`), f);
    }
  });

  it('leaves out classic label fields no builder of a pulled event reads', () => {
    // "Package Name (NTLM only)" is 4624's LmPackageName: in the message, read by nothing.
    assert.doesNotMatch(compilePullSearch(push, settings), /Package_Name__NTLM_only_/);
  });

  it('parses in the emulator, which accepts only the subset tierzero promises to write', () => {
    assert.doesNotThrow(() => parseQuery(compilePullSearch(push, settings), macros));
  });
});
