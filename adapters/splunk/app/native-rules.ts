import type { DetectorId } from '../../../core/detectors/detector-id';

/**
 * The core condition of each stateless detector (no learned baseline: `learningPeriodDays` 0),
 * in platform-neutral terms — canonical field names (Windows EventData, SigninLogs columns),
 * values as the logs write them — so the Splunk app, and later the Elastic and Sentinel packs,
 * compile native rules from the same data. A native rule counts what the engine counts; what it
 * cannot do (merging, escalation on a later success, session tracing) is what the engine adds.
 *
 * These conditions belong in the detector declarations; they live here until the declaration
 * grows a field for them. A test fails when a stateless detector is in neither list below.
 */
export interface NativeMatch {
  /** Windows channel; absent for Entra sign-ins. */
  readonly channel?: string;
  readonly eventIds?: readonly number[];
  /** Every listed field IN its values (`*` is a wildcard). */
  readonly where?: Readonly<Record<string, readonly string[]>>;
  /** No listed field IN its values. */
  readonly whereNot?: Readonly<Record<string, readonly string[]>>;
  /** A site-defined condition (a macro in the app), for facts only the deployment knows. */
  readonly macro?: string;
}

export interface NativeRule {
  readonly detector: DetectorId;
  readonly data: 'windows' | 'entra';
  readonly match: readonly NativeMatch[];
  /** Output fields, each the first present of its canonical fields, lower-cased. */
  readonly by: readonly { readonly name: string; readonly fields: readonly string[] }[];
  /** Count (or distinct count of a field) that fires within the window; absent: every match fires. */
  readonly count?: { readonly threshold: string; readonly window: string; readonly distinct?: string };
}

/** The DC's own LSA and services (SYSTEM, LOCAL SERVICE, NETWORK SERVICE). */
const SYSTEM_SIDS = ['S-1-5-18', 'S-1-5-19', 'S-1-5-20'];

export const NATIVE_RULES: readonly NativeRule[] = [{
  detector: 'brute_force',
  data: 'windows',
  // Wrong-password failures: Kerberos KDC_ERR_PREAUTH_FAILED (4771 0x18), NTLM
  // STATUS_WRONG_PASSWORD on the DC (4776) and on the member (4625 SubStatus).
  match: [
    { channel: 'Security', eventIds: [4771], where: { Status: ['0x18'] } },
    { channel: 'Security', eventIds: [4776], where: { Status: ['0xc000006a'] } },
    { channel: 'Security', eventIds: [4625], where: { SubStatus: ['0xc000006a'] } },
  ],
  by: [{ name: 'user', fields: ['TargetUserName'] }, { name: 'src', fields: ['IpAddress', 'WorkstationName', 'Workstation'] }],
  count: { threshold: 'failuresPerAccount', window: 'windowMinutes' },
}, {
  detector: 'dpapi_backup_key',
  data: 'windows',
  // 4662 on the LSA secret objects G$BCKUPKEY_* with SECRET_QUERY_VALUE (0x2), by anyone but the DC itself.
  match: [{ channel: 'Security', eventIds: [4662], where: { ObjectType: ['SecretObject'], ObjectName: ['*G$BCKUPKEY*'], AccessMask: ['0x2'] }, whereNot: { SubjectUserSid: SYSTEM_SIDS } }],
  by: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }],
}, {
  detector: 'honeytoken_activity',
  data: 'windows',
  // Which accounts and objects are decoys is the site's: the macro tierzero_honeytokens names them.
  match: [{ channel: 'Security', eventIds: [4768, 4769, 4771, 4776, 4624, 4625, 4648, 4662, 4661, 4738, 4720, 4726, 4728, 4732, 4756, 5136, 5141], macro: 'tierzero_honeytokens' }],
  by: [{ name: 'user', fields: ['TargetUserName', 'SubjectUserName'] }, { name: 'src', fields: ['IpAddress', 'WorkstationName'] }],
}, {
  detector: 'mfa_fatigue',
  data: 'entra',
  // A long run of denied or unanswered MFA prompts (500121) for one user, with or without an approval.
  match: [{ where: { ResultType: ['500121'] } }],
  by: [{ name: 'user', fields: ['UserPrincipalName'] }],
  count: { threshold: 'bombingPrompts', window: 'windowMinutes' },
}, {
  detector: 'cloud_password_spray',
  data: 'entra',
  // Many users failing with wrong-password codes from one address.
  match: [{ where: { ResultType: ['50126', '50053', '50034'] } }],
  by: [{ name: 'src', fields: ['IPAddress'] }],
  count: { threshold: 'usersPerSource', window: 'windowMinutes', distinct: 'UserPrincipalName' },
}];

/** Stateless detectors whose condition spans events a single scheduled search cannot hold. */
export const NOT_NATIVE: Readonly<Partial<Record<DetectorId, string>>> = {
  dcshadow: 'pairs a DC registration with its teardown minutes later, or with a DC that never acts as one',
  containment_reverted: 'needs the containment actions tierzero itself took, which only the engine knows',
};
