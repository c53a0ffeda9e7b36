import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, resolveResponseConfig } from '../../playbooks/config';
import { parseUserIdentifier, ridOf } from '../../playbooks/identifiers';
import { sidFromBytes, sidToBytes } from '../../playbooks/sid';
import { tempDir } from './helpers';

const ad = { url: 'ldaps://dc1.corp.example', baseDn: 'DC=corp,DC=example', bindDn: 'CN=svc,DC=corp,DC=example', bindPasswordEnv: 'TZ_AD_PW' };
const env = { TZ_AD_PW: 'bind-Passw0rd-secret', TZ_GRAPH: 'graph-secret-value-1', TZ_TOKEN: 'responder-token-value-1' };
const resolve = (raw: unknown) => resolveResponseConfig(raw, { baseDir: '/etc/tierzero', env });

function configError(raw: unknown, key: string, text: RegExp): void {
  assert.throws(() => resolve(raw), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.key, key);
    assert.match(e.message, text);
    return true;
  });
}

describe('playbooks: response config', () => {
  it('resolves defaults and loads the bind password from its environment variable', () => {
    const s = resolve({ activeDirectory: ad });
    assert.equal(s.activeDirectory?.bindPassword.reveal(), env.TZ_AD_PW);
    assert.equal(s.circuitBreaker.maxActionsPerHour, 20);
    assert.equal(s.auditLog, '/etc/tierzero/.tierzero/response-audit.jsonl');
    assert.equal(s.responder.host, '127.0.0.1');
  });

  it('names the exact key of a bad LDAP URL', () => {
    configError({ activeDirectory: { ...ad, url: 'http://dc1' } }, 'response.activeDirectory.url', /must be an ldaps:\/\/ or ldap:\/\/ URL/);
  });

  it('refuses a secret written inline, without echoing it', () => {
    assert.throws(() => resolve({ activeDirectory: { ...ad, bindPassword: 'hunter2-inline' } }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, 'response.activeDirectory.bindPassword');
      assert.match(e.message, /must not hold a secret inline: use bindPasswordEnv or bindPasswordFile/);
      assert.ok(!e.message.includes('hunter2'));
      return true;
    });
  });

  it('names the unset environment variable', () => {
    configError({ activeDirectory: { ...ad, bindPasswordEnv: 'NOPE' } }, 'response.activeDirectory.bindPasswordEnv', /NOPE, which is not set/);
  });

  it('requires a source for the bind password', () => {
    const { bindPasswordEnv: _e, ...noSecret } = ad;
    configError({ activeDirectory: noSecret }, 'response.activeDirectory.bindPassword', /is required/);
  });

  it('reads a secret from a file relative to the config, trimming the newline', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'graph.secret'), 'from-file-secret-123\n');
    const s = resolveResponseConfig({ entra: { tenantId: 't', clientId: 'c', clientSecretFile: 'graph.secret' } }, { baseDir: dir, env: {} });
    assert.equal(s.entra?.clientSecret.reveal(), 'from-file-secret-123');
    assert.equal(JSON.stringify(s.entra), JSON.stringify({ ...s.entra, clientSecret: `[secret from file ${join(dir, 'graph.secret')}]` }));
  });

  it('accepts plain http for Graph only on loopback', () => {
    configError({ entra: { tenantId: 't', clientId: 'c', clientSecretEnv: 'TZ_GRAPH', graphUrl: 'http://graph.example' } }, 'response.entra.graphUrl', /https/);
    assert.equal(resolve({ entra: { tenantId: 't', clientId: 'c', clientSecretEnv: 'TZ_GRAPH', graphUrl: 'http://127.0.0.1:8080/' } }).entra?.graphUrl, 'http://127.0.0.1:8080');
  });

  it('refuses a non-loopback responder without TLS', () => {
    configError({ activeDirectory: ad, responder: { host: '0.0.0.0', tokenEnv: 'TZ_TOKEN' } }, 'response.responder.host', /clear text/);
  });

  it('rejects unknown keys by their full path', () => {
    configError({ circuitBreaker: { maxActionPerHour: 3 } }, 'response.circuitBreaker.maxActionPerHour', /not a known key/);
  });
});

describe('playbooks: user identifiers and SIDs', () => {
  it('classifies SIDs, UPNs, DOMAIN\\sam, bare names and object ids', () => {
    assert.deepEqual(parseUserIdentifier('s-1-5-21-1-2-3-1104'), { kind: 'sid', sid: 'S-1-5-21-1-2-3-1104' });
    assert.deepEqual(parseUserIdentifier('jdoe@corp.example'), { kind: 'upn', upn: 'jdoe@corp.example' });
    assert.deepEqual(parseUserIdentifier('CORP\\jdoe'), { kind: 'sam', domain: 'CORP', sam: 'jdoe' });
    assert.deepEqual(parseUserIdentifier('jdoe'), { kind: 'sam', sam: 'jdoe' });
    assert.equal(parseUserIdentifier('6f1c2b9e-0000-4000-8000-00000000abcd').kind, 'objectId');
  });

  it('refuses empty identifiers and control characters', () => {
    assert.throws(() => parseUserIdentifier('  '), /empty/);
    assert.throws(() => parseUserIdentifier('a\u0000b'), /control characters/);
  });

  it('round-trips SIDs through their binary form', () => {
    const sid = 'S-1-5-21-2883582091-1077965335-2891030462-1104';
    assert.equal(sidFromBytes(sidToBytes(sid)), sid);
    assert.equal(ridOf(sid), 1104);
  });
});
