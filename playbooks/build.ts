import { AuditLog } from './audit-log';
import { CircuitBreaker } from './circuit-breaker';
import { systemClock, type Clock } from './clock';
import type { ResponseSettings } from './config';
import { ProtectionPolicy } from './protection';
import { ActiveDirectoryProvider } from './providers/active-directory';
import { EntraProvider } from './providers/entra';
import { GraphClient } from './providers/graph-client';
import { Responder } from './responder';

/** Wires a Responder from validated settings: the one place that knows how the parts fit. */
export function buildResponder(settings: ResponseSettings, clock: Clock = systemClock): Responder {
  const ad = settings.activeDirectory;
  const entra = settings.entra;
  return new Responder({
    ...(ad && { activeDirectory: new ActiveDirectoryProvider(ad) }),
    ...(entra && { entra: new EntraProvider(new GraphClient(entra, clock)) }),
    protection: new ProtectionPolicy({
      protectedAccounts: settings.protectedAccounts,
      serviceAccounts: settings.serviceAccounts,
      ...(ad && { adBindDn: ad.bindDn }),
      adBreakGlassGroups: ad?.breakGlassGroups ?? [],
      entraBreakGlassGroups: entra?.breakGlassGroups ?? [],
    }),
    breaker: new CircuitBreaker(settings.circuitBreaker.stateFile, settings.circuitBreaker.maxActionsPerHour, clock),
    audit: new AuditLog(settings.auditLog, clock),
    passwordLength: settings.passwordLength,
  });
}
