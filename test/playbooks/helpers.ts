import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../playbooks/audit-log';
import { CircuitBreaker } from '../../playbooks/circuit-breaker';
import type { Clock } from '../../playbooks/clock';
import type { ActiveDirectorySettings, EntraSettings } from '../../playbooks/config';
import { ProtectionPolicy, type ProtectionRules } from '../../playbooks/protection';
import { ActiveDirectoryProvider } from '../../playbooks/providers/active-directory';
import { EntraProvider } from '../../playbooks/providers/entra';
import { GraphClient } from '../../playbooks/providers/graph-client';
import { Responder } from '../../playbooks/responder';
import { Secret } from '../../core/config/secret';
import { GraphEmulator, type AdEnabledSource } from '../emulators/graph/graph-emulator';
import { TLS_SERVER_NAME, type LabDc } from '../support/samba';

export function tempDir(prefix = 'tz-playbooks-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A clock whose sleeps return at once and are recorded, so retry tests never wait. */
export function fakeClock(start = Date.parse('2026-03-01T12:00:00Z')): Clock & { t: number; slept: number[] } {
  const c = {
    t: start,
    slept: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.slept.push(ms);
      c.t += ms;
    },
  };
  return c;
}

export function adSettings(lab: LabDc, overrides: Partial<ActiveDirectorySettings> = {}): ActiveDirectorySettings {
  return {
    url: lab.ldapsUrl,
    baseDn: 'DC=lab,DC=test',
    bindDn: lab.serviceAccount.dn,
    bindPassword: new Secret(lab.serviceAccount.password, 'test'),
    ca: readFileSync(lab.caFile),
    tlsServerName: TLS_SERVER_NAME,
    timeoutMs: 10_000,
    breakGlassGroups: [],
    ...overrides,
  };
}

export const ALL_ROLES = ['User.Read.All', 'User.EnableDisableAccount.All', 'User.RevokeSessions.All', 'User-PasswordProfile.ReadWrite.All', 'GroupMember.Read.All'];
export const CLIENT_SECRET = 'emulated-client-secret-9f8e7d6c';

export async function startEmulator(opts: { roles?: readonly string[]; syncSource?: AdEnabledSource; tokenLifetimeSeconds?: number } = {}): Promise<GraphEmulator> {
  const emu = new GraphEmulator({
    ...(opts.syncSource && { syncSource: opts.syncSource }),
    ...(opts.tokenLifetimeSeconds !== undefined && { tokenLifetimeSeconds: opts.tokenLifetimeSeconds }),
  });
  emu.addApp({ clientId: 'tierzero-app', clientSecret: CLIENT_SECRET, roles: opts.roles ?? ALL_ROLES });
  await emu.start();
  return emu;
}

export function entraSettings(emu: GraphEmulator, overrides: Partial<EntraSettings> = {}): EntraSettings {
  return {
    tenantId: emu.tenantId,
    clientId: 'tierzero-app',
    clientSecret: new Secret(CLIENT_SECRET, 'test'),
    authorityUrl: emu.url,
    graphUrl: emu.url,
    timeoutMs: 5000,
    maxAttempts: 3,
    maxRetryAfterSeconds: 60,
    breakGlassGroups: [],
    ...overrides,
  };
}

export interface TestResponder {
  readonly responder: Responder;
  readonly auditFile: string;
  readonly breakerFile: string;
  readonly clock: ReturnType<typeof fakeClock>;
}

export function makeResponder(opts: {
  ad?: ActiveDirectorySettings;
  entra?: EntraSettings;
  rules?: Partial<ProtectionRules>;
  limit?: number;
}): TestResponder {
  const dir = tempDir();
  const clock = fakeClock();
  const auditFile = join(dir, 'audit.jsonl');
  const breakerFile = join(dir, 'breaker.json');
  const responder = new Responder({
    ...(opts.ad && { activeDirectory: new ActiveDirectoryProvider(opts.ad) }),
    ...(opts.entra && { entra: new EntraProvider(new GraphClient(opts.entra, clock)) }),
    protection: new ProtectionPolicy({
      protectedAccounts: [],
      serviceAccounts: [],
      adBreakGlassGroups: opts.ad?.breakGlassGroups ?? [],
      entraBreakGlassGroups: opts.entra?.breakGlassGroups ?? [],
      ...(opts.ad && { adBindDn: opts.ad.bindDn }),
      ...opts.rules,
    }),
    breaker: new CircuitBreaker(breakerFile, opts.limit ?? 100, clock),
    audit: new AuditLog(auditFile, clock),
    passwordLength: 24,
  });
  return { responder, auditFile, breakerFile, clock };
}

export function auditLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The DC's highest committed USN: unchanged means nothing at all was written to the directory. */
export async function highestUsn(lab: LabDc): Promise<string> {
  return lab.admin(async (c) => String((await c.search('', { scope: 'base', attributes: ['highestCommittedUSN'] })).searchEntries[0]?.highestCommittedUSN));
}
