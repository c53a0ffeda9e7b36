import { DAY } from '../../detectors/detector';

/**
 * Who administers what: (source, account) pairs that execute code remotely on a target, per
 * target. Admin workstations, SCCM, PDQ and backup agents do this on a schedule from the same
 * place with the same account; they are learned once they recur on `learnAfterDays` days.
 *
 * On tier-0 hosts a pair is only learned if it was first seen during the learning period: a
 * new way into a DC after that is exactly what should be reported (ATA's advice is to manage
 * DCs from dedicated admin workstations only). Elsewhere pairs keep being learned, and a pair
 * learned on `deployerTargets` hosts is a deployment system whose work on further non-tier-0
 * hosts is expected.
 *
 * A software-push system is the other shape of the same habit: SCCM's client push, PDQ or an
 * imaging server installs one service (ccmsetup, PDQDeployRunner-N) once on each new or
 * reimaged machine, so no single target ever sees it twice and no pair is ever learned. A
 * (source, account) that pushed to `deployerTargets` hosts on `learnAfterDays` days is one, for
 * the payloads it pushed on an earlier day; a new source, or a known one pushing something new
 * (PsExec's PSEXESVC from the SCCM server), is still reported.
 */

export interface PairHistory {
  firstSeen: number;
  lastSeen: number;
  /** Distinct days (epoch day numbers) with remote execution, at most learnAfterDays. */
  days: number[];
  /** First seen while the learning period ran: the only pairs a tier-0 host may learn. */
  fromLearning?: true;
}

export interface DeployerHistory {
  /** Targets on which the pair is learned, at most deployerTargets. */
  targets: string[];
  lastSeen: number;
}

export interface PushHistory {
  /** Distinct targets, at most deployerTargets. */
  targets: string[];
  /** Distinct days, at most learnAfterDays. */
  days: number[];
  /** Payload (normalised service or task name, or method) → the first day it was pushed. */
  payloads: Record<string, number>;
  lastSeen: number;
}

export interface BaselineState {
  /** `target|source|account` → history. */
  pairs: Record<string, PairHistory>;
  /** `source|account` → targets where the pair is learned. */
  deployers: Record<string, DeployerHistory>;
  /** `source|account` → what it pushed to non-tier-0 hosts, for software-push systems. */
  pushes?: Record<string, PushHistory>;
}

const MAX_PAYLOADS = 16;

export interface BaselineSettings {
  readonly learnAfterDays: number;
  readonly deployerTargets: number;
}

export type BaselineVerdict = 'learned' | 'deployer' | 'push_system' | 'new' | 'recurring';

export function emptyBaseline(): BaselineState {
  return { pairs: {}, deployers: {} };
}

/**
 * Records one remote execution and says whether the pair is known for this target.
 * `inLearningPeriod` is whether the detector's learning period is still running at `time`.
 */
export function observePair(
  state: BaselineState, settings: BaselineSettings,
  target: string, source: string, account: string, tier0: boolean, time: number, inLearningPeriod: boolean, payload: string,
): BaselineVerdict {
  const key = `${target}|${source}|${account}`;
  let pair = state.pairs[key];
  if (!pair) {
    pair = { firstSeen: time, lastSeen: time, days: [], ...(inLearningPeriod ? { fromLearning: true as const } : {}) };
    state.pairs[key] = pair;
  }
  pair.lastSeen = Math.max(pair.lastSeen, time);
  const day = Math.floor(time / DAY);
  if (!pair.days.includes(day) && pair.days.length < settings.learnAfterDays) pair.days.push(day);
  // A pair with no known source cannot be told apart from any other; never learn it.
  const learnable = source !== '' && (!tier0 || pair.fromLearning === true);
  const deployerKey = `${source}|${account}`;
  if (learnable && pair.days.length >= settings.learnAfterDays) {
    const d = (state.deployers[deployerKey] ??= { targets: [], lastSeen: time });
    d.lastSeen = Math.max(d.lastSeen, time);
    if (!d.targets.includes(target) && d.targets.length < settings.deployerTargets) d.targets.push(target);
    return 'learned';
  }
  const deployer = state.deployers[deployerKey];
  if (!tier0 && source !== '' && deployer && deployer.targets.length >= settings.deployerTargets) {
    deployer.lastSeen = Math.max(deployer.lastSeen, time);
    return 'deployer';
  }
  if (!tier0 && source !== '' && observePush(state, settings, deployerKey, target, day, time, payload)) return 'push_system';
  return pair.days.length > 1 ? 'recurring' : 'new';
}

/** Records a push to a non-tier-0 host; says whether the source is a push system for this payload. */
function observePush(state: BaselineState, settings: BaselineSettings, key: string, target: string, day: number, time: number, payload: string): boolean {
  const pushes = (state.pushes ??= {});
  const p = (pushes[key] ??= { targets: [], days: [], payloads: {}, lastSeen: time });
  p.lastSeen = Math.max(p.lastSeen, time);
  const established = p.targets.length >= settings.deployerTargets && p.days.length >= settings.learnAfterDays;
  const routine = (p.payloads[payload] ?? day) < day;
  if (!p.targets.includes(target) && p.targets.length < settings.deployerTargets) p.targets.push(target);
  if (!p.days.includes(day) && p.days.length < settings.learnAfterDays) p.days.push(day);
  if (!(payload in p.payloads) && Object.keys(p.payloads).length < MAX_PAYLOADS) p.payloads[payload] = day;
  return established && routine;
}

/** What a push is of: the service or task name with digits folded (PDQDeployRunner-7), else the method. */
export function payloadOf(name: string | undefined, method: string): string {
  return name ? name.toLowerCase().replace(/\d+/g, '#') : method;
}

export function evictBaseline(state: BaselineState, before: number): void {
  for (const [k, p] of Object.entries(state.pairs)) if (p.lastSeen < before) delete state.pairs[k];
  for (const [k, d] of Object.entries(state.deployers)) if (d.lastSeen < before) delete state.deployers[k];
  for (const [k, p] of Object.entries(state.pushes ?? {})) if (p.lastSeen < before) delete state.pushes?.[k];
}
