import { strict as assert } from 'node:assert';
import { account, asSid, guids, hostKey, integer, ip, serviceHostKey, text, timestamp } from '../../../core/events/fields';

describe('field readers', () => {
  it('treats empty strings and Windows "-" as absent', () => {
    assert.equal(text('-'), undefined);
    assert.equal(text('  '), undefined);
    assert.equal(text(' WS01 '), 'WS01');
  });

  it('reads hex in either case, decimal strings and numbers', () => {
    assert.equal(integer('0x17'), 23);
    assert.equal(integer('0X17'), 23);
    assert.equal(integer('0xC000006A'), 0xc000006a);
    assert.equal(integer('23'), 23);
    assert.equal(integer(23), 23);
    assert.equal(integer('%%2313'), undefined);
    assert.equal(integer('0xzz'), undefined);
  });

  it('refuses what is not wholly an integer: signs, exponents, empty hex, too many digits', () => {
    assert.equal(integer('-5'), -5);
    assert.equal(integer(' 42 '), 42);
    for (const bad of ['0x', '0x-1', '+1', '--1', '1e3', '1.5', '-', '', '0xfffffffffffff0', '9999999999999999', '\u0660']) assert.equal(integer(bad), undefined, bad);
    assert.equal(integer('0xfffffffffffff'), 0xfffffffffffff);
    assert.equal(integer('999999999999999'), 999999999999999);
  });

  it('splits DOMAIN\\user and user@realm to the same name', () => {
    assert.deepEqual(account('CORP\\jdoe'), { name: 'jdoe', domain: 'CORP' });
    assert.deepEqual(account('jdoe@CORP.LOCAL'), { name: 'jdoe', domain: 'CORP.LOCAL' });
    assert.deepEqual(account('jdoe', 'corp', 'S-1-5-21-1-2-3-1105'), { name: 'jdoe', domain: 'corp', sid: 'S-1-5-21-1-2-3-1105' });
  });

  it('drops the NULL SID Windows writes when it has no account', () => {
    assert.equal(asSid('S-1-0-0'), undefined);
    assert.equal(asSid('s-1-5-18'), 'S-1-5-18');
  });

  it('takes as a SID exactly what S-1-digits(-digits)* describes', () => {
    const forms = ['S-1-5', 'S-1-5-21-1-2-3-1105', ' S-1-5-18 ', 'S-1-', 'S-1-5-', 'S-1--5', 'S-2-5', 'S-1-5x', 'S-1-5-21-a', 'S1-5', 'S-1-٣', 'X-1-5', 'S-1-5--1', '-'];
    for (const f of forms) {
      const t = f.trim().toUpperCase();
      assert.equal(asSid(f), /^S-1-\d+(-\d+)*$/.test(t) ? t : undefined, f);
    }
  });

  it('unwraps IPv6-mapped IPv4, brackets and ports', () => {
    assert.equal(ip('::ffff:10.0.0.5'), '10.0.0.5');
    assert.equal(ip('::FFFF:10.0.0.5'), '10.0.0.5');
    assert.equal(ip('[fe80::1]:445'), 'fe80::1');
    assert.equal(ip('10.0.0.5:3389'), '10.0.0.5');
    assert.equal(ip('fe80::e50e:b89e:4718:3aa'), 'fe80::e50e:b89e:4718:3aa');
    assert.equal(ip('-'), undefined);
  });

  it('shortens FQDNs and UNC names to the host key but leaves addresses alone', () => {
    assert.equal(hostKey('DC1.insecurebank.local'), 'dc1');
    assert.equal(hostKey('\\\\WS01'), 'ws01');
    assert.equal(hostKey('10.0.0.5'), '10.0.0.5');
  });

  it('reads canonical timestamps by char codes exactly as Date.parse does', () => {
    const forms = ['2024-03-12T00:00:00.377Z', '1970-01-01T00:00:00.001Z', '2000-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z',
      '2024-01-31T00:00:00.000Z', '2024-12-31T24:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-00-10T00:00:00.000Z', '2024-01-00T00:00:00.000Z',
      '2024-01-01T00:60:00.000Z', '2024-01-01T00:00:60.000Z', '2024-01-01T00:00:00,000Z', '2024-01-01T0a:00:00.000Z', '0000-03-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1600-03-01T12:00:00.500Z'];
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < 2000; i++) forms.push(new Date(rnd(4_000_000) * 1_000_000 + rnd(1_000_000)).toISOString());
    for (const f of forms) {
      const ms = Date.parse(f);
      assert.equal(timestamp(f), Number.isFinite(ms) && ms > 0 && ms <= 8.64e15 ? ms : timestamp(f.replace('Z', '+00:00')), f);
    }
  });

  it('answers a repeated host from its memo the same as the first time', () => {
    for (const h of ['DC1.corp', 'DC1.corp', 'WS2', 'DC1.corp', '', '']) assert.equal(hostKey(h), h.toLowerCase().split('.')[0]);
  });

  it('reads the host a service ticket points at from a machine account or an SPN', () => {
    assert.deepEqual(['TARGET01$', 'cifs/target01.corp.example', 'HOST/TARGET01:445', 'ldap/target01.corp.example/corp.example'].map(serviceHostKey), ['target01', 'target01', 'target01', 'target01']);
  });

  it('finds every GUID in a 4662 Properties field, lower case', () => {
    const p = '%%7688\n\t\t{1131F6AA-9c07-11d1-f79f-00c04fc2dcd2}\n\t{19195a5b-6da0-11d0-afd3-00c04fd930c9}\n';
    assert.deepEqual(guids(p), ['1131f6aa-9c07-11d1-f79f-00c04fc2dcd2', '19195a5b-6da0-11d0-afd3-00c04fd930c9']);
  });

  it('reads ISO times with or without zone, space-separated times and epochs', () => {
    const t = Date.UTC(2019, 4, 8, 2, 10, 43, 487);
    assert.equal(timestamp('2019-05-08T02:10:43.487Z'), t);
    assert.equal(timestamp('2019-05-08 02:10:43.487'), t);
    assert.equal(timestamp('2019-05-08T04:10:43.487+02:00'), t);
    assert.equal(timestamp(t), t);
    assert.equal(timestamp(t / 1000), t);
    assert.equal(timestamp('yesterday'), undefined);
  });
});
