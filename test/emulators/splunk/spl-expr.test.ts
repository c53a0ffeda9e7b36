import { strict as assert } from 'node:assert';
import { compileExpression, type Value } from './spl-expr';
import { SplError, type Row } from './spl-eval';

/** The emulator's eval expressions, held to Splunk's documented semantics (Search Reference, evaluation functions). */
const run = (expr: string, row: Row = {}): Value => compileExpression(expr, 'eval')(row);

describe('Splunk emulator eval expressions', () => {
  describe('null', () => {
    it('propagates through functions and comparisons', () => {
      assert.equal(run('lower(missing)'), null);
      assert.equal(run('missing="x"'), null);
      assert.equal(run('tonumber(missing) > 3'), null);
    });

    it('is three-valued under AND and OR', () => {
      assert.equal(run('missing="x" AND 1=2'), false);
      assert.equal(run('missing="x" OR 1=1'), true);
      assert.equal(run('missing="x" AND 1=1'), null);
      assert.equal(run('NOT missing="x"'), null);
    });

    it('is what coalesce skips and isnull/isnotnull test', () => {
      assert.equal(run('coalesce(missing, b, "z")', { b: 'B' }), 'B');
      assert.equal(run('isnull(missing) AND isnotnull(b)', { b: 'B' }), true);
    });

    it('is what nullif gives when its arguments are equal', () => {
      assert.equal(run('nullif(nullif(a, ""), "-")', { a: '-' }), null);
      assert.equal(run('nullif(nullif(a, ""), "-")', { a: 'x' }), 'x');
    });
  });

  describe('case', () => {
    it('compares case-sensitively, unlike the search command', () => {
      assert.equal(run('a="Alice"', { a: 'alice' }), false);
      assert.equal(run('lower(a)="alice"', { a: 'ALICE' }), true);
    });

    it('matches a (?i) regex ignoring case and a plain one exactly', () => {
      assert.equal(run('match(a, "(?i)g\\\\$bckupkey_")', { a: 'Policy\\G$BCKUPKEY_P' }), true);
      assert.equal(run('match(a, "abc")', { a: 'ABC' }), false);
    });
  });

  describe('multivalue fields', () => {
    const row: Row = { Account_Name: ['DC01$', 'alice'] };

    it('picks a value by mvindex, from the end when negative', () => {
      assert.equal(run('mvindex(Account_Name, 1)', row), 'alice');
      assert.equal(run('mvindex(Account_Name, -2)', row), 'DC01$');
      assert.equal(run('mvindex(Account_Name, 2)', row), null);
    });

    it('holds = and in() when any value does', () => {
      assert.equal(run('Account_Name="alice"', row), true);
      assert.equal(run('in(Account_Name, "bob", "alice")', row), true);
      assert.equal(run('in(Account_Name, "bob")', row), false);
    });

    it('gives other functions the first value', () => {
      assert.equal(run('lower(Account_Name)', row), 'dc01$');
      assert.equal(run('mvcount(Account_Name)', row), 2);
    });
  });

  describe('numbers', () => {
    it('compares a number with numeric text as numbers, two texts as texts', () => {
      assert.equal(run('n >= 6', { n: '10' }), true);
      assert.equal(run('n >= "6"', { n: '10' }), false);
    });

    it('parses text in a base with tonumber, and nothing that is not a number', () => {
      assert.equal(run('tonumber("100", 16)'), 256);
      assert.equal(run('tonumber("0x100")'), null);
      assert.equal(run('tonumber("zz", 16)'), null);
    });

    it('tests bits with bit_and over hex and decimal access masks', () => {
      const mask = 'bit_and(if(match(m, "^0[xX]"), tonumber(substr(m, 3), 16), tonumber(m)), 256) != 0';
      assert.equal(run(mask, { m: '0x100' }), true);
      assert.equal(run(mask, { m: '0x80000000' }), false);
      assert.equal(run(mask, { m: '256' }), true);
    });

    it('reads _time as epoch seconds', () => {
      assert.equal(run('_time', { _time: '2024-01-01T00:00:01.500+00:00' }), 1_704_067_201.5);
    });
  });

  describe('texts', () => {
    it('takes a 1-based substr, from the end when negative', () => {
      assert.equal(run('substr("CN=decoy,OU=x", 1, 9)'), 'CN=decoy,');
      assert.equal(run('substr("abcdef", -2)'), 'ef');
    });

    it('replaces with PCRE back-references', () => {
      assert.equal(run('replace("a-b", "(\\\\w)-(\\\\w)", "\\\\2+\\\\1")'), 'b+a');
    });

    it('reads dotted field names in single quotes, and concatenates with a dot', () => {
      assert.equal(run("'properties.ipAddress' . \"/\" . a", { 'properties.ipAddress': '203.0.113.9', a: 'x' }), '203.0.113.9/x');
    });

    it('matches IPv4 and IPv6 networks with cidrmatch', () => {
      assert.equal(run('cidrmatch("10.0.0.0/8", ip)', { ip: '10.1.2.3' }), true);
      assert.equal(run('cidrmatch("2001:db8::/32", ip)', { ip: '2001:db8::1' }), true);
      assert.equal(run('cidrmatch("10.0.0.0/8", ip)', { ip: '11.1.2.3' }), false);
    });
  });

  describe('errors, in Splunk\'s words', () => {
    it('names an unknown function', () => {
      assert.throws(() => run('frobnicate(a)'), (e: unknown) => e instanceof SplError && /The 'frobnicate' function is unsupported or undefined/.test(e.message));
    });

    it('refuses a text where a boolean is needed', () => {
      assert.throws(() => run('a AND true()', { a: 'x' }), /Type checking failed. 'AND' only takes boolean arguments/);
    });

    it('reports a malformed expression', () => {
      assert.throws(() => run('lower(a'), /The expression is malformed/);
      assert.throws(() => run('"open'), /Missing a closing quotation mark/);
    });
  });
});
