import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A self-signed certificate for 127.0.0.1, made once per test process with openssl. The Azure
 * emulators must speak TLS: MSAL refuses an authority that is not https (msal-common
 * UrlString.validateAsUri, `authority_uri_insecure`) and core-rest-pipeline's bearer-token
 * policy refuses to send a token over plain http. Clients trust it through the SDKs' own
 * pipeline option `tlsOptions: { ca }` (core-rest-pipeline tlsPolicy), so nothing process-wide
 * changes and no other connection trusts it.
 */
export interface LoopbackTls {
  readonly key: string;
  readonly cert: string;
  /** What an SDK client's options take to trust this certificate. */
  readonly tlsOptions: { readonly ca: string };
}

let made: LoopbackTls | undefined;

export function loopbackTls(): LoopbackTls {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'tz-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe' });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    made = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert, tlsOptions: { ca: cert } };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An https server on 127.0.0.1 with the loopback certificate, on a free port. */
export async function listenLoopbackTls(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const tls = loopbackTls();
  const server = createServer({ key: tls.key, cert: tls.cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes a server and the SDKs' kept-alive connections to it. */
export async function closeServer(s: Server | undefined): Promise<void> {
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}
