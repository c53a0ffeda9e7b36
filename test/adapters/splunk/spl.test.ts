import { strict as assert } from 'node:assert';
import type { SearchSettings } from '../../../adapters/splunk/config';
import { SplValueError } from '../../../adapters/splunk/errors';
import { pullPlan } from '../../../core/rules/pull-plan';
import { compileIndexedAlertsSearch, compilePullSearch, splEvalField, splField, splString } from '../../../adapters/splunk/spl';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { matches, parseQuery } from '../../emulators/splunk/spl-eval';
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

  it('keeps only the needed fields and drops the raw text', () => {
    const spl = compilePullSearch(push, settings);
    assert.match(spl, /\| fields _time _bkt _cd tz_indextime host source sourcetype /);
    assert.match(spl, /\| fields - _raw/);
  });

  it('returns events in event-time order, ties by record number', () => {
    assert.match(compilePullSearch(push, settings), /\| sort 0 _time EventRecordID RecordNumber$/);
  });

  it('parses in the emulator, which accepts only the subset tierzero promises to write', () => {
    assert.doesNotThrow(() => parseQuery(compilePullSearch(push, settings), macros));
  });
});
