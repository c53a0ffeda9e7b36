import { DAY } from '../../detectors/detector';
import { countDay, NO_DAYS, readDayBits, type CountedDays } from '../../state/day-bits';
import { KeyedTable, valueTable, type KeyedTableSnapshot, type TableSpec } from '../../state/keyed-table';
import type { SavedReader } from '../../state/saved-value';

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

/** The days with remote execution (core/state/day-bits.ts) and how many, at most learnAfterDays. */
export interface PairHistory extends CountedDays {
  lastSeen: number;
  /** First seen while the learning period ran: the only pairs a tier-0 host may learn. */
  fromLearning: boolean;
}

export interface DeployerHistory {
  /** Targets on which the pair is learned, at most deployerTargets. */
  targets: string[];
  lastSeen: number;
}

/** The days pushed on and how many, at most learnAfterDays. */
export interface PushHistory extends CountedDays {
  /** Distinct targets, at most deployerTargets. */
  targets: string[];
  /** Payload (normalised service or task name, or method) → the first day it was pushed. */
  payloads: Map<string, number>;
  lastSeen: number;
}

/**
 * The three tables of the baseline, each kept for the state TTL (they are learned habits):
 * `pairs` keyed `target|source|account`, `deployers` and `pushes` keyed `source|account`.
 */
export interface BaselineState {
  readonly pairs: KeyedTable<PairHistory>;
  readonly deployers: KeyedTable<DeployerHistory>;
  readonly pushes: KeyedTable<PushHistory>;
}

const MAX_PAYLOADS = 16;
/** Targets kept per deployer or push system: deployerTargets has no maximum, so restore caps at this. */
const MAX_TARGETS = 10_000;

export interface BaselineSettings {
  readonly learnAfterDays: number;
  readonly deployerTargets: number;
}

export type BaselineVerdict = 'learned' | 'deployer' | 'push_system' | 'new' | 'recurring';

/** The baseline, restored from a saved `{pairs, deployers, pushes}` section (each a table) or empty. */
export function restoreBaseline(section: Readonly<Record<string, unknown>>, read: SavedReader): BaselineState {
  return {
    pairs: new KeyedTable(pairTable, section['pairs'], read),
    deployers: new KeyedTable(deployerTable, section['deployers'], read),
    pushes: new KeyedTable(pushTable, section['pushes'], read),
  };
}

export function snapshotBaseline(state: BaselineState): Record<'pairs' | 'deployers' | 'pushes', KeyedTableSnapshot> {
  return { pairs: state.pairs.snapshot(), deployers: state.deployers.snapshot(), pushes: state.pushes.snapshot() };
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
  const pair = rowOf(state.pairs, key, time, () => ({ lastSeen: time, days: NO_DAYS, dayCount: 0, fromLearning: inLearningPeriod }));
  const day = Math.floor(time / DAY);
  countDay(pair, day, settings.learnAfterDays);
  // A pair with no known source cannot be told apart from any other; never learn it.
  const learnable = source !== '' && (!tier0 || pair.fromLearning);
  const deployerKey = `${source}|${account}`;
  if (learnable && pair.dayCount >= settings.learnAfterDays) {
    const d = rowOf(state.deployers, deployerKey, time, () => ({ targets: [], lastSeen: time }));
    if (!d.targets.includes(target) && d.targets.length < settings.deployerTargets) d.targets.push(target);
    return 'learned';
  }
  const deployer = state.deployers.get(deployerKey);
  if (!tier0 && source !== '' && deployer && deployer.targets.length >= settings.deployerTargets) {
    deployer.lastSeen = Math.max(deployer.lastSeen, time);
    return 'deployer';
  }
  if (!tier0 && source !== '' && observePush(state, settings, deployerKey, target, day, time, payload)) return 'push_system';
  return pair.dayCount > 1 ? 'recurring' : 'new';
}

/** Records a push to a non-tier-0 host; says whether the source is a push system for this payload. */
function observePush(state: BaselineState, settings: BaselineSettings, key: string, target: string, day: number, time: number, payload: string): boolean {
  const p = rowOf(state.pushes, key, time, () => ({ targets: [], days: NO_DAYS, dayCount: 0, payloads: new Map(), lastSeen: time }));
  const established = p.targets.length >= settings.deployerTargets && p.dayCount >= settings.learnAfterDays;
  const routine = (p.payloads.get(payload) ?? day) < day;
  if (!p.targets.includes(target) && p.targets.length < settings.deployerTargets) p.targets.push(target);
  countDay(p, day, settings.learnAfterDays);
  if (!p.payloads.has(payload) && p.payloads.size < MAX_PAYLOADS) p.payloads.set(payload, day);
  return established && routine;
}

/** What a push is of: the service or task name with digits folded (PDQDeployRunner-7), else the method. */
export function payloadOf(name: string | undefined, method: string): string {
  return name ? name.toLowerCase().replace(/\d+/g, '#') : method;
}

/** The row of `key`, made by `fresh` when new; its lastSeen becomes `time` unless it is later (events may come out of order). */
function rowOf<R extends { lastSeen: number }>(table: KeyedTable<R>, key: string, time: number, fresh: () => R): R {
  let row = table.get(key);
  if (row === undefined) {
    row = fresh();
    table.set(key, row);
  }
  row.lastSeen = Math.max(row.lastSeen, time);
  return row;
}

export function evictBaseline(state: BaselineState, before: number): void {
  state.pairs.evict(before);
  state.deployers.evict(before);
  state.pushes.evict(before);
}

const str = (read: SavedReader) => (x: unknown, p: string): string => read.string(x, p);

/** `[lastSeen, days, dayCount, fromLearning]`. */
const pairTable: TableSpec<PairHistory> = {
  name: 'pairs',
  lastSeen: (p) => p.lastSeen,
  encode: (p) => [p.lastSeen, p.days, p.dayCount, p.fromLearning ? 1 : 0],
  decode(v, read, path) {
    const [lastSeen, days, dayCount, fromLearning] = read.tuple(v, path, 4);
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), days: readDayBits(days, read, `${path}.1`),
      dayCount: read.count(dayCount, `${path}.2`), fromLearning: read.count(fromLearning, `${path}.3`) === 1,
    };
  },
};

/** `[lastSeen, targets]`. */
const deployerTable: TableSpec<DeployerHistory> = valueTable('deployers', 'targets', { read: (v, read, path) => read.list(v, path, MAX_TARGETS, str(read)) });

/** `[lastSeen, targets, days, dayCount, [payload, day, …]]`. */
const pushTable: TableSpec<PushHistory> = {
  name: 'pushes',
  lastSeen: (p) => p.lastSeen,
  encode: (p) => [p.lastSeen, p.targets, p.days, p.dayCount, [...p.payloads].flat()],
  decode(v, read, path) {
    const [lastSeen, targets, days, dayCount, payloads] = read.tuple(v, path, 5);
    const map = new Map(read.pairs(payloads, `${path}.4`, MAX_PAYLOADS, str(read), (x, p) => read.number(x, p)));
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), targets: read.list(targets, `${path}.1`, MAX_TARGETS, str(read)),
      days: readDayBits(days, read, `${path}.2`), dayCount: read.count(dayCount, `${path}.3`), payloads: map,
    };
  },
};
