import { join } from 'node:path';
import { createCloudWorkload } from '../../../bench/cloud/workload';
import { datasetsPresent, jsonl, manifest, records } from './datasets';

/**
 * The corpora native conditions are held to: the sample day, the cloud generator's fortnight
 * (the datasets hold no Entra logs), a push-bombing fixture, and every shared dataset, each
 * with the config context it is meant to run under and the detectors it is labelled with.
 */
export interface Corpus {
  readonly name: string;
  readonly records: Record<string, unknown>[];
  readonly context: Record<string, unknown>;
  readonly labelled: readonly string[];
}

const SAMPLE = join(__dirname, '../../../samples/sample-day.jsonl.gz');

export function corpora(): Corpus[] {
  const tenant = createCloudWorkload({ seed: 'tz-native-rules', start: '2024-03-04T00:00:00.000Z', days: 14, users: 200 });
  const out: Corpus[] = [
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sample's config is JSON next to it
    { name: 'sample-day', records: jsonl(SAMPLE), context: require('../../../samples/tierzero.json') as Record<string, unknown>, labelled: [] },
    { name: 'cloud-tenant', records: tenant.records.slice().sort(byTime) as Record<string, unknown>[], context: { ...tenant.config }, labelled: ['cloud_password_spray', 'mfa_fatigue'] },
  ];
  out.push({ name: 'mfa-bombing', records: bombing(), context: {}, labelled: ['mfa_fatigue'] });
  if (datasetsPresent()) {
    for (const e of manifest()) out.push({ name: e.file, records: records(e.file), context: e.context ?? {}, labelled: e.expected_alerts });
  }
  return out;
}

/**
 * A push-bombing run (12 denied prompts in 24 minutes for one user) and its near miss (a user who
 * mis-answers 4 prompts): the datasets hold no Entra logs, and the generator's fatigue attack
 * ends in an approval after 3 prompts, below the bombing threshold.
 */
export function bombing(): Record<string, unknown>[] {
  const at = (min: number) => new Date(Date.UTC(2024, 2, 4, 9, 0) + min * 60_000).toISOString();
  const prompt = (upn: string, min: number, ip: string): Record<string, unknown> => ({
    TimeGenerated: at(min), Id: `${upn}-${min}`, UserPrincipalName: upn, UserId: `id-${upn}`, IPAddress: ip, ResultType: '500121',
    Status: { errorCode: 500121, failureReason: 'Authentication failed during strong authentication request.', additionalDetails: 'MFA denied; user declined the authentication' },
    AuthenticationDetails: [{ authenticationMethod: 'Mobile app notification', succeeded: false, authenticationStepResultDetail: 'MFA denied; user declined the authentication' }],
    AuthenticationRequirement: 'multiFactorAuthentication', AppDisplayName: 'Office 365',
  });
  const run = Array.from({ length: 12 }, (_, i) => prompt('pat@contoso.example', i * 2, '203.0.113.9'));
  const fumble = Array.from({ length: 4 }, (_, i) => prompt('kim@contoso.example', i * 3, '198.51.100.20'));
  return [...run, ...fumble].sort(byTime);
}

function byTime(a: object, b: object): number {
  const t = (r: object): number => Date.parse(String((r as Record<string, unknown>)['TimeGenerated'] ?? (r as Record<string, unknown>)['TimeCreated']));
  return t(a) - t(b);
}
