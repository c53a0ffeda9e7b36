import { strict as assert } from 'node:assert';
import { BytePrefilter, DECIDE_ON_TEXT, PARSE } from '../../../adapters/file/byte-prefilter';
import { skippable } from '../../../adapters/file/prefilter';
import { RecordParser } from '../../../adapters/file/record-parser';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { wantedEvents } from '../../../core/engine/engine';

const wanted = wantedEvents(resolveConfig({}, DECLARATIONS), DETECTOR_MODULES);
const line = (o: object) => JSON.stringify({ TimeCreated: '2024-01-01T00:00:00Z', Computer: 'FS1', ...o });
const sysmon = 'Microsoft-Windows-Sysmon/Operational';

/** Lines of every kind the text prefilter tells apart, and some it must leave to the parser. */
const LINES = [
  line({ Channel: 'Security', EventID: 5156 }),
  line({ Channel: 'Security', EventID: 4624, TargetUserName: 'alice' }),
  line({ Channel: 'security', EventID: '4769' }),
  line({ Channel: sysmon, EventID: 3 }),
  line({ Channel: sysmon, EventID: 13, TargetObject: 'HKLM\\Software\\Foo' }),
  line({ Channel: sysmon, EventID: 13, TargetObject: 'HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DsrmAdminLogonBehavior' }),
  line({ Channel: 'Security', EventID: 5140, ShareName: '\\\\*\\C$' }),
  line({ Channel: 'Security', EventID: 5140, ShareName: '\\\\*\\print$' }),
  line({ Channel: 'Security', EventID: 5140, ShareName: '\\\\*\\PrInT$' }),
  line({ Channel: 'Security', EventID: 5140, ShareName: 'prınt$ ſ' }),
  line({ Channel: sysmon, EventID: 13, TargetObject: 'HKLM\\SYSTEM\\X\\dsrmadminlogonbehavior' }),
  line({ Channel: 'Windows PowerShell', EventID: 400 }),
  line({ Channel: 'Sécurité', EventID: 4624 }),
  line({ Channel: 'Sec\\u0075rity', EventID: 5156 }),
  line({ Channel: null, EventID: 5156 }),
  line({ Channel: 'Security', EventID: 'abc' }),
  line({ Channel: 'Security', EventID: 99999 }),
  line({ Channel: 'Security', EventID: 5156 }).slice(0, 60),
  `${line({ Channel: 'Security', EventID: 5156 })} \r`,
  line({ TimeGenerated: 'x', UserPrincipalName: 'a@b' }),
  line({ Channel: 'Security', CommandLine: 'echo "EventID":4624 ü', EventID: 5156 }),
  '   ',
  '',
  '{"Channel":"Security","EventID":5156',
  'not json',
];

describe('byte prefilter', () => {
  it('agrees with the text prefilter on every line it decides, and leaves the rest to it', () => {
    const bytes = new BytePrefilter(wanted);
    for (const text of LINES) {
      const buf = Buffer.from(`xx\n${text}\nyy`);
      const verdict = bytes.verdict(buf, 3, 3 + Buffer.byteLength(text));
      const expected = skippable(text, wanted);
      if (verdict === PARSE) assert.equal(expected, undefined, text);
      else if (verdict !== DECIDE_ON_TEXT) assert.equal(verdict, expected, text);
      if (/"EventID":(5140|13),/.test(text)) assert.notEqual(verdict, DECIDE_ON_TEXT, `text conditions are read on the bytes: ${text}`);
    }
  });

  it('decides the common lines on their bytes: skipped ones by key, wanted ones for the parser', () => {
    const bytes = new BytePrefilter(wanted);
    const at = (text: string) => bytes.verdict(Buffer.from(text), 0, Buffer.byteLength(text));
    assert.equal(at(line({ Channel: 'Security', EventID: 5156 })), 'security:5156');
    assert.equal(at(line({ Channel: sysmon, EventID: 3 })), 'microsoft-windows-sysmon/operational:3');
    assert.equal(at(line({ Channel: 'Security', EventID: 4624 })), PARSE);
    assert.equal(at(line({ Channel: 'Security', EventID: 5140, ShareName: 'x' })), 'security:5140', 'a text condition read on the bytes');
    assert.equal(at(line({ Channel: 'Security', EventID: 5140, ShareName: '\\\\*\\PRINT$' })), PARSE, 'in any case');
    assert.equal(at(line({ Channel: 'Security', EventID: 5140, ShareName: 'prınt$' })), 'security:5140', 'a dotless ı is no i, as for the pattern');
    assert.equal(at(line({ Channel: 'Sécurité', EventID: 4624 })), DECIDE_ON_TEXT);
  });

  it('finds a text condition anywhere in its own line, in any case, and never in the next line', () => {
    const bytes = new BytePrefilter(wanted);
    const share = (name: string) => line({ Channel: 'Security', EventID: 5140, ShareName: name });
    const within = (text: string, next = '') => {
      const buf = Buffer.from(`${text}\n${next}`);
      return bytes.verdict(buf, 0, Buffer.byteLength(text));
    };
    for (const name of ['print$', 'PRINT$', '\\\\*\\pRiNt$', 'x$y$print$', 'prin$print$']) assert.equal(within(share(name)), PARSE, name);
    for (const name of ['print', 'rint$', 'prin$', 'pr int$', '$print']) assert.equal(within(share(name)), 'security:5140', name);
    assert.equal(within(share('C$'), share('print$')), 'security:5140', 'the next line\'s share is not this line\'s');
    const reg = (path: string) => line({ Channel: sysmon, EventID: 13, TargetObject: path });
    assert.equal(within(reg('HKLM\\X\\dsrmDSRMAdminLogonBehavior')), PARSE, 'a candidate that fails, then one that matches');
    assert.equal(within(reg('HKLM\\X\\DsrmAdminLogonBehavio'), 'r'), 'microsoft-windows-sysmon/operational:13', 'cut at the line end');
  });

  it('in the record parser, reads, skips and quarantines exactly as the text path does, whatever the chunking', () => {
    const file = `\ufeff${LINES.join('\n')}\n`;
    const run = (chunkBytes: number) => {
      const skipped = new Map<string, number>();
      const p = new RecordParser('f.jsonl', 1 << 20, false, wanted, skipped);
      const buf = Buffer.from(file);
      const out = [];
      for (let i = 0; i < buf.length; i += chunkBytes) out.push(...p.push(buf.subarray(i, i + chunkBytes)));
      out.push(...p.end());
      return { records: out.map((r) => (r.kind === 'record' ? { kind: r.kind, value: r.value, origin: r.origin } : { ...r })), skipped: [...skipped].sort() };
    };
    // Text path alone: every line is carried across chunks of 1 byte, so none is handed as bytes.
    const reference = run(1);
    assert.deepEqual(run(1 << 16), reference);
    assert.deepEqual(run(37), reference);
    assert.ok(reference.skipped.length >= 3 && reference.records.some((r) => r.kind === 'malformed'));
  });
});
