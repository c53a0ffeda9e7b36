import type { DetectorModule } from './detector';

/** Every implemented detector. The README table, config schema and `doctor` walk this list. */
export const DETECTOR_MODULES: readonly DetectorModule[] = [];
