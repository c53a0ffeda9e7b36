import type { ResolvedConfig } from '../config/config';
import type { DetectorId } from '../detectors/detector-id';
import type { RuleParams } from './evaluate';

/** What a native rule takes from the deployment's config: thresholds and the lists it names. */
export function ruleParams(config: ResolvedConfig, id: DetectorId): RuleParams {
  const resolved = config.detectors.get(id);
  if (!resolved) throw new Error(`${id} is not enabled: no native rule to compile`);
  return {
    thresholds: resolved.settings.thresholds,
    settings: listSettings(config),
  };
}

/** The config lists a native rule may name (`in_setting`). */
export function listSettings(config: ResolvedConfig): RuleParams['settings'] {
  return { honeytokens: config.honeytokens, directorySyncAccounts: config.directorySyncAccounts };
}
