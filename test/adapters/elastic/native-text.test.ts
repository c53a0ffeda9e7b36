import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RuleParams } from '../../../core/rules/evaluate';
import { and, anyOf, bits, contains, exists, not, or, prefix, regex, security, suffix, cloud, type NativeQuery } from '../../../core/rules/tree';
import { eqlField, eqlQuery, eqlString } from '../../../adapters/elastic/eql';
import { esqlField, esqlQuery, esqlString } from '../../../adapters/elastic/esql';
import { kqlField, kqlQuoted, kqlUnquoted } from '../../../adapters/elastic/kql';
import { hexBitsRegex, luceneLiteral, luceneRegex, UnsupportedRegexError } from '../../../adapters/elastic/lucene-regex';

/**
 * The rule languages' text on golden inputs that exercise every escape: EQL (string escapes,
 * wildcard characters that must stay literal, ip and long paths), ES|QL (LIKE escapes, folded
 * regexes, null-safe leaves), KQL (quoted and unquoted values) and the Lucene regexes all three
 * share. No EQL/KQL/ES|QL parser is installed, so the renderings are pinned here and the
 * regexes — the part with real semantics — are also run, as JavaScript regexes, against the
 * reference condition.
 */
const params: RuleParams = { thresholds: { n: 3, w: 10 }, settings: { honeytokens: ['CORP\\de*coy'], directorySyncAccounts: [] } };

describe('elastic native text: EQL', () => {
  it('escapes string literals and quotes odd field names', () => {
    assert.equal(eqlString('a"b\\c\nd\te\u0001'), '"a\\"b\\\\c\\nd\\te\\u{1}"');
    assert.equal(eqlField('winlog.event_data.TargetUserName'), 'winlog.event_data.TargetUserName');
    assert.equal(eqlField('@timestamp'), '`@timestamp`');
    assert.equal(eqlField('odd-name.x`y'), '`odd-name.x``y`');
  });

  it('renders a single-event query with every leaf kind, literal wildcards made regexes', () => {
    const q: NativeQuery = {
      name: 'golden',
      match: [
        {
          source: security(4662),
          where: and(
            anyOf('ObjectServer', ['LSA', 'a"b', 'x*y']),
            contains('ObjectName', 'G$BCKUP'),
            prefix('ObjectName', 'C:\\Win'),
            suffix('SubjectUserName', '$'),
            bits('AccessMask', 0x100),
            exists('Properties'),
            not(regex('SubjectUserSid', '^S-1-5-(18|19)$')),
          ),
        },
        { source: security(4624), where: anyOf('IpAddress', ['10.0.0.1', '-', 'host']) },
      ],
      outputs: [{ name: 'user', fields: ['SubjectUserName'] }],
      riskObject: 'user',
    };
    assert.equal(eqlQuery(q, params), [
      'any where (winlog.channel : "Security" and event.code : ("4662") and (',
      '(winlog.event_data.ObjectServer : ("LSA", "a\\"b") or winlog.event_data.ObjectServer regex~ "x\\\\*y")',
      ' and winlog.event_data.ObjectName : "*G$BCKUP*"',
      ' and winlog.event_data.ObjectName regex~ "C:\\\\\\\\Win.*"',
      ' and winlog.event_data.SubjectUserName : "*$"',
      ' and winlog.event_data.AccessMask regex "0[xX][0-9a-fA-F]*([13579bBdDfF][0-9a-fA-F]{2})"',
      ' and (winlog.event_data.Properties != null and not winlog.event_data.Properties : ("", "-"))',
      ' and not (winlog.event_data.SubjectUserSid regex~ "S-1-5-(18|19)")))',
      // 4624's IpAddress: EventData on Agent, source.ip (an ip field) on Winlogbeat 7; "-" is absent, never equal.
      ' or (winlog.channel : "Security" and event.code : ("4624") and (winlog.event_data.IpAddress : ("10.0.0.1", "host") or cidrMatch(source.ip, "10.0.0.1")))',
    ].join(''));
  });

  it('compiles configured lists in, both forms, a backslash or wildcard in an entry kept literal', () => {
    const q: NativeQuery = {
      name: 'list', match: [{ source: security(4662), where: or({ op: 'in_setting', field: 'ObjectName', setting: 'honeytokens', form: 'dn' }, { op: 'in_setting', field: 'SubjectUserName', setting: 'honeytokens', form: 'exact' }) }],
      outputs: [], riskObject: 'user',
    };
    assert.equal(eqlQuery(q, params), 'any where (winlog.channel : "Security" and event.code : ("4662") and ('
      + '(winlog.event_data.ObjectName regex~ "cn=CORP\\\\\\\\de\\\\*coy,.*" or winlog.event_data.ObjectName regex~ "cn=de\\\\*coy,.*")'
      + ' or (winlog.event_data.SubjectUserName regex~ "CORP\\\\\\\\de\\\\*coy" or winlog.event_data.SubjectUserName regex~ "de\\\\*coy")))');
    const none: RuleParams = { ...params, settings: { honeytokens: [], directorySyncAccounts: [] } };
    assert.equal(eqlQuery(q, none), 'any where (winlog.channel : "Security" and event.code : ("4662") and (false or false))');
  });

  it('compares numbers on a long path and strings on a keyword path for the same column', () => {
    const q: NativeQuery = { name: 'rt', match: [{ source: cloud('SigninLogs'), where: anyOf('ResultType', [50126, 'x']) }], outputs: [], riskObject: 'user' };
    assert.equal(eqlQuery(q, params), 'any where (event.dataset : "azure.signinlogs" and (azure.signinlogs.result_type : ("50126", "x") or azure.signinlogs.properties.status.error_code == 50126))');
  });
});

