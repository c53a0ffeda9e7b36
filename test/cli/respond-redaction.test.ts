import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as respond } from '../../cli/respond';
import { registerSecret, scrubSecrets } from '../../core/config/secret';

/** Azure-generated client secrets usually contain `~`; this one has every URL-special character too. */
const SECRET = 'Qx8~Tz3+ab/cd=ef&gh.ij_kl';

/** The form in which `secret` still shows in `text`, found independently of the code under test. */
function leaked(text: string, secret: string): string | undefined {
  const plain = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)];
  const found = plain.find((f) => text.includes(f) || text.toLowerCase().includes(f.toLowerCase()));
  if (found) return found;
  // Any base64 run that decodes to most of the secret (a Basic auth header, an echoed token).
  const core = secret.slice(2, -2);
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []) {
    for (let cut = 0; cut < 4; cut++) if (Buffer.from(run.slice(cut), 'base64').toString('latin1').includes(core)) return `base64 ${run}`;
  }
  return undefined;
}

describe('secrets are redacted in their encoded forms', () => {
  describe('scrubSecrets', () => {
    const secret = 'Zr7~w+p/q=r&s.t_u';
    before(() => registerSecret(secret));

    for (const [form, text] of [
      ['encodeURIComponent', encodeURIComponent(secret)],
      ['a form body (URLSearchParams)', new URLSearchParams({ client_secret: secret }).toString()],
      ['with lower-case percent escapes', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
      ['JSON-escaped', JSON.stringify({ s: secret })],
      ['JSON-escaped twice', JSON.stringify(JSON.stringify({ s: secret }))],
      ['base64', Buffer.from(secret).toString('base64')],
      ['base64url', Buffer.from(secret).toString('base64url')],
    ] as const) {
      it(`masks it ${form}`, () => {
        const out = scrubSecrets(`echo: ${text}`);
        assert.equal(leaked(out, secret), undefined, out);
      });
    }

    it('masks a secret holding a quote and a backslash JSON-escaped, once and twice', () => {
      const quoted = 'Pq"9\\Lm~4xy';
      registerSecret(quoted);
      for (const text of [JSON.stringify({ s: quoted }), JSON.stringify(JSON.stringify({ s: quoted }))]) {
        const out = scrubSecrets(text);
        assert.ok(!out.includes('9\\\\Lm') && !out.includes('Pq\\"9'), out);
        assert.ok(out.includes('[REDACTED]'), out);
      }
    });

    for (const user of ['a', 'ab', 'abc']) {
      it(`masks it inside Basic auth as ${user}:secret (byte offset ${(user.length + 1) % 3})`, () => {
        const header = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
        const out = scrubSecrets(header);
        assert.equal(leaked(out, secret), undefined, out);
      });
    }
  });

  describe('tierzero respond --json when the token endpoint echoes the request', function () {
    this.timeout(20_000);
    let server: Server;
    let dir = '';
    const out = { stdout: '', stderr: '', code: -1 };

    before(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => { body += c.toString(); });
        req.on('end', () => {
          const form = new URLSearchParams(body);
          const basic = Buffer.from(`tierzero-app:${form.get('client_secret') ?? ''}`).toString('base64');
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret. Request: ${body}; as JSON ${JSON.stringify({ client_secret: form.get('client_secret') })}; Authorization: Basic ${basic}`,
          }));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      dir = mkdtempSync(join(tmpdir(), 'tz-redact-'));
      writeFileSync(join(dir, 'tierzero.json'), JSON.stringify({
        response: { entra: { tenantId: 'contoso.example', clientId: 'tierzero-app', clientSecretEnv: 'TZ_SECRET', authorityUrl: url, graphUrl: url, maxAttempts: 1 } },
      }));
      out.code = await respond(['suspend', '--user', 'jdoe@corp.example', '--config', join(dir, 'tierzero.json'), '--json'], {
        out: (s) => void (out.stdout += s), err: (s) => void (out.stderr += s), env: { TZ_SECRET: SECRET },
      });
    });

    after(() => new Promise<void>((r) => server.close(() => r())));

    it('fails the action, quoting the endpoint\'s answer', () => {
      assert.equal(out.code, 1);
      assert.match(out.stdout, /invalid_client/);
    });

    it('prints no form of the secret on stdout or stderr', () => {
      const text = out.stdout + out.stderr;
      assert.match(text, /client_secret=\[REDACTED\]/);
      assert.equal(leaked(text, SECRET), undefined);
    });

    it('writes no form of the secret to the audit log', () => {
      const audit = readFileSync(join(dir, '.tierzero', 'response-audit.jsonl'), 'utf8');
      assert.match(audit, /invalid_client/);
      assert.equal(leaked(audit, SECRET), undefined);
    });
  });
});
