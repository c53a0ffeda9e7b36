import type { Prng } from '../prng';
import { CITIES, type CityId, type Network } from './places';
import type { CloudUser, Device } from './tenant';

/**
 * SigninLogs and AuditLogs rows with Sentinel's columns, as an export of the tables holds them
 * (dynamic columns as objects, `AuthenticationDetails` as JSON text, `ResultType` as text).
 */

export interface SignInSpec {
  readonly time: number;
  readonly user: CloudUser;
  readonly city: CityId;
  readonly network: Network;
  readonly ip: string;
  readonly device: Device;
  readonly app: string;
  /** 0 success; 50126 wrong password; 50074 MFA prompt; 500121 MFA failed; 50053 locked. */
  readonly result: number;
  /** The MFA step: detail text as Entra writes it, e.g. `MFA denied; user declined the authentication`. */
  readonly mfa?: string;
  /** A geo-IP lookup that failed: no coordinates (sign-ins through some carriers and proxies). */
  readonly noGeo?: boolean;
  readonly interactive?: boolean;
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: '',
  50126: 'Error validating credentials due to invalid username or password.',
  50053: 'Account is locked because user tried to sign in too many times with an incorrect user ID or password.',
  50074: 'Strong Authentication is required.',
  500121: 'Authentication failed during strong authentication request.',
  50034: 'The user account does not exist in the directory.',
};

const APP_IDS: Readonly<Record<string, string>> = {
  'Office 365 Exchange Online': '00000002-0000-0ff1-ce00-000000000000',
  'Microsoft Teams': '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  'Office 365 SharePoint Online': '00000003-0000-0ff1-ce00-000000000000',
  'OneDrive SyncEngine': 'ab9b8c07-8f02-4f72-87fa-80105867a763',
  'Azure Portal': 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
  'Microsoft Office': 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
  'Power BI': '871c010f-5e61-4fb1-83ac-98610a7e9110',
  'Workday': '6b2a3b44-6b6c-4b5b-9e4e-1a3f0c2d9e11',
};

export function signInRecord(s: SignInSpec, rng: Prng): Record<string, unknown> {
  const id = rng.guid();
  const city = CITIES[s.city];
  const at = new Date(s.time).toISOString();
  const mfaRequired = s.mfa !== undefined || s.result === 50074 || s.result === 500121;
  const steps: object[] = [{ authenticationStepDateTime: at, authenticationMethod: 'Password', authenticationMethodDetail: 'Password in the cloud', succeeded: s.result !== 50126 && s.result !== 50053, authenticationStepResultDetail: s.result === 50126 ? 'Invalid username or password or Invalid on-premise username or password.' : 'Correct password', authenticationStepRequirement: 'Primary authentication' }];
  if (s.mfa) steps.push({ authenticationStepDateTime: at, authenticationMethod: s.user.mfaMethod, succeeded: s.result === 0, authenticationStepResultDetail: s.mfa, authenticationStepRequirement: 'Multifactor authentication' });
  return {
    TimeGenerated: at,
    CreatedDateTime: at,
    OperationName: 'Sign-in activity',
    Category: 'SignInLogs',
    Id: id,
    CorrelationId: rng.guid(),
    OriginalRequestId: id,
    UserPrincipalName: s.user.upn,
    UserDisplayName: s.user.displayName,
    UserId: s.user.objectId,
    UserType: 'Member',
    AppDisplayName: s.app,
    AppId: APP_IDS[s.app] ?? '00000000-0000-0000-0000-000000000000',
    ResourceDisplayName: s.app === 'Azure Portal' ? 'Windows Azure Service Management API' : 'Microsoft Graph',
    ClientAppUsed: s.device.deviceId ? 'Mobile Apps and Desktop clients' : 'Browser',
    IsInteractive: s.interactive ?? true,
    IPAddress: s.ip,
    AutonomousSystemNumber: s.network.asn,
    Location: city.country,
    LocationDetails: s.noGeo ? { countryOrRegion: city.country } : { city: city.name, state: city.state, countryOrRegion: city.country, geoCoordinates: { latitude: city.lat, longitude: city.lon } },
    NetworkLocationDetails: s.network.kind === 'office' || s.network.kind === 'sase' ? [{ networkType: 'namedNetwork', networkNames: ['Corporate egress'] }] : [],
    ResultType: String(s.result),
    ResultDescription: DESCRIPTIONS[s.result] ?? '',
    Status: { errorCode: s.result, ...(s.result ? { failureReason: DESCRIPTIONS[s.result] } : {}), ...(s.mfa ? { additionalDetails: s.mfa } : {}) },
    AuthenticationRequirement: mfaRequired ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    AuthenticationDetails: JSON.stringify(steps),
    AuthenticationMethodsUsed: JSON.stringify(s.mfa ? ['Password', s.user.mfaMethod] : ['Password']),
    MfaDetail: s.mfa ? { authMethod: s.user.mfaMethod, authDetail: null } : {},
    ConditionalAccessStatus: mfaRequired ? 'success' : 'notApplied',
    DeviceDetail: {
      deviceId: s.device.deviceId ?? '', displayName: s.device.displayName ?? '', operatingSystem: s.device.operatingSystem, browser: s.device.browser,
      isCompliant: s.device.isCompliant, isManaged: s.device.isManaged, trustType: s.device.trustType ?? '',
    },
    UserAgent: s.device.operatingSystem.startsWith('Windows') ? 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0' : 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
    RiskLevelDuringSignIn: 'none',
    RiskState: 'none',
    TokenIssuerType: 'AzureAD',
  };
}

export interface AuditSpec {
  readonly time: number;
  readonly operation: 'Disable account' | 'Enable account' | 'Update user' | 'Add member to role';
  readonly target: CloudUser;
  readonly byUser?: { readonly upn: string; readonly objectId: string };
  readonly byApp?: string;
  readonly modified?: readonly { readonly displayName: string; readonly oldValue: string | null; readonly newValue: string | null }[];
}

export function auditRecord(a: AuditSpec, rng: Prng): Record<string, unknown> {
  const at = new Date(a.time).toISOString();
  return {
    TimeGenerated: at,
    ActivityDateTime: at,
    Id: `Directory_${rng.guid().toUpperCase()}`,
    OperationName: a.operation,
    ActivityDisplayName: a.operation,
    Category: a.operation.includes('role') ? 'RoleManagement' : 'UserManagement',
    Result: 'success',
    LoggedByService: 'Core Directory',
    AADOperationType: a.operation.startsWith('Add') ? 'Assign' : 'Update',
    CorrelationId: rng.guid(),
    InitiatedBy: a.byApp
      ? { app: { displayName: a.byApp, appId: rng.guid(), servicePrincipalId: rng.guid() } }
      : { user: { id: a.byUser?.objectId, userPrincipalName: a.byUser?.upn, ipAddress: '198.51.100.20' } },
    TargetResources: [{ id: a.target.objectId, displayName: a.target.displayName, type: 'User', userPrincipalName: a.target.upn, modifiedProperties: a.modified ?? [] }],
  };
}