describe('elastic native text: ES|QL', () => {
  it('escapes strings and names', () => {
    assert.equal(esqlString('a"b\\c\n'), '"a\\"b\\\\c\\n"');
    assert.equal(esqlField('@timestamp'), '`@timestamp`');
  });

  it('renders an aggregation with case-folded, null-safe leaves and LIKE escapes', () => {
    const q: NativeQuery = {
      name: 'agg',
      match: [{ source: cloud('SigninLogs'), where: and(contains('AppDisplayName', 'Off*ice?"\\'), not(regex('UserPrincipalName', '^adm'))) }],
      outputs: [{ name: 'src', fields: ['IPAddress'] }, { name: 'user', fields: ['UserPrincipalName'] }],
      aggregate: { by: ['src'], distinct: 'user', threshold: 'n', window: 'w' },
      riskObject: 'src',
    };
    assert.equal(esqlQuery(q, params), [
      'FROM logs-azure.signinlogs-*',
      '| WHERE (event.dataset == "azure.signinlogs")',
      '| EVAL tzp0 = MV_CONCAT(TO_STRING(azure.signinlogs.properties.app_display_name), " "), tzp1 = MV_CONCAT(TO_STRING(azure.signinlogs.properties.ip_address), " "), tzp2 = MV_CONCAT(TO_STRING(source.ip), " "), tzp3 = MV_CONCAT(TO_STRING(azure.signinlogs.properties.user_principal_name), " ")',
      '| EVAL tz_AppDisplayName = CASE(tzp0 IN ("", "-"), NULL, tzp0), tz_IPAddress = COALESCE(CASE(tzp1 IN ("", "-"), NULL, tzp1), CASE(tzp2 IN ("", "-"), NULL, tzp2)), tz_UserPrincipalName = CASE(tzp3 IN ("", "-"), NULL, tzp3)',
      '| WHERE (event.dataset == "azure.signinlogs" AND ((tz_AppDisplayName IS NOT NULL AND TO_LOWER(tz_AppDisplayName) LIKE "*off\\\\*ice\\\\?\\"\\\\\\\\*") AND NOT ((tz_UserPrincipalName IS NOT NULL AND tz_UserPrincipalName RLIKE "[aA][dD][mM].*"))))',
      '| EVAL src = TO_LOWER(tz_IPAddress), user = TO_LOWER(tz_UserPrincipalName)',
      '| WHERE src IS NOT NULL',
      '| STATS tz_count = COUNT_DISTINCT(user), tz_first = MIN(`@timestamp`), tz_last = MAX(`@timestamp`), user = VALUES(user) BY src',
      '| WHERE tz_count >= 3',
    ].join('\n'));
  });
});

