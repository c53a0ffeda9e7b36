/**
 * Azurite's blob service (npm `azurite`, Microsoft's storage emulator, pinned 3.35.0) on
 * 127.0.0.1 for the Sentinel adapter's state tests: started at most once per mocha run, stopped
 * by a root `after` hook, data in a temp dir. In CI (CI=true) a service that does not come up
 * fails the suite; elsewhere the tests skip and say why (as test/support/elasticsearch.ts).
 *
 * `--disableTelemetry` is not optional: without it Azurite starts Application Insights
 * (dist/src/common/Telemetry.js, `AzuriteTelemetryClient.init(location, !env.disableTelemetry())`),
 * which resolves and calls *.applicationinsights.azure.com — the tests talk to loopback only.
 * `--skipApiVersionCheck`: @azure/storage-blob 12.32 may send a service version newer than the
 * emulator knows.
 *
 * The account is Azurite's built-in `devstoreaccount1` with its well-known key, published by
 * Microsoft for the emulator (learn.microsoft.com "Use the Azurite emulator for local Azure
 * Storage development", Authorization for tools and SDKs): not a secret.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopProcessGroup } from './process-group';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const READY_TIMEOUT_MS = 30_000;

export interface AzuriteBlob {
  /** http://127.0.0.1:<port>/devstoreaccount1 — the account URL (path-style, as Azurite serves it). */
  readonly accountUrl: string;
  readonly startSeconds: number;
  log(): string;
}

let service: Promise<AzuriteBlob | { unavailable: string }> | undefined;
let child: ChildProcess | undefined;
let dataDir: string | undefined;
let announced = false;
let output = '';

/** Call from a `before` hook: the shared blob service, or a skip (outside CI) / failure (in CI). */
export async function useAzurite(ctx: Mocha.Context): Promise<AzuriteBlob> {
  ctx.timeout(READY_TIMEOUT_MS + 10_000);
  service ??= startAzurite().catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }));
  const first = !announced;
  announced = true;
  const r = await service;
  if (first && !('unavailable' in r)) console.log(`      (Azurite blob service on ${r.accountUrl} ready in ${r.startSeconds.toFixed(1)} s)`);
  if ('unavailable' in r) {
    if (process.env.CI === 'true') throw new Error(`Azurite unavailable in CI (the Sentinel state suite must run): ${r.unavailable}`);
    console.warn(`      (skipping: no Azurite — ${r.unavailable})`);
    ctx.skip();
  }
  return r as AzuriteBlob;
}

// Root hook: runs once after every test file, whether or not the service was ever started.
after(async function () {
  this.timeout(15_000);
  await stopAzurite();
});

export function azuriteBin(): string | undefined {
  const bin = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'azurite-blob');
  return existsSync(bin) ? bin : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

async function startAzurite(): Promise<AzuriteBlob> {
  const bin = azuriteBin();
  if (!bin) throw new Error('node_modules/.bin/azurite-blob not found: run npm ci (azurite is a devDependency)');
  const started = Date.now();
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'tierzero-azurite-'));
  output = '';
  child = spawn(process.execPath, [bin,
    '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dataDir,
    '--silent', '--disableTelemetry', '--skipApiVersionCheck',
  ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: dataDir });
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited ${code ?? signal}`;
  });
  const accountUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (exited) throw new Error(`Azurite ${exited}: ${output.slice(-2000)}`);
    try {
      // Any HTTP answer means it listens (an unauthenticated list is refused with 403).
      await fetch(`${accountUrl}?comp=list`, { signal: AbortSignal.timeout(2000) });
      return { accountUrl, startSeconds: (Date.now() - started) / 1000, log: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Azurite not listening after ${READY_TIMEOUT_MS / 1000} s: ${output.slice(-2000)}`);
}

async function stopAzurite(): Promise<void> {
  const c = child;
  child = undefined;
  service = undefined;
  await stopProcessGroup(c, 5_000);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}
