/**
 * Entra records as Sentinel exports them (`SigninLogs`, `AuditLogs` columns), for the cloud
 * detector tests. `at` is minutes after 2024-03-04T09:00:00Z, like the Windows fixtures.
 */

const EPOCH = Date.UTC(2024, 2, 4, 9, 0, 0);
let sequence = 1;

export interface Place {
  readonly city: string;
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  readonly asn: number;
  readonly ip: string;
}

export const PLACES = {
  paris: { city: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522, asn: 3215, ip: '90.84.10.17' },
  lyon: { city: 'Lyon', country: 'FR', lat: 45.764, lon: 4.8357, asn: 3215, ip: '90.84.200.4' },
  newYork: { city: 'New York', country: 'US', lat: 40.7128, lon: -74.006, asn: 7922, ip: '73.12.44.9' },
  lagos: { city: 'Lagos', country: 'NG', lat: 6.5244, lon: 3.3792, asn: 29465, ip: '105.112.33.8' },
  suva: { city: 'Suva', country: 'FJ', lat: -18.1248, lon: 178.4501, asn: 38442, ip: '202.62.120.3' },
  apia: { city: 'Apia', country: 'WS', lat: -13.8333, lon: -171.7667, asn: 38800, ip: '2406:2d00:1:2::15' },
  zscalerFrankfurt: { city: 'Frankfurt am Main', country: 'DE', lat: 50.1109, lon: 8.6821, asn: 53813, ip: '165.225.72.40' },
  zscalerSingapore: { city: 'Singapore', country: 'SG', lat: 1.3521, lon: 103.8198, asn: 53813, ip: '165.225.112.9' },
  hosting: { city: 'Amsterdam', country: 'NL', lat: 52.3676, lon: 4.9041, asn: 14061, ip: '188.166.1.10' },
} satisfies Record<string, Place>;

export function time(at: number): string {
  return new Date(EPOCH + Math.round(at * 60_000)).toISOString();
}

export interface SignInOptions {
  readonly result?: number;
  readonly device?: string;
  readonly app?: string;
  readonly os?: string;
  readonly browser?: string;
  readonly mfa?: string;
  readonly mfaMethod?: string;
  readonly requirement?: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  readonly id?: string;
  readonly userId?: string;
  readonly ip?: string;
}

/** One SigninLogs row, with dynamic columns as objects (JSON text is covered by the normaliser tests). */
export function signIn(at: number, upn: string, place: Place | undefined, o: SignInOptions = {}): Record<string, unknown> {
  const result = o.result ?? 0;
  const id = o.id ?? `00000000-0000-4000-8000-${String(sequence++).padStart(12, '0')}`;
  return {
    TimeGenerated: time(at),
    Id: id,
    CorrelationId: id,
    UserPrincipalName: upn,
    UserId: o.userId ?? userIdOf(upn),
    AppDisplayName: o.app ?? 'Office 365 Exchange Online',
    ClientAppUsed: 'Browser',
    IPAddress: o.ip ?? place?.ip ?? '',
    AutonomousSystemNumber: place?.asn ?? null,
    ResultType: String(result),
    ResultDescription: result === 0 ? '' : 'failed',
    Status: { errorCode: result, ...(o.mfa ? { additionalDetails: o.mfa } : {}) },
    AuthenticationRequirement: o.requirement ?? (o.mfa ? 'multiFactorAuthentication' : 'singleFactorAuthentication'),
    AuthenticationDetails: o.mfa ? JSON.stringify([
      { authenticationMethod: 'Password', succeeded: true, authenticationStepResultDetail: 'Correct password' },
      { authenticationMethod: o.mfaMethod ?? 'Mobile app notification', succeeded: result === 0, authenticationStepResultDetail: o.mfa },
    ]) : '[]',
    LocationDetails: place ? { city: place.city, countryOrRegion: place.country, geoCoordinates: { latitude: place.lat, longitude: place.lon } } : {},
    DeviceDetail: { deviceId: o.device ?? '', operatingSystem: o.os ?? 'Windows10', browser: o.browser ?? 'Edge 122.0.0' },
  };
}

/** A stable, made-up Entra object id per user, as UserId. */
export function userIdOf(upn: string): string {
  let h = 0;
  for (const c of upn) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
}

export interface AuditOptions {
  readonly byUser?: string;
  readonly byApp?: string;
  readonly result?: string;
  readonly modified?: readonly { displayName: string; oldValue: string | null; newValue: string | null }[];
}

/** One AuditLogs row about a user. */
export function audit(at: number, operation: string, targetUpn: string, o: AuditOptions = {}): Record<string, unknown> {
  return {
    TimeGenerated: time(at),
    Id: `Directory_${String(sequence++).padStart(6, '0')}`,
    OperationName: operation,
    Category: operation.includes('role') ? 'RoleManagement' : 'UserManagement',
    Result: o.result ?? 'success',
    LoggedByService: 'Core Directory',
    CorrelationId: `c0ffee00-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    InitiatedBy: o.byApp
      ? { app: { displayName: o.byApp, appId: null, servicePrincipalId: '9a8b7c6d-0000-4000-8000-000000000001' } }
      : { user: { userPrincipalName: o.byUser ?? 'analyst@corp.example', id: userIdOf(o.byUser ?? 'analyst@corp.example'), ipAddress: '198.51.100.7' } },
    TargetResources: [{ id: userIdOf(targetUpn), type: 'User', userPrincipalName: targetUpn, modifiedProperties: o.modified ?? [] }],
  };
}

export const SYNC_ACCOUNT = 'Sync_AADC01_1a2b3c4d5e6f@corpexample.onmicrosoft.com';