describe('elastic native text: KQL', () => {
  it('quotes values with only backslash, quote and control characters escaped', () => {
    assert.equal(kqlQuoted('say "hi" \\ now\t(x):<y>*'), '"say \\"hi\\" \\\\ now\\t(x):<y>*"');
  });

  it('escapes every reserved character of an unquoted value, and stand-alone keywords', () => {
    assert.equal(kqlUnquoted(['a\\b(c)d:e<f>g"h', { wildcard: true }, 'i{j}k']), 'a\\\\b\\(c\\)d\\:e\\<f\\>g\\"h*i\\{j\\}k');
    assert.equal(kqlUnquoted(['x and y or not z']), 'x \\and y \\or \\not z');
    assert.equal(kqlUnquoted(['android']), 'android');
    assert.equal(kqlUnquoted(['tab\there']), 'tab\\there');
    assert.throws(() => kqlUnquoted([' lead']), /unquoted/);
    assert.equal(kqlField('event.kind'), 'event.kind');
    assert.equal(kqlField('odd field:name'), '"odd field:name"');
  });
});

describe('elastic native text: Lucene regexes', () => {
  it('translates the tree\'s regexes, refusing what Lucene cannot say', () => {
    assert.equal(luceneRegex('^S-1-5-21-\\d+-(500|512)$'), 'S-1-5-21-[0-9]+-(500|512)');
    assert.equal(luceneRegex('\\(OA;[^;()]*;\\)'), '.*\\(OA;[^;\\(\\)]*;\\).*');
    assert.equal(luceneRegex('a|b'), '.*(a|b).*');
    assert.equal(luceneRegex('x@y<z>~#&"'), '.*x\\@y\\<z\\>\\~\\#\\&\\".*');
    for (const bad of ['(?=x)', 'a\\1', 'a$b', 'a*?', '\\bword']) assert.throws(() => luceneRegex(bad), UnsupportedRegexError, bad);
    assert.equal(luceneLiteral('a.b*c'), 'a\\.b\\*c');
  });

  it('matches what the JavaScript regex matches, case folded or not', () => {
    const patterns = ['^S-1-5-21-\\d+-\\d+-(500|512)$', 'adm', '^ab[c-e]x$', 'p\\.q', '^(a|bc)$', '[^;]*;z$'];
    const alphabet = fc.constantFrom(...'S-1-5-21-0500512abcdexABCDEXpq.;z'.split(''));
    for (const p of patterns) {
      const reference = new RegExp(p, 'i');
      const folded = new RegExp(`^(?:${luceneRegex(p, true)})$`);
      const plain = new RegExp(`^(?:${luceneRegex(p)})$`, 'i');
      fc.assert(fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), (s) => reference.test(s) === folded.test(s) && reference.test(s) === plain.test(s)), { numRuns: 400 });
      for (const s of ['S-1-5-21-1-2-500', 's-1-5-21-1-2-512', 'xADMx', 'abdx', 'p.q', 'bc', ';z']) assert.equal(folded.test(s), reference.test(s), `${p} on ${s}`);
    }
  });

  it('tests a bit mask over 0x-hex text exactly as (n & mask) != 0', () => {
    for (const mask of [0x1, 0x2, 0x10, 0x100, 0x10000, 0x120, 0x80000000]) {
      const re = new RegExp(`^(?:${hexBitsRegex(mask)})$`);
      fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), fc.integer({ min: 0, max: 4 }), (n, upper, pad) => {
        const hex = n.toString(16).padStart(n.toString(16).length + pad, '0');
        const text = `0${upper ? 'X' : 'x'}${upper ? hex.toUpperCase() : hex}`;
        return re.test(text) === ((n & mask) >>> 0 !== 0);
      }), { numRuns: 2000 });
    }
    assert.throws(() => hexBitsRegex(0), UnsupportedRegexError);
  });
});
