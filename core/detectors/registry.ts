import { asrepRoasting } from './asrep_roasting';
import { bruteForce } from './brute_force';
import { dcsync } from './dcsync';
import type { DetectorDeclaration, DetectorModule } from './detector';
import { kerberoasting } from './kerberoasting';
import { remoteCodeExecution } from './remote_code_execution';

/** Every implemented detector. The README table, config schema and `doctor` walk this list. */
export const DETECTOR_MODULES: readonly DetectorModule[] = [dcsync, kerberoasting, asrepRoasting, bruteForce, remoteCodeExecution];

export const DECLARATIONS: readonly DetectorDeclaration[] = DETECTOR_MODULES.map((m) => m.declaration);
