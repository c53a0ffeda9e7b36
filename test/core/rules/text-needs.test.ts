import { strict as assert } from 'node:assert';
import { necessaryTexts, textPattern } from '../../../core/rules/text-needs';
import { and, anyOf, codeIn, contains, exists, not, or, regex, suffix } from '../../../core/rules/tree';

describe('texts a raw line must hold for a condition to hold', () => {
  it('takes a value\'s longest run that JSON writes unescaped', () => {
    assert.deepEqual(necessaryTexts(suffix('ShareName', '\\\\print$')), ['print$']);
    assert.deepEqual(necessaryTexts(anyOf('Path', ['C:/Windows/x.exe'])), ['Windows']);
  });

  it('needs any one of an OR\'s texts, and gives up when one branch has none', () => {
    assert.deepEqual(necessaryTexts(or(contains('a', 'spoolss'), contains('a', 'efsrpc'))), ['spoolss', 'efsrpc']);
    assert.equal(necessaryTexts(or(contains('a', 'spoolss'), regex('a', 'x+'))), undefined);
  });

  it('takes the narrowest conjunct of an AND', () => {
    assert.deepEqual(necessaryTexts(and(exists('x'), codeIn('Status', [0x18]), contains('y', 'krbtgt'))), ['krbtgt']);
  });

  it('derives nothing from a negation or a value too short to filter by', () => {
    assert.equal(necessaryTexts(not(contains('a', 'spoolss'))), undefined);
    assert.equal(necessaryTexts(anyOf('LogonType', ['3'])), undefined);
  });

  it('matches ignoring case, as Windows writes names', () => {
    assert.ok(textPattern(['print$']).test('{"ShareName":"\\\\\\\\*\\\\PRINT$"}'));
    assert.ok(!textPattern(['print$']).test('{"ShareName":"\\\\\\\\*\\\\IPC$"}'));
  });
});
