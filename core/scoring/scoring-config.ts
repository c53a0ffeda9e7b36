import Ajv from 'ajv';
import { sectionError } from '../config/section-error';
import { DETECTOR_IDS, type DetectorId } from '../detectors/detector-id';
import { SCORING_PROFILES } from './profiles';

/**
 * `scoring`: analyst verdicts per detector, the evidence behind each detector's precision
 * prior c = (TP + 1) / (TP + FP + BTP + 2), floored at 0.2 (research note §3b). With no
 * verdicts c is ½; deterministic detectors (a decoy touched, secrets replicated by a non-DC)
 * have c = 1 whatever the verdicts.
 */
export interface Verdicts {
  readonly truePositives?: number;
  readonly falsePositives?: number;
  readonly benignTruePositives?: number;
}

export interface ScoringConfig {
  readonly verdicts?: Readonly<Partial<Record<DetectorId, Verdicts>>>;
}

export interface ResolvedScoring {
  precision(detector: DetectorId): number;
}

const count = { type: 'integer', minimum: 0 };
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    verdicts: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(DETECTOR_IDS.map((id) => [id, {
        type: 'object', additionalProperties: false,
        properties: { truePositives: count, falsePositives: count, benignTruePositives: count },
      }])),
    },
  },
};

export const PRECISION_FLOOR = 0.2;

let validator: ReturnType<Ajv['compile']> | undefined;

export function resolveScoring(raw: unknown): ResolvedScoring {
  if (raw !== undefined) {
    validator ??= new Ajv({ allErrors: false, strict: true }).compile(schema);
    if (!validator(raw)) throw sectionError('scoring', validator.errors?.[0]);
  }
  const verdicts = (raw as ScoringConfig | undefined)?.verdicts ?? {};
  return {
    precision(detector: DetectorId): number {
      if (SCORING_PROFILES[detector].deterministic) return 1;
      const v = verdicts[detector] ?? {};
      const tp = v.truePositives ?? 0;
      const wrong = (v.falsePositives ?? 0) + (v.benignTruePositives ?? 0);
      return Math.max(PRECISION_FLOOR, (tp + 1) / (tp + wrong + 2));
    },
  };
}
